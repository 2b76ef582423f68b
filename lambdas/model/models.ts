import { CatalogTable } from '../shared/catalog-table';
import { ValidationError } from '../shared/errors';
import { type Page, toPage } from '../shared/pagination';
import { ConstraintViolation, returnedRow } from '../shared/sql/port';
import type { Model, ModelCreate, ModelPatch } from './schemas';

const COLUMNS = `id, brand_id AS "brandId", name, body_type AS "bodyType", launch_year AS "launchYear",
  created_at AS "createdAt", updated_at AS "updatedAt"`;
type ModelRow = Model & { sortKey: string };

/** Models use cases over the SQL port: a create and a list of their own, the rest the catalog table's. */
export class Models extends CatalogTable<Model> {
  protected readonly spec = { table: 'models', columns: COLUMNS } as const;

  async create(input: ModelCreate): Promise<Model> {
    const { rows } = await this.sql
      .query<Model>(
        `INSERT INTO models (brand_id, name, body_type, launch_year)
         VALUES (:brandId::uuid, :name, :bodyType, :launchYear) RETURNING ${COLUMNS}`,
        {
          brandId: input.brandId,
          name: input.name,
          bodyType: input.bodyType ?? null,
          launchYear: input.launchYear ?? null,
        },
      )
      .catch((error: unknown) => {
        if (error instanceof ConstraintViolation && error.kind === 'foreign-key') {
          throw new ValidationError(
            'The model refers to a brand that does not exist',
            [{ path: 'body.brandId', message: 'no brand has this id' }],
            'unprocessable',
          );
        }
        return this.rethrowNameTaken(input.name)(error);
      });
    return returnedRow(rows);
  }

  /** Models ordered by name (case-insensitively, then id), optionally of one brand. */
  async list(limit: number, cursor?: string, brandId?: string): Promise<Page<Model>> {
    const scope = `models:${brandId ?? '*'}`;
    const after = cursor ? this.cursors.decode(cursor, scope) : undefined;
    const where = [
      brandId === undefined ? '' : 'brand_id = :brandId::uuid',
      after === undefined ? '' : '(lower(name), id) > (:afterName, :afterId::uuid)',
    ].filter(Boolean);
    const { rows } = await this.sql.query<ModelRow>(
      `SELECT ${COLUMNS}, lower(name) AS "sortKey" FROM models
       ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY lower(name), id LIMIT :take`,
      {
        take: limit + 1,
        ...(brandId === undefined ? {} : { brandId }),
        ...(after === undefined ? {} : { afterName: after[0] ?? '', afterId: after[1] ?? '' }),
      },
    );
    const page = toPage(rows, limit, (row) => [row.sortKey, row.id], this.cursors, scope);
    return { ...page, items: page.items.map(({ sortKey: _, ...model }) => model) };
  }

  /** Applies a partial change; `precondition` sees the current model first (for If-Match). */
  update(id: string, patch: ModelPatch, precondition: (current: Model) => boolean): Promise<Model> {
    return this.change(id, precondition, (current) => ({
      name: patch.name ?? current.name,
      bodyType: patch.bodyType === undefined ? current.bodyType : patch.bodyType,
      launchYear: patch.launchYear === undefined ? current.launchYear : patch.launchYear,
    }));
  }
}
