import * as z from 'zod';
import { Brand, BrandCreate, BrandListQuery, BrandPage, BrandParams, BrandPatch } from './brand/schemas';
import { Model, ModelCreate, ModelListQuery, ModelPage, ModelParams, ModelPatch } from './model/schemas';
import {
  Partner,
  PartnerCreate,
  PartnerCreated,
  PartnerListQuery,
  PartnerPage,
  PartnerParams,
  PartnerUpdate,
} from './partner/schemas';
import { IngestionAccepted, IngestionParams, IngestionStatus, SaleEvents } from './sales/events-schemas';
import {
  IdempotencyHeaders,
  ImportResult,
  Sale,
  SaleBatch,
  SaleCreate,
  SaleItems,
  SaleListQuery,
  SalePage,
  SaleParams,
} from './sales/schemas';
import { entityRoutes, MAX_PAYLOAD_BYTES, problem, type RouteSpec, type Tag } from './shared/route';
import {
  BrandStats,
  BrandStatsParams,
  DailyRevenue,
  ModelSales,
  ModelSalesQuery,
  RevenueStats,
  StatsRangeQuery,
  TopModels,
  TopModelsQuery,
} from './stats/schemas';

const TAGS = {
  brands: { name: 'Brands', description: 'Car brands (makers): the top of the catalog' },
  models: { name: 'Models', description: 'Car models, each of one brand' },
  sales: {
    name: 'Sales',
    description: 'Sales of models: single, in batches or imported from CSV, and per period',
  },
  stats: { name: 'Stats', description: 'Revenue, orders and units over UTC days, rankings and brand totals' },
  partners: {
    name: 'Partners',
    description: 'Onboarding of partners (admin): app clients, API keys and their tier of limits',
  },
} as const satisfies Record<string, Tag>;

/**
 * The single source of truth for the API: drives the CDK routes, the local gateway and openapi.yaml. Each entry
 * states what is its own; the common responses, 304/412/415 and the conditional headers follow from its shape
 * (lambdas/shared/route.ts).
 */
