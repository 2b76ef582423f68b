/** Domain errors: free of HTTP and AWS; the HTTP layer maps them to problem+json in one place. */

export class NotFoundError extends Error {
  constructor(
    readonly entity: string,
    readonly id: string,
  ) {
    super(`${entity} ${id} does not exist`);
    this.name = 'NotFoundError';
  }
}

export class ConflictError extends Error {
  /** The conflicting fields, when the conflict is about specific items (e.g. externalIds already used). */
  readonly issues: FieldIssue[];

  constructor(message: string, options?: ErrorOptions & { issues?: FieldIssue[] }) {
    super(message, options);
    this.name = 'ConflictError';
    this.issues = options?.issues ?? [];
  }
}

export class PreconditionFailedError extends Error {
  constructor(message = 'The resource has changed since it was read (If-Match does not match its ETag)') {
    super(message);
    this.name = 'PreconditionFailedError';
  }
}

export class ForbiddenError extends Error {
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

/** Input that parsed but breaks a domain rule, or is malformed; `status` lets callers pick 400 or 422. */
export class ValidationError extends Error {
  constructor(
    message: string,
    readonly issues: FieldIssue[],
    readonly status: 400 | 422 = 400,
  ) {
    super(message);
    this.name = 'ValidationError';
  }
}

/** A dependency (database, table) is unavailable; safe to retry later. */
export class UnavailableError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'UnavailableError';
  }
}
