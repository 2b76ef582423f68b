import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DASHBOARD_CONFIG_ID, type DashboardConfig } from './dashboard-config';

/**
 * The partner dashboard (source in `dashboard/`): one HTML shell at `/dashboard` and its two bundled assets
 * under `/dashboard/assets/`, served by the same function as the console. The shell carries the API's base
 * path and the token URL as JSON; the script does everything else through the public API.
 */
export const DASHBOARD_PATH = '/dashboard';
export const DASHBOARD_ASSET_PREFIX = `${DASHBOARD_PATH}/assets/`;

/** What the dashboard build writes (`dashboard/build.ts`), by content type. */
export const DASHBOARD_ASSETS = {
  'dashboard.js': 'text/javascript; charset=utf-8',
  'dashboard.css': 'text/css; charset=utf-8',
} as const;
export type DashboardAssetName = keyof typeof DASHBOARD_ASSETS;
export type DashboardFiles = Readonly<Record<DashboardAssetName, string>>;
export const DASHBOARD_FILES = Object.keys(DASHBOARD_ASSETS) as DashboardAssetName[];

export const isDashboardAsset = (name: string): name is DashboardAssetName =>
  Object.hasOwn(DASHBOARD_ASSETS, name);

/** The built files from a directory (the Lambda package's `dashboard/`). */
export function readDashboardFiles(dir: string): DashboardFiles {
  return {
    'dashboard.js': readFileSync(join(dir, 'dashboard.js'), 'utf8'),
    'dashboard.css': readFileSync(join(dir, 'dashboard.css'), 'utf8'),
  };
}

/**
 * Same origin only: the page may load its own script and style and talk to its own origin (API and token
 * URL), nothing else. uPlot draws on canvas and styles through the CSSOM, which `style-src` does not restrict.
 */
export const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** JSON that is safe inside `<script>` (no `</script>`, no HTML comment openers). */
export const scriptJson = (value: unknown) => JSON.stringify(value).replaceAll('<', '\\u003c');

/** Inline, so the browser asks for no `/favicon.ico` (which nothing serves). */
const ICON = `data:image/svg+xml,${encodeURIComponent(
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#1f5fa8"/><path d="M3 13V8h2v5zm4 0V4h2v9zm4 0V6h2v7z" fill="#fff"/></svg>',
)}`;

const versionOf = (body: string) => createHash('sha256').update(body).digest('hex').slice(0, 12);

/** The HTML shell; asset URLs carry a content hash so a new build is never served from a stale cache. */
export function dashboardHtml(basePath: string, files: DashboardFiles, config: DashboardConfig): string {
  const asset = (name: DashboardAssetName) =>
    `${basePath}${DASHBOARD_ASSET_PREFIX}${name}?v=${versionOf(files[name])}`;
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <meta name="color-scheme" content="light">
  <title>Car sales dashboard</title>
  <link rel="icon" type="image/svg+xml" href="${ICON}">
  <link rel="stylesheet" href="${asset('dashboard.css')}">
  <script type="application/json" id="${DASHBOARD_CONFIG_ID}">${scriptJson(config)}</script>
  <script defer src="${asset('dashboard.js')}"></script>
</head>
<body>
  <div id="app"><noscript>The dashboard needs JavaScript. The API console is at <a href="${basePath}/docs">${basePath}/docs</a>.</noscript></div>
</body>
</html>
`;
}
