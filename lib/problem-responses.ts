import * as apigw from 'aws-cdk-lib/aws-apigateway';
import { PROBLEM_BASE } from '../lambdas/shared/http/problem';

interface ProblemResponse {
  readonly type: apigw.ResponseType;
  /** Fixed status, written both as the HTTP status and into the body; absent for the catch-all defaults. */
  readonly status?: number;
  /** Problem type slug, expanded like the functions' problems (`PROBLEM_BASE` + slug). */
  readonly slug: string;
  readonly title: string;
  /** Plain text; absent: API Gateway's own message. */
  readonly detail?: string;
  readonly headers?: Record<string, string>;
}

/**
 * Errors API Gateway answers itself, before any function runs. Templates are substituted, not evaluated
 * (no VTL logic), so a status must be fixed per type to be stated in the body.
 */
const PROBLEM_RESPONSES: readonly ProblemResponse[] = [
  {
    type: apigw.ResponseType.UNAUTHORIZED,
    status: 401,
    slug: 'unauthorized',
    title: 'Unauthorized',
    detail: 'A valid bearer access token is required',
    headers: { 'WWW-Authenticate': 'Bearer' },
  },
  {
    type: apigw.ResponseType.ACCESS_DENIED,
    status: 403,
    slug: 'forbidden',
    title: 'Forbidden',
    detail: 'The access token lacks the scope this operation needs',
  },
  {
    // REST APIs answer an unknown route with this (403 "Missing Authentication Token"); it is a 404.
    type: apigw.ResponseType.MISSING_AUTHENTICATION_TOKEN,
    status: 404,
    slug: 'not-found',
    title: 'Not Found',
    detail: 'No operation matches this method and path',
  },
  {
    // The partner's usage plan rate or burst (or the stage's); a token refills within a second.
    type: apigw.ResponseType.THROTTLED,
    status: 429,
    slug: 'too-many-requests',
    title: 'Too Many Requests',
    headers: { 'Retry-After': '1' },
  },
  {
    // The partner's daily quota; it resets at midnight UTC (a template cannot compute the seconds left).
    type: apigw.ResponseType.QUOTA_EXCEEDED,
    status: 429,
    slug: 'quota-exceeded',
    title: 'Too Many Requests',
    detail: "This partner used up its tier's requests for today (UTC); retry after midnight UTC",
    headers: { 'Retry-After': '3600' },
  },
  {
    type: apigw.ResponseType.INVALID_API_KEY,
    status: 403,
    slug: 'forbidden',
    title: 'Forbidden',
    detail: 'Send the API key issued with this partner as x-api-key',
  },
  {
    type: apigw.ResponseType.REQUEST_TOO_LARGE,
    status: 413,
    slug: 'content-too-large',
    title: 'Content Too Large',
  },
  {
    type: apigw.ResponseType.INTEGRATION_TIMEOUT,
    status: 504,
    slug: 'gateway-timeout',
    title: 'Gateway Timeout',
  },
  { type: apigw.ResponseType.INTEGRATION_FAILURE, status: 502, slug: 'bad-gateway', title: 'Bad Gateway' },
  // The defaults cover every other type; their statuses vary (400, 403, 415, ...), so the body omits `status`.
  { type: apigw.ResponseType.DEFAULT_4XX, slug: 'client-error', title: 'Client Error' },
  { type: apigw.ResponseType.DEFAULT_5XX, slug: 'server-error', title: 'Server Error' },
];

/** RFC 9457 `application/problem+json` bodies, with the request id, for API Gateway's own error responses. */
export function addProblemResponses(api: apigw.RestApi): void {
  for (const response of PROBLEM_RESPONSES) {
    api.addGatewayResponse(response.type.responseType, {
      type: response.type,
      statusCode: response.status?.toString(),
      responseHeaders: quoteValues({ 'Content-Type': 'application/problem+json', ...response.headers }),
      templates: { 'application/json': problemTemplate(response) },
    });
  }
}

/** The body, with API Gateway variables substituted in: `messageString` is already a quoted JSON string. */
function problemTemplate({ slug, title, status, detail }: ProblemResponse): string {
  const members = [
    `"type":${JSON.stringify(`${PROBLEM_BASE}${slug}`)}`,
    `"title":${JSON.stringify(title)}`,
    ...(status === undefined ? [] : [`"status":${status}`]),
    `"detail":${detail === undefined ? '$context.error.messageString' : JSON.stringify(detail)}`,
    `"requestId":"$context.requestId"`,
  ];
  return `{${members.join(',')}}`;
}

/** Gateway response header values are literals in single quotes. */
function quoteValues(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, `'${value}'`]));
}
