import { ConflictError, NotFoundError, PreconditionFailedError } from './errors';
import { ConstraintViolation, returnedRow, type Sql, type SqlParam } from './sql/port';

/** A catalog entity as its table stores it: a unique name (per table or per brand), timestamps. */
export interface CatalogRow {
  id: string;
  name: string;
}

export interface CatalogTableSpec<T extends CatalogRow> {
  table: 'brands' | 'models';
  /** The entity in errors: `Brand 0b4f… does not exist`. */
  entity: string;
  /** The SELECT list that reads a row as the API shows it. */
  columns: string;
  /** The column of each field a change may set. */
  writable: { [K in keyof T]?: string };
  /** The 409 detail when the name is taken. */
  nameTaken: (name: string) => string;
  /** The 409 detail when rows of another table still refer to the row. */
  inUse: string;
}

/** The SQL brands and models share: one row by id, a change under a precondition (If-Match), a guarded delete. */
export class CatalogTable<T extends CatalogRow> {
  constructor(
    private readonly sql: Sql,
    private readonly spec: CatalogTableSpec<T>,
  ) {}

  async get(id: string): Promise<T> {
    return this.read(this.sql, id, '');
  }

  /**
   * Applies `change` (the writable fields, computed from the current row) if `precondition` accepts the current
   * row; a change that changes nothing writes nothing.
   */
  async update(
    id: string,
    precondition: (current: T) => boolean,
    change: (current: T) => { [K in keyof T]?: T[K] & SqlParam },
  ): Promise<T> {
    const { table, columns, writable } = this.spec;
    return this.sql.transaction(async (tx) => {
      const current = await this.read(tx, id, 'FOR UPDATE');
      if (!precondition(current)) throw new PreconditionFailedError();
      const next = change(current);
      const fields = (Object.keys(next) as (keyof T & string)[]).filter(
        (field) => next[field] !== current[field],
      );
      if (fields.length === 0) return current;
      const assignments = fields.map((field) => `${writable[field] ?? field} = :${field}`);
      const { rows } = await tx
        .query<T>(
          `UPDATE ${table} SET ${assignments.join(', ')}, updated_at = now() WHERE id = :id::uuid RETURNING ${columns}`,
          { ...(next as Record<string, SqlParam>), id },
        )
        .catch(this.rethrowNameTaken(next.name ?? current.name));
      return returnedRow(rows);
    });
  }

  /** Deletes the row; refused with a conflict while other rows refer to it. */
  async delete(id: string): Promise<void> {
    const { affected } = await this.sql
      .query(`DELETE FROM ${this.spec.table} WHERE id = :id::uuid`, { id })
      .catch((error: unknown) => {
        if (error instanceof ConstraintViolation && error.kind === 'foreign-key') {
          throw new ConflictError(this.spec.inUse, { cause: error });
        }
        throw error;
      });
    if (affected === 0) throw new NotFoundError(this.spec.entity, id);
  }

  /** A write's error handler: a unique violation is the name taken (409), anything else goes on. */
  rethrowNameTaken(name: string) {
    return (error: unknown): never => {
      if (error instanceof ConstraintViolation && error.kind === 'unique') {
        throw new ConflictError(this.spec.nameTaken(name), { cause: error });
      }
      throw error;
    };
  }

  private async read(sql: Sql, id: string, lock: '' | 'FOR UPDATE'): Promise<T> {
    const { rows } = await sql.query<T>(
      `SELECT ${this.spec.columns} FROM ${this.spec.table} WHERE id = :id::uuid ${lock}`,
      { id },
    );
    const row = rows[0];
    if (!row) throw new NotFoundError(this.spec.entity, id);
    return row;
  }
}
