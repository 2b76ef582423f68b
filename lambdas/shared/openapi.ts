/** The OpenAPI 3.1 document of the API, generated from the route table (served by the docs pages, written by scripts/openapi.ts). */
import { stringify } from 'yaml';
import type * as core from 'zod/v4/core';
import { globalRegistry } from 'zod/v4/core';
import {
  createDocument,
  type oas31,
  type ZodObjectInput,
  type ZodOpenApiOperationObject,
  type ZodOpenApiPathItemObject,
  type ZodOpenApiResponsesObject,
} from 'zod-openapi';
import { version } from '../../package.json';
import { Problem } from './problem-schema';
import {
  type AccessLevel,
  acceptedScopes,
  MAX_PAYLOAD_BYTES,
  type Method,
  mediaTypesOf,
  objectOf,
  PROBLEM_JSON,
  problem,
  type ResponseHeader,
  type ResponseSpec,
  type RouteSpec,
  requestHeadersOf,
  requiresApiKey,
  SCOPE_DESCRIPTIONS,
  SCOPES,
} from './route';

/** Where the OAuth2 token endpoint of the local stack lives; the deployed stack passes its Cognito domain's. */
export const LOCAL_TOKEN_URL = '/oauth2/token';
export const DEFAULT_SERVER_URL = 'http://localhost:3000';

export type OpenApiDocument = ReturnType<typeof createDocument>;

export interface OpenApiOptions {
  /**
   * Absolute token URL of the deployed Cognito domain (the description then explains the console's token relay,
   * lambdas/docs); the local stack's relative `/oauth2/token` otherwise.
   */
  tokenUrl?: string;
  /** A fixed server URL (may be relative, e.g. `/`); otherwise a `{baseUrl}` variable defaulting to localhost. */
  serverUrl?: string;
}

/**
 * CSV request examples for routes whose body schema carries no string `example` in its `.meta()` (preferred:
 * put it there, next to the route). test/openapi.test.ts checks every CSV body has one and that this one imports.
 */
const CSV_EXAMPLES: Record<string, string> = {
  importSales: [
    'modelId,soldAt,quantity,unitPrice,currency,country,externalId',
    '3fa85f64-5717-4562-b3fc-2c963f66afa6,2025-03-01T10:15:00+01:00,1,24999.90,EUR,DE,dealer-4711-0001',
    '3fa85f64-5717-4562-b3fc-2c963f66afa6,2025-03-02,2,23500.00,,AT,dealer-4711-0002',
    '',
  ].join('\n'),
};

const METHOD_KEYS = {
  GET: 'get',
  POST: 'post',
  PATCH: 'patch',
  PUT: 'put',
  DELETE: 'delete',
} as const satisfies Record<Method, keyof ZodOpenApiPathItemObject>;

/** Where tokens come from: the local stack's demo clients, or (deployed) the Cognito domain of the deployment. */
const TOKEN_NOTE = {
  local: `The token URL in this document is relative (\`/oauth2/token\`), which is where the local stack (\`npm start\`)
issues tokens for its demo clients (\`demo-reader\`, \`demo-writer\`, \`demo-admin\`, secret \`<id>-secret\`).
The deployed stack serves the same document with its Cognito domain's token URL substituted.`,
  deployed: `The token URL in this document is this deployment's Cognito domain; use the client id and secret of your app
client. The console at \`/docs\` fetches its tokens through the same-origin relay \`POST /docs/oauth2/token\`, which
forwards the request to that URL unchanged (browsers preflight Swagger UI's token request, and Cognito's token
endpoint is not documented to support CORS); other clients call the token URL directly.`,
};

const description = (tokenNote: string) => `Car-sales data for partners: brands, models, sales and statistics.

**Authentication.** Every operation needs an OAuth2 access token from the client-credentials flow
(\`POST /oauth2/token\` with the app client's id and secret by HTTP Basic, \`grant_type=client_credentials\`),
sent as \`Authorization: Bearer <token>\`. Each operation lists the scopes it accepts; any one of them is enough,
and \`${SCOPES.admin}\` is accepted everywhere.

${tokenNote}

**Errors** are RFC 9457 problem details (\`application/problem+json\`).`;

