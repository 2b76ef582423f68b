import { entityRoutes, problem } from '../shared/route';
import { PARTNERS_TAG } from '../tags';
import {
  Partner,
  PartnerCreate,
  PartnerCreated,
  PartnerListQuery,
  PartnerPage,
  PartnerParams,
  PartnerUpdate,
} from './schemas';

/** The routes of the partner function (its part of the route table, lambdas/routes.ts). */
export const partnerRoutes = entityRoutes('partner', PARTNERS_TAG, {
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
});
