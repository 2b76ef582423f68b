import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { routes as routeTable } from '../lambdas/routes';
import { readSalesCsv } from '../lambdas/sales/csv';
import { checkSubmission } from '../lambdas/sales/validation';
import { buildOpenApi, responsesOf, toYaml } from '../lambdas/shared/openapi';
import {
  acceptedScopes,
  mediaTypesOf,
  type RouteSpec,
  requestHeadersOf,
  SCOPES,
} from '../lambdas/shared/route';
import { OPENAPI_FILE } from '../scripts/openapi';

type Json = Record<string, unknown>;

const routes: readonly RouteSpec[] = routeTable;

const doc = buildOpenApi(routes) as unknown as Json;

/** Reads a JSON-like value at a path of keys; undefined where the path leaves the document. */
function at(value: unknown, ...keys: string[]): unknown {
  let current = value;
  for (const key of keys) {
    if (typeof current !== 'object' || current === null || !Object.hasOwn(current, key)) return undefined;
    current = (current as Json)[key];
  }
  return current;
}

function operation(route: RouteSpec): Json {
  const found = at(doc, 'paths', route.path, route.method.toLowerCase());
  if (typeof found !== 'object' || found === null)
    throw new Error(`${route.method} ${route.path} is missing`);
  return found as Json;
}

/** Resolves `#/...` references (one level) so parameters, bodies and responses can be inspected. */
function deref(value: unknown): unknown {
  const ref = at(value, '$ref');
  if (typeof ref !== 'string') return value;
  return at(doc, ...pointer(ref));
}

function pointer(ref: string): string[] {
  if (!ref.startsWith('#/')) throw new Error(`Only local references are expected: ${ref}`);
  return ref
    .slice(2)
    .split('/')
    .map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'));
}

function refsIn(value: unknown, path = '#'): { ref: string; where: string }[] {
  if (Array.isArray(value)) return value.flatMap((item, i) => refsIn(item, `${path}/${i}`));
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, child]) =>
    key === '$ref' && typeof child === 'string'
      ? [{ ref: child, where: path }]
      : refsIn(child, `${path}/${key}`),
  );
}

function parametersOf(route: RouteSpec): Json[] {
  const parameters = operation(route).parameters ?? [];
  return (parameters as unknown[]).map((parameter) => deref(parameter) as Json);
}

const routeName = (route: RouteSpec) => `${route.method} ${route.path}`;