const COMMON: Record<number, ResponseSpec> = {
  400: problem('Malformed id, query, header or body'),
  401: { ...problem('Missing or invalid access token'), headers: ['WWW-Authenticate'] },
  403: problem('The token lacks the scope this operation needs'),
  429: { ...problem('Too many requests'), headers: ['Retry-After'] },
  500: problem('Something went wrong on our side; nothing is exposed'),
};

/**
 * A route's responses as documented: its own, and those that follow from its shape (body, conditional headers,
 * status): a JSON success carries its ETag, a 503 says when to retry, a problem+json body is a Problem.
 */
export function responsesOf(route: RouteSpec): Record<number, ResponseSpec> {
  const headers = requestHeadersOf(route)?._zod.def.shape ?? {};
  const derived: Record<number, ResponseSpec> = { ...COMMON };
  if ('if-none-match' in headers) derived[304] = { description: 'Not modified', headers: ['ETag'] };
  if ('if-match' in headers) derived[412] = problem('If-Match is stale');
  if (route.body) derived[415] = problem(`The body is not ${mediaTypesOf(route).join(' or ')}`);
  const responses: Record<number, ResponseSpec> = { ...derived, ...route.responses };
  for (const [status, own] of Object.entries(responses)) {
    const response = own.contentType === PROBLEM_JSON && !own.schema ? { ...own, schema: Problem } : own;
    const implied = impliedHeaders(Number(status), response);
    responses[Number(status)] =
      implied.length > 0
        ? { ...response, headers: [...new Set([...(response.headers ?? []), ...implied])] }
        : response;
  }
  return responses;
}

function impliedHeaders(status: number, response: ResponseSpec): ResponseHeader[] {
  if (status === 503) return ['Retry-After'];
  const json = response.schema && (response.contentType ?? 'application/json') === 'application/json';
  return status < 300 && json ? ['ETag'] : [];
}

/** Builds the OpenAPI 3.1 document of the API from its route table. */
export function buildOpenApi(routes: readonly RouteSpec[], options: OpenApiOptions = {}): OpenApiDocument {
  const paths: Record<string, ZodOpenApiPathItemObject> = {};
  for (const route of routes) {
    const item = paths[route.path] ?? {};
    const key = METHOD_KEYS[route.method];
    if (item[key]) throw new Error(`Duplicate route ${route.method} ${route.path}`);
    item[key] = operationOf(route);
    paths[route.path] = item;
  }
  const tags = [...new Set(routes.map((route) => route.tag))];
  const servers: OpenApiDocument['servers'] = options.serverUrl
    ? [{ url: options.serverUrl, 'x-internal': false }]
    : [
        {
          url: '{baseUrl}',
          // The example lives here, not in the variable's description: swagger-parser mis-reads that field.
          description:
            'The local stack, or the deployed API stage (e.g. https://abc123.execute-api.eu-central-1.amazonaws.com/prod)',
          variables: { baseUrl: { default: DEFAULT_SERVER_URL } },
          'x-internal': false,
        },
      ];

  return tighten(
    createDocument({
      openapi: '3.1.0',
      info: {
        title: 'Car Sales API',
        version,
        description: description(options.tokenUrl ? TOKEN_NOTE.deployed : TOKEN_NOTE.local),
        contact: { name: 'Car Sales API team', url: 'https://car-sales.example.com/support' },
        license: { name: 'Proprietary', url: 'https://car-sales.example.com/terms' },
      },
      servers,
      tags,
      paths,
      components: {
        headers: HEADERS,
        securitySchemes: {
          apiKey: {
            type: 'apiKey',
            in: 'header',
            name: 'x-api-key',
            description:
              'The API key of the partner (shown once, with its client secret, when it is onboarded): sent with the ' +
              "access token on every operation but partner administration, it carries the tier's rate, burst and " +
              'daily quota. The local stack asks it only of onboarded partners, not of its demo clients.',
          },
          oauth2: {
            type: 'oauth2',
            description:
              'Cognito app clients (machine to machine). The deployed stack substitutes its Cognito token URL. ' +
              'Access tokens are JWTs signed with RS256 and verified as RFC8725 (JWT best current practices) asks: ' +
              'fixed algorithm, issuer, token use, client, expiry; they expire after one hour.',
            flows: {
              clientCredentials: {
                tokenUrl: options.tokenUrl ?? LOCAL_TOKEN_URL,
                scopes: Object.fromEntries(
                  (Object.keys(SCOPES) as AccessLevel[]).map((scope) => [
                    SCOPES[scope],
                    SCOPE_DESCRIPTIONS[scope],
                  ]),
                ),
              },
            },
          },
        },
      },
    }),
  );
}

