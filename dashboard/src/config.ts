import { DASHBOARD_CONFIG_ID, type DashboardConfig } from '../../lambdas/docs/dashboard-config';

/** The config the page carries as JSON (lambdas/docs/dashboard.ts writes it). */
export function readConfig(): DashboardConfig {
  const text = document.getElementById(DASHBOARD_CONFIG_ID)?.textContent;
  const parsed: unknown = text ? JSON.parse(text) : undefined;
  if (typeof parsed !== 'object' || parsed === null) throw new Error('The page carries no dashboard config');
  const { apiBase, tokenUrl, prefill } = parsed as Partial<Record<keyof DashboardConfig, unknown>>;
  if (typeof apiBase !== 'string' || typeof tokenUrl !== 'string')
    throw new Error('Malformed dashboard config');
  const config: DashboardConfig = { apiBase, tokenUrl };
  if (typeof prefill === 'object' && prefill !== null) {
    const { clientId, clientSecret } = prefill as Record<string, unknown>;
    if (typeof clientId === 'string') {
      config.prefill = { clientId, ...(typeof clientSecret === 'string' && { clientSecret }) };
    }
  }
  return config;
}
