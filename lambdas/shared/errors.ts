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
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ConflictError';
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