function operationOf(route: RouteSpec): ZodOpenApiOperationObject {
  const where = `${route.method} ${route.path}`;
  const headers = requestHeadersOf(route);
  const requestParams = {
    ...(route.params && { path: objectSchema(route.params, `${where} params`) }),
    ...(route.query && { query: objectSchema(route.query, `${where} query`) }),
    ...(headers && { header: headers }),
  };
  const responses: ZodOpenApiResponsesObject = Object.fromEntries(
    Object.entries(responsesOf(route)).map(([status, response]) => [
      status,
      responseOf(Number(status), response),
    ]),
  );
  return {
    operationId: route.operationId,
    summary: route.summary,
    tags: [route.tag.name],
    ...(Object.keys(requestParams).length > 0 && { requestParams }),
    ...(route.body && { requestBody: { required: true, content: requestContentOf(route, route.body) } }),
    responses,
    // Alternatives: API Gateway accepts a token carrying any one of these scopes (a single requirement
    // listing several scopes would mean all of them).
    // The API key goes with the token (both are needed): it meters the partner's tier in API Gateway.
    security: acceptedScopes(route.access).map((scope) => ({
      oauth2: [scope],
      ...(requiresApiKey(route) && { apiKey: [] }),
    })),
  };
}

/** The body in each media type the route accepts; a form carries the text as a file, so consoles offer a picker. */
function requestContentOf(route: RouteSpec, body: core.$ZodType) {
  const bodyType = route.bodyType ?? 'application/json';
  const csvExample = bodyType === 'text/csv' ? csvExampleOf(route) : undefined;
  const content: NonNullable<ZodOpenApiOperationObject['requestBody']>['content'] = {
    [bodyType]: { schema: body, ...(csvExample !== undefined && { example: csvExample }) },
  };
  if (route.formFile && mediaTypesOf(route).includes('multipart/form-data')) {
    content['multipart/form-data'] = {
      schema: {
        type: 'object',
        required: [route.formFile],
        properties: {
          [route.formFile]: {
            type: 'string',
            format: 'binary',
            contentMediaType: bodyType,
            maxLength: MAX_PAYLOAD_BYTES,
            description: `The file, as ${bodyType}; other parts are ignored`,
          },
        },
        additionalProperties: true,
      },
      encoding: { [route.formFile]: { contentType: `${bodyType}, application/octet-stream` } },
    };
  }
  return content;
}

/** A response with its content and headers: X-Request-Id on every one, the rate-limit headers on 2XX and 4XX. */
function responseOf(status: number, response: ResponseSpec) {
  const names: ResponseHeader[] = [
    ...(response.headers ?? []),
    'X-Request-Id',
    ...(status < 300 || (status >= 400 && status < 500) ? (['RateLimit', 'RateLimit-Policy'] as const) : []),
  ];
  return {
    description: response.description,
    headers: Object.fromEntries(names.map((name) => [name, { $ref: `#/components/headers/${name}` }])),
    ...(response.schema && {
      content: { [response.contentType ?? 'application/json']: { schema: response.schema } },
    }),
  };
}

