import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import {
  DASHBOARD_FILES,
  type DashboardAssetName,
  type DashboardFiles,
  isDashboardAsset,
} from '../lambdas/docs/dashboard';

const ROOT = __dirname;

/** uPlot's MIT licence goes along with its code: its own header comment is not a legal comment esbuild keeps. */
function uPlotNotice(): string {
  const dir = path.dirname(require.resolve('uplot/package.json'));
  const { version } = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string };
  const licence = readFileSync(path.join(dir, 'LICENSE'), 'utf8').replaceAll('*/', '* /').trim();
  return `/*! Bundles uPlot ${version} (https://github.com/leeoniya/uPlot):\n${licence}\n*/`;
}

/**
 * Bundles the dashboard (TypeScript, uPlot and the styles) into `dashboard.js` and `dashboard.css`, in memory.
 * `npm start` calls it on the first request for the dashboard; the docs function's CDK bundling runs this file
 * as a script to write the files next to the handler.
 */
export async function buildDashboard(): Promise<DashboardFiles> {
  const result = await esbuild.build({
    entryPoints: { dashboard: path.join(ROOT, 'src', 'main.ts') },
    tsconfig: path.join(ROOT, 'tsconfig.json'),
    bundle: true,
    minify: true,
    format: 'iife',
    platform: 'browser',
    target: ['es2022', 'chrome111', 'firefox115', 'safari16.4'],
    charset: 'utf8',
    legalComments: 'eof',
    footer: { js: uPlotNotice(), css: uPlotNotice() },
    outdir: path.join(ROOT, 'out'),
    write: false,
    logLevel: 'silent',
  });
  const unexpected = result.outputFiles
    .map((file) => path.basename(file.path))
    .filter((name) => !isDashboardAsset(name));
  if (unexpected.length > 0) throw new Error(`Unexpected dashboard build output ${unexpected.join(', ')}`);
  const text = (name: DashboardAssetName) => {
    const output = result.outputFiles.find((file) => path.basename(file.path) === name);
    if (!output) throw new Error(`The dashboard build wrote no ${name}`);
    return output.text;
  };
  return { 'dashboard.js': text('dashboard.js'), 'dashboard.css': text('dashboard.css') };
}

/** `tsx dashboard/build.ts <dir>`: writes the files into `<dir>` (the docs function's bundling does this). */
async function main(outDir: string | undefined) {
  if (!outDir) throw new Error('usage: tsx dashboard/build.ts <output directory>');
  const files = await buildDashboard();
  mkdirSync(outDir, { recursive: true });
  for (const name of DASHBOARD_FILES) writeFileSync(path.join(outDir, name), files[name]);
}

if (require.main === module) {
  main(process.argv[2]).catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
