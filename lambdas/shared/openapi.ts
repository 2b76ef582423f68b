/** The OpenAPI 3.1 document of the API, generated from the route table (served by the docs pages, written by scripts/openapi.ts). */
import { stringify } from 'yaml';
import type { z } from 'zod';
import {
  createDocument,
  type ZodObjectInput,
  type ZodOpenApiOperationObject,
  type ZodOpenApiPathItemObject,
  type ZodOpenApiResponsesObject,
} from 'zod-openapi';
import { version } from '../../package.json';
import {
  type AccessLevel,
  acceptedScopes,
  type Method,
  type RouteSpec,
  requestHeadersOf,
  responsesOf,
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
  const tags = [...new Set(routes.map((route) => route.tag))].map((name) => ({ name }));
  const servers: OpenApiDocument['servers'] = options.serverUrl
    ? [{ url: options.serverUrl }]
    : [
        {
          url: '{baseUrl}',
          description: 'The local stack, or the deployed API stage',
          variables: {
            baseUrl: {
              default: DEFAULT_SERVER_URL,
              description: 'e.g. https://abc123.execute-api.eu-central-1.amazonaws.com/prod',
            },
          },
        },
      ];

  return createDocument({
    openapi: '3.1.0',
    info: {
      title: 'Car Sales API',
      version,
      description: description(options.tokenUrl ? TOKEN_NOTE.deployed : TOKEN_NOTE.local),
    },
    servers,
    tags,
    paths,
    components: {
      securitySchemes: {
        oauth2: {
          type: 'oauth2',
          description:
            'Cognito app clients (machine to machine). The deployed stack substitutes its Cognito token URL.',
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
  });
}

function operationOf(route: RouteSpec): ZodOpenApiOperationObject {
  const where = `${route.method} ${route.path}`;
  const headers = requestHeadersOf(route);
  const requestParams = {
    ...(route.params && { path: objectSchema(route.params, `${where} params`) }),
    ...(route.query && { query: objectSchema(route.query, `${where} query`) }),
    ...(headers && { header: headers }),
  };
  const bodyType = route.bodyType ?? 'application/json';
  const csvExample = bodyType === 'text/csv' ? csvExampleOf(route) : undefined;
  const responses: ZodOpenApiResponsesObject = Object.fromEntries(
    Object.entries(responsesOf(route)).map(([status, response]) => [
      status,
      {
        description: response.description,
        ...(response.schema && {
          content: { [response.contentType ?? 'application/json']: { schema: response.schema } },
        }),
      },
    ]),
  );
  return {
    operationId: route.operationId,
    summary: route.summary,
    tags: [route.tag],
    ...(Object.keys(requestParams).length > 0 && { requestParams }),
    ...(route.body && {
      requestBody: {
        required: true,
        content: {
          [bodyType]: { schema: route.body, ...(csvExample !== undefined && { example: csvExample }) },
        },
      },
    }),
    responses,
    // Alternatives: API Gateway accepts a token carrying any one of these scopes (a single requirement
    // listing several scopes would mean all of them).
    security: acceptedScopes(route.access).map((scope) => ({ oauth2: [scope] })),
  };
}

function csvExampleOf(route: RouteSpec): string | undefined {
  const example = route.body?.meta()?.example;
  return typeof example === 'string' ? example : CSV_EXAMPLES[route.operationId];
}

/** Path and query parameters come from an object schema (possibly piped or lazy), one parameter per key. */
function objectSchema(schema: z.ZodType, where: string): ZodObjectInput {
  if (!isObjectInput(schema)) throw new Error(`${where}: parameters need an object schema`);
  return schema;
}

function isObjectInput(schema: z.core.$ZodType): schema is ZodObjectInput {
  const def = schema._zod.def;
  if (def.type === 'object') return true;
  if (def.type === 'pipe') return isObjectInput((def as z.core.$ZodPipeDef).in);
  if (def.type === 'lazy') return isObjectInput((def as z.core.$ZodLazyDef).getter());
  return false;
}

export function toYaml(document: unknown): string {
  return stringify(document, { lineWidth: 0, aliasDuplicateObjects: false });
}
