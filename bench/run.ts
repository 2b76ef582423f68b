/**
 * `npm run bench`: every benchmark in turn, then bench/results.json and bench/RESULTS.md.
 *
 *   npm run bench                       full sizes (see each module for its BENCH_* overrides)
 *   npm run bench -- --quick            small sizes (or BENCH_SCALE=quick): checks the harness, not the system
 *   npm run bench -- --only cold-start,middleware
 *
 * The results are saved after each benchmark, so an interrupted run keeps what it finished.
 */
import { catalogOutage } from './catalog-outage';
import { coldStart } from './cold-start';
import { csvImport } from './csv-import';
import { events } from './events';
import { gatewayLoad } from './gateway-load';
import { latencyVsVolume } from './latency-vs-volume';
import { fmt, machine, progress, scaleOf } from './lib';
import { middleware } from './middleware';
import { projectorDrain } from './projector';
import {
  type Benchmark,
  checksTable,
  measure,
  printSection,
  RESULTS_JSON,
  RESULTS_MD,
  type Section,
  saveResults,
} from './report';

const BENCHMARKS: [string, Benchmark][] = [
  ['cold-start', coldStart],
  ['middleware', middleware],
  ['gateway-load', gatewayLoad],
  ['csv-import', csvImport],
  ['latency-vs-volume', latencyVsVolume],
  ['projector', projectorDrain],
  ['catalog-outage', catalogOutage],
  ['events', events],
];

function selected(argv: readonly string[]): [string, Benchmark][] {
  const flag = argv.findIndex((arg) => arg === '--only' || arg.startsWith('--only='));
  if (flag === -1) return BENCHMARKS;
  const arg = argv[flag] ?? '';
  const list = (arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : (argv[flag + 1] ?? '')).split(',');
  const unknown = list.filter((id) => !BENCHMARKS.some(([known]) => known === id));
  if (unknown.length > 0) {
    throw new Error(
      `Unknown benchmark ${unknown.join(', ')}; known: ${BENCHMARKS.map(([id]) => id).join(', ')}`,
    );
  }
  return BENCHMARKS.filter(([id]) => list.includes(id));
}

async function main() {
  const scale = scaleOf();
  const log = progress('run');
  const benchmarks = selected(process.argv);
  const m = machine();
  log(
    `${scale} run of ${benchmarks.map(([id]) => id).join(', ')} on ${m.cpu} (${m.cores} cores, ${m.memoryGiB} GiB), ` +
      `Node ${m.node}, load average ${m.loadAverage}`,
  );
  const t0 = performance.now();
  const sections: Section[] = [];
  for (const [index, [id, benchmark]] of benchmarks.entries()) {
    log(`(${index + 1}/${benchmarks.length}) ${id}`);
    const section = await measure(id, benchmark, scale);
    sections.push(section);
    printSection(section);
    saveResults(sections);
    log(`${id} done in ${fmt(section.seconds, 0)} s`);
  }
  process.stdout.write(
    [
      '',
      '## Summary',
      '',
      ...sections.flatMap((section, i) => checksTable(section, true).slice(i === 0 ? 0 : 2)),
      '',
    ].join('\n'),
  );
  log(`all done in ${fmt((performance.now() - t0) / 1000, 0)} s; wrote ${RESULTS_JSON} and ${RESULTS_MD}`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
