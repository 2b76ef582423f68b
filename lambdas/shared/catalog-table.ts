import { ConflictError, NotFoundError, PreconditionFailedError } from './errors';
import type { CursorCodec } from './pagination';
import { ConstraintViolation, returnedRow, type Sql, type SqlParam } from './sql/port';

/** A catalog entity as its table stores it: a unique name (per table or per brand), timestamps. */
export interface CatalogRow {
  id: string;
  name: string;
}

/** The catalog's tables, and what their conflicts say in the API's problem details. */
const TABLES = {
  brands: {
    entity: 'Brand',
    nameTaken: (name: string) => `A brand named "${name}" already exists`,
    inUse: 'The brand still has models; delete them first',
  },
  models: {
    entity: 'Model',
    nameTaken: (name: string) => `The brand already has a model named "${name}"`,
    inUse: 'The model still has sales; delete them first',
  },
};

/** A field's column: `launchYear` is `launch_year`. */
const columnOf = (field: string) => field.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);

/**
 * What brands and models share over the SQL port: one row by id, a change under a precondition (If-Match), a
 * delete refused while other rows refer to the row, and the 409 of a taken name. Each entity adds its create and
 * its list.
 */
export abstract class CatalogTable<T extends CatalogRow> {
  /** The table, and the SELECT list that reads a row as the API shows it. */
  protected abstract readonly spec: { table: keyof typeof TABLES; columns: string };

  constructor(
    protected readonly sql: Sql,
    protected readonly cursors: CursorCodec,
  ) {}

  get(id: string): Promise<T> {
    return this.read(this.sql, id, '');
  }

  /**
   * Applies `change` (the fields to set, computed from the current row) if `precondition` accepts the current
   * row; a change that changes nothing writes nothing.
   */
  protected async change(
    id: string,
    precondition: (current: T) => boolean,
    change: (current: T) => { [K in keyof T]?: T[K] & SqlParam },
  ): Promise<T> {
    const { table, columns } = this.spec;
    return this.sql.transaction(async (tx) => {
      const current = await this.read(tx, id, 'FOR UPDATE');
      if (!precondition(current)) throw new PreconditionFailedError();
      const next = change(current);
      const fields = (Object.keys(next) as (keyof T & string)[]).filter(
        (field) => next[field] !== current[field],
      );
      if (fields.length === 0) return current;
      const assignments = fields.map((field) => `${columnOf(field)} = :${field}`);
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
          throw new ConflictError(TABLES[this.spec.table].inUse, { cause: error });
        }
        throw error;
      });
    if (affected === 0) throw new NotFoundError(TABLES[this.spec.table].entity, id);
  }

  /** A write's error handler: a unique violation is the name taken (409), anything else goes on. */
  protected rethrowNameTaken(name: string) {
    return (error: unknown): never => {
      if (error instanceof ConstraintViolation && error.kind === 'unique') {
        throw new ConflictError(TABLES[this.spec.table].nameTaken(name), { cause: error });
      }
      throw error;
    };
  }

  private async read(sql: Sql, id: string, lock: '' | 'FOR UPDATE'): Promise<T> {
    const { table, columns } = this.spec;
    const { rows } = await sql.query<T>(`SELECT ${columns} FROM ${table} WHERE id = :id::uuid ${lock}`, {
      id,
    });
    const row = rows[0];
    if (!row) throw new NotFoundError(TABLES[table].entity, id);
    return row;
  }
}