describe('Script: openapi', () => {
  describe('Function: buildOpenApi', () => {
    it('is an OpenAPI 3.1 document with info, servers, tags and the OAuth2 client-credentials scheme', () => {
      // Assert
      expect(doc.openapi).toBe('3.1.0');
      expect(at(doc, 'info', 'title')).toBe('Car Sales API');
      expect(at(doc, 'info', 'version')).toBe(
        (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version,
      );
      expect(at(doc, 'servers', '0', 'url')).toBe('{baseUrl}');
      expect(at(doc, 'servers', '0', 'variables', 'baseUrl', 'default')).toBe('http://localhost:3000');
      expect(at(doc, 'tags')).toEqual([...new Set(routes.map((route) => route.tag))]);
      const flow = at(doc, 'components', 'securitySchemes', 'oauth2', 'flows', 'clientCredentials');
      expect(at(doc, 'components', 'securitySchemes', 'oauth2', 'type')).toBe('oauth2');
      expect(at(flow, 'tokenUrl')).toBe('/oauth2/token');
      expect(Object.keys(at(flow, 'scopes') as Json).sort()).toEqual(Object.values(SCOPES).sort());
    });

    it('substitutes the token URL and a fixed server URL when given', () => {
      // Act
      const deployed = buildOpenApi(routes, {
        tokenUrl: 'https://auth.example.com/oauth2/token',
        serverUrl: 'https://api.example.com/prod',
      });

      // Assert
      expect(deployed.servers).toEqual([{ url: 'https://api.example.com/prod', 'x-internal': false }]);
      expect(
        at(deployed, 'components', 'securitySchemes', 'oauth2', 'flows', 'clientCredentials', 'tokenUrl'),
      ).toBe('https://auth.example.com/oauth2/token');
    });

    it('documents every route of the table, and nothing else, with its operation id, summary and tag', () => {
      // Arrange
      const documented = Object.entries(at(doc, 'paths') as Json).flatMap(([path, item]) =>
        Object.keys(item as Json).map((method) => `${method.toUpperCase()} ${path}`),
      );

      // Assert
      expect(documented.sort()).toEqual(routes.map(routeName).sort());
      expect(new Set(routes.map((route) => route.operationId)).size).toBe(routes.length);
      for (const route of routes) {
        expect(operation(route), routeName(route)).toMatchObject({
          operationId: route.operationId,
          summary: route.summary,
          tags: [route.tag.name],
        });
      }
    });

    it('lets each operation be called with any one of the scopes API Gateway accepts, and the API key it meters', () => {
      for (const route of routes) {
        // Each alternative is a requirement object of its own: one listing several scopes would need them all.
        // Every operation but partner administration (operators, not partners) also needs the partner's API key.
        const apiKey = route.path.startsWith('/partners') ? {} : { apiKey: [] };
        expect(operation(route).security, routeName(route)).toEqual(
          acceptedScopes(route.access).map((scope) => ({ oauth2: [scope], ...apiKey })),
        );
      }
    });

    it('declares the API key as the x-api-key header', () => {
      expect(at(doc, 'components', 'securitySchemes', 'apiKey')).toMatchObject({
        type: 'apiKey',
        in: 'header',
        name: 'x-api-key',
      });
    });

    it('resolves every $ref', () => {
      // Act
      const refs = refsIn(doc);

      // Assert
      expect(refs.length).toBeGreaterThan(0);
      const broken = refs.filter(({ ref }) => at(doc, ...pointer(ref)) === undefined);
      expect(broken).toEqual([]);
    });

    it('declares each variable of a path template as a required path parameter, and no other', () => {
      for (const route of routes) {
        // Arrange
        const variables = [...route.path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]);
        const pathParameters = parametersOf(route).filter((parameter) => parameter.in === 'path');

        // Assert
        expect(pathParameters.map((parameter) => parameter.name).sort(), routeName(route)).toEqual(
          variables.sort(),
        );
        for (const parameter of pathParameters) expect(parameter.required, routeName(route)).toBe(true);
      }
    });

    it('declares the query and header parameters of the route schemas', () => {
      for (const route of routes) {
        // Arrange
        const names = (location: string) =>
          parametersOf(route)
            .filter((parameter) => parameter.in === location)
            .map((parameter) => parameter.name)
            .sort();
        const keys = (schema: z.core.$ZodType | undefined) =>
          schema ? Object.keys(z.toJSONSchema(schema, { io: 'input' }).properties ?? {}).sort() : [];

        // Assert
        expect(names('query'), routeName(route)).toEqual(keys(route.query));
        expect(names('header'), routeName(route)).toEqual(keys(requestHeadersOf(route)));
        for (const parameter of parametersOf(route)) expect(parameter.schema, routeName(route)).toBeDefined();
      }
    });

    it('documents the request body of each route with its media type; CSV bodies with an example', () => {
      for (const route of routes) {
        // Arrange
        const body = deref(operation(route).requestBody);
        const bodyType = route.bodyType ?? 'application/json';

        // Assert
        if (!route.body) {
          expect(body, routeName(route)).toBeUndefined();
          continue;
        }
        expect(Object.keys(at(body, 'content') as Json), routeName(route)).toEqual(mediaTypesOf(route));
        expect(at(body, 'content', bodyType, 'schema'), routeName(route)).toBeDefined();
        if (bodyType === 'text/csv') {
          expect(typeof at(body, 'content', bodyType, 'example'), routeName(route)).toBe('string');
        }
      }
    });

    it('gives importSales a CSV example the sales import accepts', () => {
      // Arrange
      const importSales = routes.find((route) => route.operationId === 'importSales');
      if (!importSales) throw new Error('importSales is not in the route table');
      const example = at(operation(importSales), 'requestBody', 'content', 'text/csv', 'example');

      // Act
      const checked = checkSubmission(readSalesCsv(String(example)), 'EUR');

      // Assert
      expect(checked.issues).toEqual([]);
      expect(checked.sales.length).toBeGreaterThan(0);
    });

    it('offers a file picker for form uploads: the file part is a binary string of the text media type', () => {
      for (const route of routes.filter((candidate) => candidate.formFile)) {
        // Arrange
        const form = at(operation(route), 'requestBody', 'content', 'multipart/form-data') as Json;
        const field = String(route.formFile);

        // Assert
        expect(at(form, 'schema', 'required'), routeName(route)).toEqual([field]);
        expect(at(form, 'schema', 'properties', field), routeName(route)).toMatchObject({
          type: 'string',
          format: 'binary',
          contentMediaType: route.bodyType,
        });
      }
      expect(routes.some((route) => route.formFile)).toBe(true);
    });

    it('documents exactly the response codes of the route table, with their content types', () => {
      for (const route of routes) {
        // Arrange
        const responses = at(operation(route), 'responses') as Json;

        // Assert
        expect(Object.keys(responses).sort(), routeName(route)).toEqual(
          Object.keys(responsesOf(route)).sort(),
        );
        for (const [status, spec] of Object.entries(responsesOf(route))) {
          const response = deref(responses[status]);
          const where = `${routeName(route)} ${status}`;
          expect(at(response, 'description'), where).toBe(spec.description);
          if (status === '204' || status === '304')
            expect(spec.schema, `${where} has no body`).toBeUndefined();
          if (!spec.schema) {
            expect(at(response, 'content'), where).toBeUndefined();
            continue;
          }
          const contentType = spec.contentType ?? 'application/json';
          expect(Object.keys(at(response, 'content') as Json), where).toEqual([contentType]);
          expect(at(response, 'content', contentType, 'schema'), where).toBeDefined();
        }
      }
    });

    it('documents problem responses as application/problem+json', () => {
      // Arrange
      const problemTypes = routes.flatMap((route) =>
        Object.entries(responsesOf(route))
          .filter(([status]) => Number(status) >= 400)
          .map(([status]) => Object.keys(at(operation(route), 'responses', status, 'content') as Json)),
      );

      // Assert
      expect(problemTypes.length).toBeGreaterThan(0);
      expect(new Set(problemTypes.flat())).toEqual(new Set(['application/problem+json']));
    });

    it('derives the responses every route has, and those that follow from its method and body', () => {
      for (const route of routes) {
        // Arrange
        const statuses = Object.keys(at(operation(route), 'responses') as Json);
        const expected = ['400', '401', '403', '429'];
        if (route.method === 'GET') expected.push('304');
        if (route.method === 'PATCH') expected.push('412');
        if (route.body) expected.push('415');

        // Assert
        expect(statuses, routeName(route)).toEqual(expect.arrayContaining(expected));
        expect(statuses.includes('304'), routeName(route)).toBe(route.method === 'GET');
        expect(statuses.includes('412'), routeName(route)).toBe(route.method === 'PATCH');
        expect(statuses.includes('415'), routeName(route)).toBe(route.body !== undefined);
      }
    });

    it('lets every GET send If-None-Match and every PATCH If-Match', () => {
      for (const route of routes) {
        // Arrange
        const headers = parametersOf(route)
          .filter((parameter) => parameter.in === 'header')
          .map((parameter) => parameter.name);

        // Assert
        expect(headers.includes('if-none-match'), routeName(route)).toBe(route.method === 'GET');
        expect(headers.includes('if-match'), routeName(route)).toBe(route.method === 'PATCH');
      }
    });

    it('refuses parameters that are not an object schema', () => {
      // Arrange
      const broken: RouteSpec = {
        operationId: 'broken',
        method: 'GET',
        path: '/broken/{id}',
        fn: 'brand',
        access: 'read',
        summary: 'Broken',
        tag: { name: 'Broken', description: 'Broken' },
        params: z.string(),
        responses: { 200: { description: 'OK' } },
      };

      // Act & Assert
      expect(() => buildOpenApi([broken])).toThrow(
        'GET /broken/{id} params: parameters need an object schema',
      );
    });
  });

  describe('File: openapi.yaml', () => {
    it('is what the generator writes now (run `npm run openapi` after changing routes)', () => {
      // Act
      const committed = readFileSync(OPENAPI_FILE, 'utf8');

      // Assert
      expect(committed).toBe(toYaml(buildOpenApi(routeTable)));
    });
  });
});
