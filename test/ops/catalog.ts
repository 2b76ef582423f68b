/** A fresh brand with one model, over HTTP, and a sale of it on `soldAt`. Imports vitest: test files only. */
import type { ApiClient } from '../../client';
import { expectData } from '../support/api';

export async function brandWithModel(admin: ApiClient, brandName: string, soldAt: string) {
  const brand = expectData(await admin.POST('/brands', { body: { name: brandName } }), 201);
  const model = expectData(
    await admin.POST('/models', { body: { brandId: brand.id, name: 'Model 1' } }),
    201,
  );
  return { brand, model, sale: { modelId: model.id, soldAt, quantity: 1, unitPrice: '10.00' } };
}
