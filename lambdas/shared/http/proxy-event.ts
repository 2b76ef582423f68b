import type { APIGatewayProxyEvent } from 'aws-lambda';

export interface ProxyEventInput {
  method: string;
  /** API Gateway resource, e.g. `/brands/{brandId}`. */
  resource: string;
  path: string;
  pathParameters: Record<string, string> | null;
  query?: URLSearchParams;
  /** Raw header pairs, names as sent. */
  headers?: [string, string][];
  body: string | null;
  claims: Record<string, string>;
  requestId: string;
  stage: string;
  sourceIp?: string;
  userAgent?: string | null;
}

/** An API Gateway REST proxy-integration event, as its Cognito authorizer hands it to a Lambda function. */
export function proxyEvent(input: ProxyEventInput): APIGatewayProxyEvent {
  // Maps, then own properties (as API Gateway's JSON event has): names like `__proto__` or `constructor` stay data.
  const { single: headers, multi: multiValueHeaders } = collect(input.headers ?? []);
  const { single: query, multi: multiValueQuery } = collect(input.query ?? []);
  const hasQuery = Object.keys(query).length > 0;
  return {
    resource: input.resource,
    path: input.path,
    httpMethod: input.method,
    headers,
    multiValueHeaders,
    queryStringParameters: hasQuery ? query : null,
    multiValueQueryStringParameters: hasQuery ? multiValueQuery : null,
    pathParameters: input.pathParameters,
    stageVariables: null,
    body: input.body,
    isBase64Encoded: false,
    requestContext: {
      accountId: '000000000000',
      apiId: input.stage,
      authorizer: { claims: input.claims },
      httpMethod: input.method,
      identity: {
        sourceIp: input.sourceIp ?? '127.0.0.1',
        userAgent: input.userAgent ?? null,
        accessKey: null,
        accountId: null,
        apiKey: null,
        apiKeyId: null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        user: null,
        userArn: null,
      },
      path: `/${input.stage}${input.path}`,
      protocol: 'HTTP/1.1',
      requestId: input.requestId,
      requestTimeEpoch: Date.now(),
      resourceId: input.stage,
      resourcePath: input.resource,
      stage: input.stage,
    },
  };
}

/** Name → last value and name → all values, as objects whose keys are all own data properties. */
function collect(pairs: Iterable<[string, string]>) {
  const multi = new Map<string, string[]>();
  for (const [name, value] of pairs) multi.set(name, [...(multi.get(name) ?? []), value]);
  return {
    single: Object.fromEntries([...multi].map(([name, values]) => [name, values.at(-1) ?? ''])),
    multi: Object.fromEntries(multi),
  };
}