export const routes = [
  ...entityRoutes('brand', TAGS.brands, {
    createBrand: {
      method: 'POST',
      path: '/brands',
      access: 'write',
      summary: 'Create a brand',
      body: BrandCreate,
      responses: {
        201: { description: 'Created', schema: Brand, headers: ['Location'] },
        409: problem('Name taken'),
      },
    },
    listBrands: {
      method: 'GET',
      path: '/brands',
      access: 'read',
      summary: 'List brands by name (keyset pagination)',
      query: BrandListQuery,
      responses: { 200: { description: 'A page of brands', schema: BrandPage } },
    },
    getBrand: {
      method: 'GET',
      path: '/brands/{brandId}',
      access: 'read',
      summary: 'Get a brand',
      params: BrandParams,
      responses: { 200: { description: 'The brand', schema: Brand }, 404: problem('No such brand') },
    },
    updateBrand: {
      method: 'PATCH',
      path: '/brands/{brandId}',
      access: 'write',
      summary: 'Change a brand',
      params: BrandParams,
      body: BrandPatch,
      responses: {
        200: { description: 'The changed brand', schema: Brand },
        404: problem('No such brand'),
        409: problem('Name taken'),
      },
    },
    deleteBrand: {
      method: 'DELETE',
      path: '/brands/{brandId}',
      access: 'write',
      summary: 'Delete a brand without models',
      params: BrandParams,
      responses: {
        204: { description: 'Deleted' },
        404: problem('No such brand'),
        409: problem('The brand still has models'),
      },
    },
  }),
  ...entityRoutes('model', TAGS.models, {
    createModel: {
      method: 'POST',
      path: '/models',
      access: 'write',
      summary: 'Create a model of a brand',
      body: ModelCreate,
      responses: {
        201: { description: 'Created', schema: Model, headers: ['Location'] },
        409: problem('Name taken within the brand'),
        422: problem('brandId names no brand'),
      },
    },
    listModels: {
      method: 'GET',
      path: '/models',
      access: 'read',
      summary: 'List models by name, optionally of one brand (keyset pagination)',
      query: ModelListQuery,
      responses: { 200: { description: 'A page of models', schema: ModelPage } },
    },
    getModel: {
      method: 'GET',
      path: '/models/{modelId}',
      access: 'read',
      summary: 'Get a model',
      params: ModelParams,
      responses: { 200: { description: 'The model', schema: Model }, 404: problem('No such model') },
    },
    updateModel: {
      method: 'PATCH',
      path: '/models/{modelId}',
      access: 'write',
      summary: 'Change a model',
      params: ModelParams,
      body: ModelPatch,
      responses: {
        200: { description: 'The changed model', schema: Model },
        404: problem('No such model'),
        409: problem('Name taken within the brand'),
      },
    },
    deleteModel: {
      method: 'DELETE',
      path: '/models/{modelId}',
      access: 'write',
      summary: 'Delete a model without sales',
      params: ModelParams,
      responses: {
        204: { description: 'Deleted' },
        404: problem('No such model'),
        409: problem('The model still has sales'),
      },
    },
  }),
  ...entityRoutes('sales', TAGS.sales, {
    createSale: {
      method: 'POST',
      path: '/sales',
      access: 'write',
      summary: 'Record a sale',
      body: SaleCreate,
      headers: IdempotencyHeaders,
      responses: {
        201: { description: 'Created', schema: Sale, headers: ['Location'] },
        409: problem('externalId already used by this client, or the same Idempotency-Key is in flight'),
        422: problem('modelId names no model, bad minor unit, or Idempotency-Key reused with another body'),
        503: problem('The database is unavailable; nothing was written'),
      },
    },
    createSalesBatch: {
      method: 'POST',
      path: '/sales/batch',
      access: 'write',
      summary: 'Record 1 to 1000 sales, all or nothing',
      body: SaleBatch,
      headers: IdempotencyHeaders,
      responses: {
        201: { description: 'Created, in request order', schema: SaleItems },
        409: problem('Some externalIds were already used; nothing was written'),
        422: problem('Every invalid item, by index and field; nothing was written'),
        503: problem('The database is unavailable; nothing was written'),
      },
    },
    importSales: {
      method: 'POST',
      path: '/sales/import',
      access: 'write',
      summary: 'Import sales from CSV (header row of sale field names), all or nothing',
      body: z.string().max(MAX_PAYLOAD_BYTES),
      bodyType: 'text/csv',
      formFile: 'file',
      headers: IdempotencyHeaders,
      responses: {
        201: { description: 'Imported', schema: ImportResult },
        409: problem('Some externalIds were already used; nothing was written'),
        413: problem('The body exceeds the 10 MB API Gateway payload limit (6 MB through Lambda in AWS)'),
        422: problem('Every bad row by line, column and reason; nothing was written'),
        503: problem('The database is unavailable; nothing was written'),
      },
    },
    createSaleEvents: {
      method: 'POST',
      path: '/sales/events',
      access: 'write',
      summary: 'Queue 1 to 500 sales events; each is stored later, exactly once, or rejected with a reason',
      body: SaleEvents,
      responses: {
        202: {
          description: 'Durably queued: one pending ingestion id per event, in order',
          schema: IngestionAccepted,
        },
        422: problem('Every invalid event, by index and field; nothing was queued'),
        503: problem('The queue or the status store is unavailable; nothing was queued'),
      },
    },
    getSaleEvent: {
      method: 'GET',
      path: '/sales/events/{ingestionId}',
      access: 'read',
      summary: 'Status of a queued sales event (only its submitting client, or an admin)',
      params: IngestionParams,
      responses: {
        200: {
          description: 'pending, stored (with saleId) or rejected (with reason)',
          schema: IngestionStatus,
        },
        404: problem('No such event, or another client submitted it'),
        503: problem('The status store is unavailable'),
      },
    },
    listSales: {
      method: 'GET',
      path: '/sales',
      access: 'read',
      summary: 'List sales, newest first, filtered by model, brand and UTC days (keyset pagination)',
      query: SaleListQuery,
      responses: { 200: { description: 'A page of sales', schema: SalePage } },
    },
    getSale: {
      method: 'GET',
      path: '/sales/{saleId}',
      access: 'read',
      summary: 'Get a sale',
      params: SaleParams,
      responses: { 200: { description: 'The sale', schema: Sale }, 404: problem('No such sale') },
    },
    deleteSale: {
      method: 'DELETE',
      path: '/sales/{saleId}',
      access: 'write',
      summary: 'Delete a sale (only its submitting client, or an admin)',
      params: SaleParams,
      responses: {
        204: { description: 'Deleted' },
        403: problem('Not the submitting client, and not an admin'),
        404: problem('No such sale'),
      },
    },
  }),
  ...entityRoutes('stats', TAGS.stats, {
    getModelSales: {
      method: 'GET',
      path: '/models/{modelId}/sales',
      access: 'read',
      tag: TAGS.sales,
      summary: 'Units, revenue and orders of a model per day, ISO week, month or year (zero-filled)',
      params: ModelParams,
      query: ModelSalesQuery,
      responses: {
        200: { description: 'Per-period sales of the model', schema: ModelSales },
        404: problem('No such model'),
        503: problem('The catalog is unavailable'),
      },
    },
    getRevenue: {
      method: 'GET',
      path: '/stats/revenue',
      access: 'read',
      summary: 'Total revenue, orders, units and average order value between two UTC days',
      query: StatsRangeQuery,
      responses: { 200: { description: 'Revenue figures', schema: RevenueStats } },
    },
    getDailyRevenue: {
      method: 'GET',
      path: '/stats/revenue/daily',
      access: 'read',
      summary: 'Revenue, orders and units per UTC day (zero-filled)',
      query: StatsRangeQuery,
      responses: { 200: { description: 'Daily series', schema: DailyRevenue } },
    },
    getTopModels: {
      method: 'GET',
      path: '/stats/models/top',
      access: 'read',
      summary: 'Models ranked by units or revenue, optionally of one brand',
      query: TopModelsQuery,
      responses: { 200: { description: 'Ranking with model and brand names', schema: TopModels } },
    },
    getBrandStats: {
      method: 'GET',
      path: '/stats/brands/{brandId}',
      access: 'read',
      summary: 'Totals of a brand and its per-model breakdown',
      params: BrandStatsParams,
      query: StatsRangeQuery,
      responses: {
        200: { description: 'Brand figures', schema: BrandStats },
        404: problem('No such brand'),
        503: problem('The catalog is unavailable and the brand is not cached'),
      },
    },
  }),
  ...entityRoutes('partner', TAGS.partners, {
    createPartner: {
      method: 'POST',
      path: '/partners',
      access: 'admin',
      summary: 'Onboard a partner: an OAuth2 app client and an API key in its tier',
      body: PartnerCreate,
      responses: {
        201: { description: 'Created; clientSecret and apiKey are shown this once', schema: PartnerCreated },
      },
    },
    listPartners: {
      method: 'GET',
      path: '/partners',
      access: 'admin',
      summary: 'List the partners, oldest first, a page at a time',
      query: PartnerListQuery,
      responses: { 200: { description: 'A page of partners', schema: PartnerPage } },
    },
    getPartner: {
      method: 'GET',
      path: '/partners/{clientId}',
      access: 'admin',
      summary: 'Get a partner with its tier limits',
      params: PartnerParams,
      responses: { 200: { description: 'The partner', schema: Partner }, 404: problem('No such partner') },
    },
    updatePartner: {
      method: 'PATCH',
      path: '/partners/{clientId}',
      access: 'admin',
      summary: 'Rename a partner or change its tier (its limits change at once)',
      params: PartnerParams,
      body: PartnerUpdate,
      responses: {
        200: { description: 'The changed partner', schema: Partner },
        404: problem('No such partner'),
      },
    },
    deletePartner: {
      method: 'DELETE',
      path: '/partners/{clientId}',
      access: 'admin',
      summary: 'Remove a partner: no new token, its API key stops working at once',
      params: PartnerParams,
      responses: { 204: { description: 'Deleted' }, 404: problem('No such partner') },
    },
  }),
] satisfies RouteSpec[];

export type Route = (typeof routes)[number];
export type OperationId = Route['operationId'];
