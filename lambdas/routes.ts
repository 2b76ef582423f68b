import { brandRoutes } from './brand/routes';
import { modelRoutes } from './model/routes';
import { partnerRoutes } from './partner/routes';
import { salesRoutes } from './sales/routes';
import type { RouteSpec } from './shared/route';
import { statsRoutes } from './stats/routes';

/**
 * The single source of truth for the API: drives the CDK routes, the local gateway and openapi.yaml. Each function
 * states its own routes (lambdas/<fn>/routes.ts), so its bundle carries only their schemas; each entry states
 * what is its own, and the common responses, 304/412/415 and the conditional headers follow from its shape
 * (lambdas/shared/route.ts).
 */
export const routes = [
  ...brandRoutes,
  ...modelRoutes,
  ...salesRoutes,
  ...statsRoutes,
  ...partnerRoutes,
] satisfies RouteSpec[];

export type Route = (typeof routes)[number];
export type OperationId = Route['operationId'];
