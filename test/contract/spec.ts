/**
 * openapi.yaml as a partner's validator reads it: every response checked against the operation it answers
 * (status, content type, headers, body) with ajv and JSON Schema 2020-12, the dialect of OpenAPI 3.1.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';

type Json = Record<string, unknown>;

export interface Operation {
  operationId: string;
  method: string;
  /** Path template, e.g. `/brands/{brandId}`. */
  path: string;
  pattern: RegExp;
  literalSegments: number;
  responses: Json;
}

export interface Exchange {
  method: string;
  /** Path with query, as sent. */
  url: string;
  status: number;
  headers: Headers;
  text: string;
}

const SPEC_ID = 'https://car-sales.example.com/openapi.yaml';
const pointer = (...parts: string[]) =>
  `${SPEC_ID}#/${parts.map((part) => part.replaceAll('~', '~0').replaceAll('/', '~1')).join('/')}`;

export function loadSpec(file = join(__dirname, '..', '..', 'openapi.yaml')) {
  const document = parse(readFileSync(file, 'utf8')) as Json;
  // strict off: the document's own keywords (openapi, paths, example) are not JSON Schema vocabulary.
  const ajv = new Ajv2020({ strict: false, allErrors: true, coerceTypes: false });
  addFormats(ajv);
  ajv.addSchema({ ...document, $id: SPEC_ID });
  const headerAjv = new Ajv2020({ strict: false, allErrors: true, coerceTypes: true });
  addFormats(headerAjv);
  headerAjv.addSchema({ ...document, $id: SPEC_ID });
  const compiled = new Map<string, ValidateFunction>();
  const validator = (engine: Ajv2020, ref: string) => {
    const key = `${engine === ajv ? 'body' : 'header'} ${ref}`;
    let validate = compiled.get(key);
    if (!validate) {
      validate = engine.compile({ $ref: ref });
      compiled.set(key, validate);
    }
    return validate;
  };

  const operations: Operation[] = [];
  for (const [path, item] of Object.entries(document.paths as Json)) {
    for (const [method, operation] of Object.entries(item as Json)) {
      const { operationId, responses } = operation as { operationId: string; responses: Json };
      const segments = path.split('/').slice(1);
      const source = segments.map((segment) => (segment.startsWith('{') ? '[^/]+' : segment)).join('/');
      operations.push({
        operationId,
        method: method.toUpperCase(),
        path,
        pattern: new RegExp(`^/${source}$`),
        literalSegments: segments.filter((segment) => !segment.startsWith('{')).length,
        responses,
      });
    }
  }
  operations.sort((a, b) => b.literalSegments - a.literalSegments);

  const resolve = (value: unknown): Json => {
    const ref = (value as Json | undefined)?.$ref;
    if (typeof ref !== 'string') return value as Json;
    return ref
      .slice(2)
      .split('/')
      .reduce<unknown>(
        (node, part) => (node as Json)[part.replaceAll('~1', '/').replaceAll('~0', '~')],
        document,
      ) as Json;
  };

  /** The operation a request went to, as API Gateway would route it. */
  function operationOf(method: string, url: string): Operation {
    const pathname = new URL(url, 'http://spec').pathname;
    const found = operations.find((op) => op.method === method && op.pattern.test(pathname));
    if (!found) throw new Error(`No operation in openapi.yaml for ${method} ${pathname}`);
    return found;
  }

  /** Everything about a response that breaks the spec; empty when it conforms. */
  function violations(exchange: Exchange): string[] {
    const op = operationOf(exchange.method, exchange.url);
    const where = `${op.method} ${op.path} → ${exchange.status}`;
    const status = String(exchange.status);
    const key = [status, `${status[0]}XX`, 'default'].find((candidate) => candidate in op.responses);
    const declared = key === undefined ? undefined : op.responses[key];
    if (key === undefined || !declared) {
      return [`${where}: status not declared (declared: ${Object.keys(op.responses).join(', ')})`];
    }
    const responsePath = ['paths', op.path, op.method.toLowerCase(), 'responses', key];
    const response = resolve(declared);
    const problems: string[] = [];

    for (const [name, header] of Object.entries((response.headers ?? {}) as Json)) {
      const definition = resolve(header);
      const value = exchange.headers.get(name);
      if (value === null) {
        if (definition.required === true) problems.push(`${where}: required header ${name} is missing`);
        continue;
      }
      const ref = (header as Json).$ref;
      const schemaRef =
        typeof ref === 'string'
          ? `${SPEC_ID}${ref}/schema`
          : pointer(...responsePath, 'headers', name, 'schema');
      const validate = validator(headerAjv, schemaRef);
      if (!validate(value))
        problems.push(`${where}: header ${name}=${value}: ${headerAjv.errorsText(validate.errors)}`);
    }

    const content = response.content as Json | undefined;
    const contentType = exchange.headers.get('content-type')?.split(';')[0]?.trim();
    if (!content) {
      if (exchange.text !== '')
        problems.push(`${where}: declares no body but got ${exchange.text.slice(0, 80)}`);
      return problems;
    }
    if (!contentType || !(contentType in content)) {
      return [
        ...problems,
        `${where}: content type ${contentType} not declared (${Object.keys(content).join(', ')})`,
      ];
    }
    let body: unknown;
    try {
      body = JSON.parse(exchange.text);
    } catch {
      return [...problems, `${where}: body is not JSON: ${exchange.text.slice(0, 80)}`];
    }
    const validate = validator(ajv, pointer(...responsePath, 'content', contentType, 'schema'));
    if (!validate(body)) {
      problems.push(`${where}: body ${ajv.errorsText(validate.errors)}: ${exchange.text.slice(0, 300)}`);
    }
    return problems;
  }

  return { document, operations, operationOf, violations };
}

export type Spec = ReturnType<typeof loadSpec>;