function csvExampleOf(route: RouteSpec): string | undefined {
  const example = route.body && globalRegistry.get(route.body)?.example;
  return typeof example === 'string' ? example : CSV_EXAMPLES[route.operationId];
}

/** Path and query parameters come from an object schema (possibly piped or lazy), one parameter per key. */
function objectSchema(schema: core.$ZodType, where: string): ZodObjectInput {
  if (!isObjectInput(schema)) throw new Error(`${where}: parameters need an object schema`);
  return schema;
}

function isObjectInput(schema: core.$ZodType): schema is ZodObjectInput {
  return objectOf(schema) !== undefined;
}

/** What each response header means; `required` where the API always sends it. */
const HEADERS: Record<ResponseHeader, oas31.HeaderObject> = {
  ETag: {
    description: 'Strong ETag of the representation; send it as If-None-Match (GET) or If-Match (PATCH)',
    required: true,
    schema: { type: 'string', maxLength: 64, pattern: '^"[A-Za-z0-9_-]+"$' },
  },
  Location: {
    description: 'Path of the created resource',
    required: true,
    schema: { type: 'string', format: 'uri-reference', maxLength: 256 },
  },
  'Retry-After': {
    description: 'Seconds to wait before retrying',
    required: true,
    schema: { type: 'integer', format: 'int32', minimum: 0, maximum: 86400 },
  },
  'WWW-Authenticate': {
    description: 'The authentication scheme: Bearer',
    required: true,
    schema: { type: 'string', maxLength: 256, pattern: '^Bearer' },
  },
  'X-Request-Id': {
    description:
      'Id of this request, also in problem bodies and in the logs: quote it when you report a problem. ' +
      'It is the X-Request-Id you sent when that is 1-128 of A-Z a-z 0-9 . _ : - (else ignored), or the ' +
      'trace id of a valid W3C traceparent, or one the API generates.',
    required: true,
    schema: { type: 'string', maxLength: 128, pattern: '^[A-Za-z0-9._:-]+$' },
  },
  RateLimit: {
    description:
      'The client\'s remaining quota (IETF draft-ietf-httpapi-ratelimit-headers), e.g. `"default";r=42;t=1`: ' +
      'r requests remain, the window resets in t seconds. Sent on responses to authenticated requests.',
    schema: { type: 'string', maxLength: 256 },
  },
  'RateLimit-Policy': {
    description:
      'The quota policy (IETF draft-ietf-httpapi-ratelimit-headers), e.g. `"default";q=100;w=1`: q requests per ' +
      'w seconds. Sent with RateLimit.',
    schema: { type: 'string', maxLength: 256 },
  },
};

/** Upper bounds that follow from a string format (a UUID has 36 characters). */
const FORMAT_MAX_LENGTH: Record<string, number> = { uuid: 36, date: 10, 'date-time': 64, email: 254 };
const INT32 = 2 ** 31;

/**
 * Completes what a schema implies but zod's JSON Schema leaves out, so strict linters and generated clients see
 * it: integers get their format (int32 within its range, int64 beyond), strings of a bounded format their length.
 */
function tighten<T>(document: T): T {
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(visit);
      return;
    }
    if (typeof node !== 'object' || node === null) return;
    const schema = node as Record<string, unknown>;
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    if (types.includes('integer') && schema.format === undefined) {
      const fits = (bound: unknown) => typeof bound === 'number' && bound >= -INT32 && bound < INT32;
      schema.format = fits(schema.minimum) && fits(schema.maximum) ? 'int32' : 'int64';
    }
    const maxLength = typeof schema.format === 'string' ? FORMAT_MAX_LENGTH[schema.format] : undefined;
    if (types.includes('string') && schema.maxLength === undefined && maxLength !== undefined) {
      schema.maxLength = maxLength;
    }
    Object.values(schema).forEach(visit);
  };
  visit(document);
  return document;
}

export function toYaml(document: unknown): string {
  return stringify(document, { lineWidth: 0, aliasDuplicateObjects: false });
}
