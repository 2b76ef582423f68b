import { ConflictError, NotFoundError, PreconditionFailedError, ValidationError } from '../shared/errors';
import { type CursorCodec, type Page, toPage } from '../shared/pagination';
import { ConstraintViolation, returnedRow, type Sql } from '../shared/sql/port';
import type { Model, ModelCreate, ModelPatch } from './schemas';

const COLUMNS = `id, brand_id AS "brandId", name, body_type AS "bodyType", launch_year AS "launchYear",
  created_at AS "createdAt", updated_at AS "updatedAt"`;
type ModelRow = Model & { sortKey: string };

/** Models use cases over the SQL port. */
export class Models {
  constructor(
    private readonly sql: Sql,
    private readonly cursors: CursorCodec,
  ) {}

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
        return rethrowNameTaken(input.name)(error);
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

  async get(id: string): Promise<Model> {
    const { rows } = await this.sql.query<Model>(`SELECT ${COLUMNS} FROM models WHERE id = :id::uuid`, {
      id,
    });
    const model = rows[0];
    if (!model) throw new NotFoundError('Model', id);
    return model;
  }

  /** Applies a partial change; `precondition` sees the current model first (for If-Match). */
  async update(id: string, patch: ModelPatch, precondition: (current: Model) => boolean): Promise<Model> {
    return this.sql.transaction(async (tx) => {
      const { rows } = await tx.query<Model>(
        `SELECT ${COLUMNS} FROM models WHERE id = :id::uuid FOR UPDATE`,
        { id },
      );
      const current = rows[0];
      if (!current) throw new NotFoundError('Model', id);
      if (!precondition(current)) throw new PreconditionFailedError();
      const next = {
        name: patch.name ?? current.name,
        bodyType: patch.bodyType === undefined ? current.bodyType : patch.bodyType,
        launchYear: patch.launchYear === undefined ? current.launchYear : patch.launchYear,
      };
      if (
        next.name === current.name &&
        next.bodyType === current.bodyType &&
        next.launchYear === current.launchYear
      ) {
        return current;
      }
      const updated = await tx
        .query<Model>(
          `UPDATE models SET name = :name, body_type = :bodyType, launch_year = :launchYear, updated_at = now()
           WHERE id = :id::uuid RETURNING ${COLUMNS}`,
          { id, ...next },
        )
        .catch(rethrowNameTaken(next.name));
      return returnedRow(updated.rows);
    });
  }

  async delete(id: string): Promise<void> {
    const { affected } = await this.sql
      .query('DELETE FROM models WHERE id = :id::uuid', { id })
      .catch((error: unknown) => {
        if (error instanceof ConstraintViolation && error.kind === 'foreign-key') {
          throw new ConflictError('The model still has sales; delete them first', { cause: error });
        }
        throw error;
      });
    if (affected === 0) throw new NotFoundError('Model', id);
  }
}

function rethrowNameTaken(name: string) {
  return (error: unknown): never => {
    if (error instanceof ConstraintViolation && error.kind === 'unique') {
      throw new ConflictError(`The brand already has a model named "${name}"`, { cause: error });
    }
    throw error;
  };
}
