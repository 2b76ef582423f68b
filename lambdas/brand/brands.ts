import { ConflictError, NotFoundError, PreconditionFailedError } from '../shared/errors';
import { type CursorCodec, type Page, toPage } from '../shared/pagination';
import { ConstraintViolation, returnedRow, type Sql } from '../shared/sql/port';
import type { Brand, BrandCreate, BrandPatch } from './schemas';

const COLUMNS = `id, name, country, created_at AS "createdAt", updated_at AS "updatedAt"`;
type BrandRow = Brand & { sortKey: string };

/** Brands use cases over the SQL port. */
export class Brands {
  constructor(
    private readonly sql: Sql,
    private readonly cursors: CursorCodec,
  ) {}

  async create(input: BrandCreate): Promise<Brand> {
    const { rows } = await this.sql
      .query<Brand>(`INSERT INTO brands (name, country) VALUES (:name, :country) RETURNING ${COLUMNS}`, {
        name: input.name,
        country: input.country ?? null,
      })
      .catch(rethrowNameTaken(input.name));
    return returnedRow(rows);
  }

  /** Brands ordered by name, case-insensitively; the cursor is the last name seen. */
  async list(limit: number, cursor?: string): Promise<Page<Brand>> {
    const after = cursor ? this.cursors.decode(cursor, 'brands')[0] : undefined;
    const { rows } = await this.sql.query<BrandRow>(
      `SELECT ${COLUMNS}, lower(name) AS "sortKey" FROM brands
       ${after === undefined ? '' : 'WHERE lower(name) > :after'}
       ORDER BY lower(name) LIMIT :take`,
      { take: limit + 1, ...(after === undefined ? {} : { after }) },
    );
    const page = toPage(rows, limit, (row) => [row.sortKey], this.cursors, 'brands');
    return { ...page, items: page.items.map(({ sortKey: _, ...brand }) => brand) };
  }

  async get(id: string): Promise<Brand> {
    const { rows } = await this.sql.query<Brand>(`SELECT ${COLUMNS} FROM brands WHERE id = :id::uuid`, {
      id,
    });
    const brand = rows[0];
    if (!brand) throw new NotFoundError('Brand', id);
    return brand;
  }

  /** Applies a partial change; `precondition` sees the current brand first (for If-Match). */
  async update(id: string, patch: BrandPatch, precondition: (current: Brand) => boolean): Promise<Brand> {
    return this.sql.transaction(async (tx) => {
      const { rows } = await tx.query<Brand>(
        `SELECT ${COLUMNS} FROM brands WHERE id = :id::uuid FOR UPDATE`,
        { id },
      );
      const current = rows[0];
      if (!current) throw new NotFoundError('Brand', id);
      if (!precondition(current)) throw new PreconditionFailedError();
      const next = {
        name: patch.name ?? current.name,
        country: patch.country === undefined ? current.country : patch.country,
      };
      if (next.name === current.name && next.country === current.country) return current;
      const updated = await tx
        .query<Brand>(
          `UPDATE brands SET name = :name, country = :country, updated_at = now() WHERE id = :id::uuid RETURNING ${COLUMNS}`,
          { id, ...next },
        )
        .catch(rethrowNameTaken(next.name));
      return returnedRow(updated.rows);
    });
  }

  async delete(id: string): Promise<void> {
    const { affected } = await this.sql
      .query('DELETE FROM brands WHERE id = :id::uuid', { id })
      .catch((error: unknown) => {
        if (error instanceof ConstraintViolation && error.kind === 'foreign-key') {
          throw new ConflictError('The brand still has models; delete them first', { cause: error });
        }
        throw error;
      });
    if (affected === 0) throw new NotFoundError('Brand', id);
  }
}

function rethrowNameTaken(name: string) {
  return (error: unknown): never => {
    if (error instanceof ConstraintViolation && error.kind === 'unique') {
      throw new ConflictError(`A brand named "${name}" already exists`, { cause: error });
    }
    throw error;
  };
}
