import * as z from 'zod/mini';
import { CountryCode } from '../shared/countries';
import { toFieldIssues } from '../shared/http/request';
import { Currency, Decimal, minorDigits } from '../shared/money';
import { checkDayOrder, documented, PageQuery, page, Timestamp, Uuid } from '../shared/schemas';

export const MAX_BATCH = 1000;

const SoldAt = documented(
  z
    .union([z.iso.datetime({ offset: true }), z.iso.date()], {
      error: 'must be an ISO 8601 date-time with offset (2025-03-01T10:00:00Z) or a date (2025-03-01)',
    })
    .check(
      z.refine((value) => value.slice(0, 4) >= '1900' && value.slice(0, 4) <= '2100', {
        error: 'must be in 1900-2100',
      }),
    ),
  { description: 'When the sale happened; counted on its UTC day', example: '2025-03-01T10:15:00+01:00' },
);

const UnitPrice = documented(
  z
    .string({ error: 'must be a decimal string, e.g. "24999.90"' })
    .check(z.regex(/^\d{1,15}(\.\d{1,4})?$/, { error: 'must be a decimal string ≥ 0, e.g. "24999.90"' })),
  { description: 'Price of one unit, exact decimal string', example: '24999.90', maxLength: 20 },
);

const saleFields = {
  modelId: Uuid,
  soldAt: SoldAt,
  quantity: z
    .number({ error: 'must be an integer ≥ 1' })
    .check(
      z.int({ error: 'must be an integer ≥ 1' }),
      z.gte(1, { error: 'must be an integer ≥ 1' }),
      z.lte(1_000_000, { error: 'must be at most 1000000' }),
    ),
  unitPrice: UnitPrice,
  currency: documented(z.optional(Currency), { description: 'Defaults to the reporting currency' }),
  country: z.optional(CountryCode),
  externalId: documented(
    z.optional(
      z.string().check(
        z.minLength(1, { error: 'must not be empty' }),
        z.maxLength(200, { error: 'must be at most 200 characters' }),
        z.refine((id) => !id.includes('\u0000'), { error: 'must not contain NUL characters' }),
      ),
    ),
    { description: 'Your own id; unique per client, so a resubmission never makes a second sale' },
  ),
};

/** A sale as submitted; the currency default is applied by the domain. */
export const SaleCreate = documented(z.strictObject(saleFields), { id: 'SaleCreate' });
export type SaleCreate = z.infer<typeof SaleCreate>;

export const SALE_FIELDS = Object.keys(saleFields) as (keyof typeof saleFields)[];

/** Checks what a field schema cannot see alone: unit price decimals against the currency's minor unit. */
export function checkMinorUnit(sale: SaleCreate, currency: string): string | undefined {
  const decimals = sale.unitPrice.split('.')[1]?.replace(/0+$/, '').length ?? 0;
  const allowed = minorDigits(currency);
  return decimals > allowed ? `has more decimals than ${currency} allows (${allowed})` : undefined;
}

export const Sale = documented(
  z.object({
    id: Uuid,
    modelId: Uuid,
    soldAt: Timestamp,
    saleDay: z.iso.date(),
    quantity: z.number().check(z.int()),
    unitPrice: Decimal,
    currency: Currency,
    country: z.nullable(CountryCode),
    externalId: z.nullable(z.string().check(z.maxLength(200))),
    submittedBy: documented(z.string().check(z.maxLength(128)), {
      description: 'The client id that submitted the sale',
    }),
    createdAt: Timestamp,
  }),
  { id: 'Sale' },
);
export type Sale = z.infer<typeof Sale>;

/**
 * A sale of a batch or a CSV row, parsed once: the sale, or every problem of the item (field relative to the
 * item). A batch answers 422 naming every bad item, so one bad item must not fail the parse of the whole body.
 * `modelId`/`externalId` are kept from a bad item when they are well-formed, so its other problems (an unknown
 * model, a repeated externalId) are reported in the same answer.
 */
export type SaleItem =
  | { sale: SaleCreate }
  | { problems: { field: string; message: string }[]; modelId?: string; externalId?: string };

export function parseSaleItem(input: unknown): SaleItem {
  const parsed = SaleCreate.safeParse(input, { reportInput: true });
  if (parsed.success) return { sale: parsed.data };
  const problems = parsed.error.issues
    .flatMap((issue) => toFieldIssues(issue, ''))
    .map(({ path, message }) => ({ field: path.replace(/^\./, '') || 'sale', message }));
  const fields = typeof input === 'object' && input !== null ? (input as Record<string, unknown>) : {};
  const modelId = saleFields.modelId.safeParse(fields.modelId);
  const externalId = saleFields.externalId.safeParse(fields.externalId);
  return {
    problems,
    ...(modelId.success ? { modelId: modelId.data } : {}),
    ...(externalId.success && externalId.data !== undefined ? { externalId: externalId.data } : {}),
  };
}

/** Documented as a SaleCreate; parsed leniently into a SaleItem. */
export const BatchSale = documented(z.pipe(z.unknown(), z.transform(parseSaleItem)), {
  override: { $ref: '#/components/schemas/SaleCreate' },
});

export const SaleBatch = documented(
  z.strictObject({
    sales: z
      .array(BatchSale)
      .check(
        z.minLength(1, { error: 'must hold 1 to 1000 sales' }),
        z.maxLength(MAX_BATCH, { error: 'must hold 1 to 1000 sales' }),
      ),
  }),
  { id: 'SaleBatch' },
);

export const SaleItems = documented(z.object({ items: z.array(Sale).check(z.maxLength(MAX_BATCH)) }), {
  id: 'SaleItems',
});
export const ImportResult = documented(z.object({ importedRows: z.number().check(z.int()) }), {
  id: 'ImportResult',
});

export const SaleParams = z.strictObject({ saleId: Uuid });
/** A day the database can compare with: PostgreSQL has no year 0, which ISO 8601 dates allow. */
const ListDay = z.iso
  .date({ error: 'must be a date YYYY-MM-DD' })
  .check(z.refine((day) => !day.startsWith('0000-'), { error: 'must be a date from 0001-01-01' }));
export const SaleListQuery = z
  .strictObject({
    ...PageQuery.shape,
    modelId: z.optional(Uuid),
    brandId: z.optional(Uuid),
    from: documented(z.optional(ListDay), { description: 'First UTC day, inclusive' }),
    to: documented(z.optional(ListDay), { description: 'Last UTC day, inclusive' }),
  })
  .check(z.superRefine(checkDayOrder));
export const SalePage = page(Sale, 'SalePage');

export const IdempotencyHeaders = z.object({
  'idempotency-key': documented(z.optional(z.string().check(z.minLength(1), z.maxLength(200))), {
    description: 'Retry-safe key: the same key and body return the first response without a second write',
  }),
});
