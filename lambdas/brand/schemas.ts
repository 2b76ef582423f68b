import * as z from 'zod/mini';
import { CountryCode } from '../shared/countries';
import { documented, NameText, nameInput, PageQuery, page, Timestamp, Uuid } from '../shared/schemas';

const BrandName = nameInput('Unique (case-insensitively), trimmed', 'Volkswagen');

export const Brand = documented(
  z.object({
    id: Uuid,
    name: NameText,
    country: z.nullable(CountryCode),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  }),
  { id: 'Brand' },
);
export type Brand = z.infer<typeof Brand>;

export const BrandCreate = documented(z.strictObject({ name: BrandName, country: z.optional(CountryCode) }), {
  id: 'BrandCreate',
});
export type BrandCreate = z.infer<typeof BrandCreate>;

export const BrandPatch = documented(
  z.strictObject({ name: z.optional(BrandName), country: z.optional(z.nullable(CountryCode)) }),
  { id: 'BrandPatch' },
);
export type BrandPatch = z.infer<typeof BrandPatch>;

export const BrandParams = z.strictObject({ brandId: Uuid });
export const BrandListQuery = PageQuery;
export const BrandPage = page(Brand, 'BrandPage');
