import { CatalogTable } from '../shared/catalog-table';
import { type Page, toPage } from '../shared/pagination';
import { returnedRow } from '../shared/sql/port';
import type { Brand, BrandCreate, BrandPatch } from './schemas';

const COLUMNS = `id, name, country, created_at AS "createdAt", updated_at AS "updatedAt"`;
type BrandRow = Brand & { sortKey: string };

/** Brands use cases over the SQL port: a create and a list of their own, the rest the catalog table's. */
export class Brands extends CatalogTable<Brand> {
  protected readonly spec = { table: 'brands', columns: COLUMNS } as const;

  async create(input: BrandCreate): Promise<Brand> {
    const { rows } = await this.sql
      .query<Brand>(`INSERT INTO brands (name, country) VALUES (:name, :country) RETURNING ${COLUMNS}`, {
        name: input.name,
        country: input.country ?? null,
      })
      .catch(this.rethrowNameTaken(input.name));
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

  /** Applies a partial change; `precondition` sees the current brand first (for If-Match). */
  update(id: string, patch: BrandPatch, precondition: (current: Brand) => boolean): Promise<Brand> {
    return this.change(id, precondition, (current) => ({
      name: patch.name ?? current.name,
      country: patch.country === undefined ? current.country : patch.country,
    }));
  }
}
