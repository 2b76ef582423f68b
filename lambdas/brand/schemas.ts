import * as z from 'zod';
import { CountryCode, NameText, PageQuery, page, Timestamp, Uuid } from '../shared/schemas';

const BrandName = z
  .string()
  .trim()
  .min(1, { error: 'must not be empty' })
  .max(100, { error: 'must be at most 100 characters' })
  .refine((name) => !name.includes('\u0000'), { error: 'must not contain NUL characters' })
  .meta({ description: 'Unique (case-insensitively), trimmed', example: 'Volkswagen' });

export const Brand = z
  .object({
    id: Uuid,
    name: NameText,
    country: CountryCode.nullable(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .meta({ id: 'Brand' });
export type Brand = z.infer<typeof Brand>;

export const BrandCreate = z
  .strictObject({ name: BrandName, country: CountryCode.optional() })
  .meta({ id: 'BrandCreate' });
export type BrandCreate = z.infer<typeof BrandCreate>;

export const BrandPatch = z
  .strictObject({ name: BrandName.optional(), country: CountryCode.nullable().optional() })
  .meta({ id: 'BrandPatch' });
export type BrandPatch = z.infer<typeof BrandPatch>;

export const BrandParams = z.strictObject({ brandId: Uuid });
export const BrandListQuery = PageQuery;
export const BrandPage = page(Brand).meta({ id: 'BrandPage' });
