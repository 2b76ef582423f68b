import * as z from 'zod/mini';
import { documented, NameText, nameInput, PageQuery, page, Timestamp, Uuid } from '../shared/schemas';

export const BODY_TYPES = [
  'sedan',
  'hatchback',
  'suv',
  'crossover',
  'coupe',
  'convertible',
  'wagon',
  'pickup',
  'van',
  'minivan',
  'roadster',
] as const;

const ModelName = nameInput('Unique within its brand (case-insensitively), trimmed', 'Golf');

const YEAR_ERROR = 'must be an integer year';
const LaunchYear = z
  .number({ error: YEAR_ERROR })
  .check(
    z.int({ error: YEAR_ERROR }),
    z.gte(1886, { error: 'must be 1886 or later' }),
    z.lte(2100, { error: 'must be 2100 or earlier' }),
  );

const BodyType = z.enum(BODY_TYPES, { error: `must be one of ${BODY_TYPES.join(', ')}` });

export const Model = documented(
  z.object({
    id: Uuid,
    brandId: Uuid,
    name: NameText,
    bodyType: z.nullable(BodyType),
    launchYear: z.nullable(z.number().check(z.int())),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  }),
  { id: 'Model' },
);
export type Model = z.infer<typeof Model>;

export const ModelCreate = documented(
  z.strictObject({
    brandId: Uuid,
    name: ModelName,
    bodyType: z.optional(BodyType),
    launchYear: z.optional(LaunchYear),
  }),
  { id: 'ModelCreate' },
);
export type ModelCreate = z.infer<typeof ModelCreate>;

export const ModelPatch = documented(
  z.strictObject({
    name: z.optional(ModelName),
    bodyType: z.optional(z.nullable(BodyType)),
    launchYear: z.optional(z.nullable(LaunchYear)),
  }),
  { id: 'ModelPatch' },
);
export type ModelPatch = z.infer<typeof ModelPatch>;

export const ModelParams = z.strictObject({ modelId: Uuid });
export const ModelListQuery = z.strictObject({
  ...PageQuery.shape,
  brandId: documented(z.optional(Uuid), { description: 'Only the models of this brand' }),
});
export const ModelPage = page(Model, 'ModelPage');
