import * as z from 'zod';
import { NameText, PageQuery, page, Timestamp, Uuid } from '../shared/schemas';

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

const ModelName = z
  .string()
  .trim()
  .min(1, { error: 'must not be empty' })
  .max(100, { error: 'must be at most 100 characters' })
  .refine((name) => !name.includes('\u0000'), { error: 'must not contain NUL characters' })
  .meta({ description: 'Unique within its brand (case-insensitively), trimmed', example: 'Golf' });

const LaunchYear = z
  .number({ error: 'must be an integer year' })
  .int({ error: 'must be an integer year' })
  .min(1886, { error: 'must be 1886 or later' })
  .max(2100, { error: 'must be 2100 or earlier' });

const BodyType = z.enum(BODY_TYPES, { error: `must be one of ${BODY_TYPES.join(', ')}` });

export const Model = z
  .object({
    id: Uuid,
    brandId: Uuid,
    name: NameText,
    bodyType: BodyType.nullable(),
    launchYear: z.number().int().nullable(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .meta({ id: 'Model' });
export type Model = z.infer<typeof Model>;

export const ModelCreate = z
  .strictObject({
    brandId: Uuid,
    name: ModelName,
    bodyType: BodyType.optional(),
    launchYear: LaunchYear.optional(),
  })
  .meta({ id: 'ModelCreate' });
export type ModelCreate = z.infer<typeof ModelCreate>;

export const ModelPatch = z
  .strictObject({
    name: ModelName.optional(),
    bodyType: BodyType.nullable().optional(),
    launchYear: LaunchYear.nullable().optional(),
  })
  .meta({ id: 'ModelPatch' });
export type ModelPatch = z.infer<typeof ModelPatch>;

export const ModelParams = z.strictObject({ modelId: Uuid });
export const ModelListQuery = PageQuery.extend({
  brandId: Uuid.optional().meta({ description: 'Only the models of this brand' }),
});
export const ModelPage = page(Model).meta({ id: 'ModelPage' });
