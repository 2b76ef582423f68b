/**
 * Domain errors: free of HTTP and AWS. Each carries a `kind` saying what went wrong in domain terms; the HTTP
 * layer (lambdas/shared/http/error-mapping.ts) turns kinds into statuses in one place.
 */

export type ErrorKind =
  /** The input is malformed: a wrong type, a missing field, an unknown field. */
  | 'malformed'
  /** The input is well-formed but breaks a rule (a currency's minor unit, a model that does not exist). */
  | 'unprocessable'
  | 'not-found'
  /** The change conflicts with the current state (a name or externalId taken, a concurrent change). */
  | 'conflict'
  /** The caller's view of the resource is stale (If-Match). */
  | 'stale-precondition'
  | 'forbidden'
  /** A dependency (database, table) is unavailable; safe to retry later. */
  | 'unavailable';

export abstract class DomainError extends Error {
  abstract readonly kind: ErrorKind;
}

export class NotFoundError extends DomainError {
  readonly kind = 'not-found';

  constructor(
    readonly entity: string,
    readonly id: string,
  ) {
    super(`${entity} ${id} does not exist`);
    this.name = 'NotFoundError';
  }
}

export class ConflictError extends DomainError {
  readonly kind = 'conflict';
  /** The conflicting fields, when the conflict is about specific items (e.g. externalIds already used). */
  readonly issues: FieldIssue[];

  constructor(message: string, options?: ErrorOptions & { issues?: FieldIssue[] }) {
    super(message, options);
    this.name = 'ConflictError';
    this.issues = options?.issues ?? [];
  }
}

export class PreconditionFailedError extends DomainError {
  readonly kind = 'stale-precondition';

  constructor(message = 'The resource has changed since it was read (If-Match does not match its ETag)') {
    super(message);
    this.name = 'PreconditionFailedError';
  }
}

export class ForbiddenError extends DomainError {
  readonly kind = 'forbidden';

  constructor(message: string) {
    super(message);
    this.name = 'ForbiddenError';
  }
}

export interface FieldIssue {
  /** Where the problem is: `body.name`, `query.limit`, `sales[3].unitPrice`, `line 7: unitPrice`. */
  path: string;
  message: string;
  /** CSV imports: the 1-based line of the file and the column. */
  line?: number;
  column?: string;
  /** Batches: the index of the item. */
  index?: number;
  /** Conflicts: the sale that already holds this externalId. */
  existingSaleId?: string;
}

/** Input that is malformed, or well-formed but breaking a domain rule; lists every offending field. */
export class ValidationError extends DomainError {
  constructor(
    message: string,
    readonly issues: FieldIssue[],
    readonly kind: 'malformed' | 'unprocessable' = 'malformed',
  ) {
    super(message);
    this.name = 'ValidationError';
  }
}

export class UnavailableError extends DomainError {
  readonly kind = 'unavailable';

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'UnavailableError';
  }
}
