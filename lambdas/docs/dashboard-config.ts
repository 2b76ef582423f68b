/**
 * What the dashboard page tells its script (as JSON in the page): written by `./dashboard`, read in the
 * browser by `dashboard/src/config.ts`. No Node imports here: the browser code is type-checked against it.
 */
export interface DashboardConfig {
  /** Base URL path of the API operations (`` locally, `/v1` on API Gateway). */
  apiBase: string;
  /** Same-origin URL path that answers OAuth2 client-credentials requests. */
  tokenUrl: string;
  /** Sign-in form defaults (the local demo reader); none in AWS. */
  prefill?: { clientId: string; clientSecret?: string };
}

/** The id of the `<script type="application/json">` element that carries the config. */
export const DASHBOARD_CONFIG_ID = 'dashboard-config';
