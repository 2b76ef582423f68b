import { apiHandlerFactory } from '../shared/http/api-handler';
import { created, noContent, ok } from '../shared/http/responses';
import type { Partners } from './partners';
import { partnerRoutes } from './routes';

export interface PartnerDeps {
  partners: Partners;
}

/**
 * The partner function: onboarding and upkeep of partners (admin scope only). Its own function rather than
 * a part of another: it alone may create Cognito app clients and API keys, so no data function holds
 * those rights, and no partner function holds database rights.
 */
export function createPartnerHandler({ partners }: PartnerDeps) {
  return apiHandlerFactory(partnerRoutes)('partner', {
    createPartner: async ({ body }) => {
      const partner = await partners.onboard(body);
      return created(partner, `/partners/${partner.clientId}`);
    },
    listPartners: async ({ query }) => ok(await partners.list(query.limit, query.cursor)),
    getPartner: async ({ params }) => ok(await partners.get(params.clientId)),
    updatePartner: async ({ params, body }) => ok(await partners.update(params.clientId, body)),
    deletePartner: async ({ params }) => {
      await partners.remove(params.clientId);
      return noContent();
    },
  });
}
