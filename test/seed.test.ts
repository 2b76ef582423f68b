import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import type { RevenueStats } from '../lambdas/stats/schemas';
import { type LocalStack, startLocalStack } from '../local/stack';
import { ALL_MODELS, DEMO_BRANDS, demoWindow, generateSales } from '../scripts/demo-data';
import { consoleOutput, progressText, type SeedProgress, seed } from '../scripts/seed';
import { clientOf, raw } from './support/fixtures';

// A fixed day keeps the generated window, and so every assertion, the same from day to day.
const TODAY = '2026-03-15';
const WINDOW = { from: '2024-03-15', to: '2026-03-14' };

describe('demo data generator', () => {
  it('covers the two years before today, up to yesterday', () => {
    expect(demoWindow(TODAY)).toEqual(WINDOW);
    expect(demoWindow('2024-02-29')).toEqual({ from: '2022-03-01', to: '2024-02-28' });
  });

  it('has 10 brands with countries and 60 models with body types and launch years', () => {
    expect(DEMO_BRANDS).toHaveLength(10);
    expect(ALL_MODELS).toHaveLength(60);
    expect(new Set(DEMO_BRANDS.map((brand) => brand.name.toLowerCase())).size).toBe(10);
    for (const brand of DEMO_BRANDS) {
      expect(brand.country).toMatch(/^[A-Z]{2}$/);
      expect(new Set(brand.models.map((model) => model.name.toLowerCase())).size).toBe(brand.models.length);
    }
    // Every body type of the API's enum appears.
    expect(new Set(ALL_MODELS.map(({ model }) => model.bodyType)).size).toBe(11);
  });

  it('is deterministic, and a smaller run is the start of a larger one', () => {
    const first = generateSales(3000, TODAY).sales;
    expect(generateSales(3000, TODAY).sales).toEqual(first);
    const small = new Map(generateSales(500, TODAY).sales.map((sale) => [sale.externalId, sale]));
    expect(first.filter((sale) => small.has(sale.externalId))).toEqual([...small.values()].sort(bySoldAt));
  });

  it('has seasonality, a weekend dip, growth, several countries, mostly EUR and some USD', () => {
    const { sales } = generateSales(30_000, TODAY);
    expect(new Set(sales.map((sale) => sale.externalId)).size).toBe(sales.length);
    expect(sales.every((sale) => sale.soldAt >= WINDOW.from && sale.soldAt < `${TODAY}T`)).toBe(true);
    expect(sales.map((sale) => sale.soldAt)).toEqual(sales.map((sale) => sale.soldAt).sort());

    const count = (predicate: (sale: (typeof sales)[number]) => boolean) => sales.filter(predicate).length;
    const weekday = (sale: { soldAt: string }) => new Date(sale.soldAt).getUTCDay();
    expect(count((sale) => weekday(sale) === 0)).toBeLessThan(count((sale) => weekday(sale) === 3) / 3);
    expect(count((sale) => weekday(sale) === 6)).toBeLessThan(count((sale) => weekday(sale) === 5) * 0.7);
    const month = (sale: { soldAt: string }) => sale.soldAt.slice(5, 7);
    expect(count((sale) => month(sale) === '03')).toBeGreaterThan(
      count((sale) => month(sale) === '08') * 1.5,
    );
    const firstYear = count((sale) => sale.soldAt < '2025-03-15');
    expect(sales.length - firstYear).toBeGreaterThan(firstYear * 1.1);

    const usd = count((sale) => sale.currency === 'USD');
    expect(usd / sales.length).toBeGreaterThan(0.05);
    expect(usd / sales.length).toBeLessThan(0.3);
    expect(count((sale) => sale.currency === 'EUR')).toBe(sales.length - usd);
    expect(new Set(sales.map((sale) => sale.country)).size).toBeGreaterThanOrEqual(8);
    expect(sales.every((sale) => (sale.country === 'US') === (sale.currency === 'USD'))).toBe(true);
    expect(sales.every((sale) => /^\d+\.\d{2}$/.test(sale.unitPrice) && sale.quantity >= 1)).toBe(true);
  });
});

describe('seed against the local stack', () => {
  let stack: LocalStack;

  beforeAll(async () => {
    // The seed waits until the stats show its sales: commits kick the drain as in `npm start` (the timer, the
    // safety net, stays out of the way).
    stack = await startLocalStack({ port: 0, projectorIntervalMs: 3_600_000 });
  });

  afterAll(async () => {
    await stack?.close();
  });

  const counts = async () => {
    const { rows } = await stack.sql.query<{ brands: number; models: number; sales: number }>(
      `SELECT (SELECT count(*) FROM brands)::int AS brands, (SELECT count(*) FROM models)::int AS models,
              (SELECT count(*) FROM sales WHERE submitted_by = 'demo-writer')::int AS sales`,
    );
    return rows[0];
  };

  it('loads brands, models and sales through the API, once, and the stats show the revenue', async () => {
    // A brand that already exists is found by name (case-insensitively), not created twice.
    const admin = await clientOf(stack, 'demo-admin');
    expect((await raw(admin).post('/brands', { name: 'nordvik', country: 'SE' })).status).toBe(201);

    const states: SeedProgress[] = [];
    const first = await seed({
      url: stack.url,
      sales: 2000,
      chunkSize: 1000,
      today: TODAY,
      progress: (state) => states.push(state),
    });
    expect(first.window).toEqual(WINDOW);
    expect(first.brands).toEqual({ created: 9, existing: 1 });
    expect(first.models).toEqual({ created: 60, existing: 0 });
    expect(first.sales).toMatchObject({ total: 2000, imported: 2000, skipped: 0, requests: 2 });
    // One progress report per import request, then the stats poll(s) until every sale shows.
    expect(states.filter((state) => state.phase === 'import').map((state) => state.done)).toEqual([
      1000, 2000,
    ]);
    expect(states.at(-1)).toMatchObject({ phase: 'stats', done: 2000, total: 2000 });
    expect(await counts()).toEqual({ brands: 10, models: 60, sales: 2000 });

    // Through the API: the catalog as listed, and the stats projected from the imported sales.
    const { rows: expected } = await stack.sql.query<{ currency: string; revenue: string; orders: number }>(
      `SELECT currency, round(sum(quantity * unit_price), 2)::text AS revenue, count(*)::int AS orders
       FROM sales GROUP BY currency ORDER BY currency`,
    );
    expect(expected.map((row) => row.currency)).toEqual(['EUR', 'USD']);
    for (const row of expected) {
      const stats = await raw(admin).get<z.infer<typeof RevenueStats>>(
        `/stats/revenue?from=${WINDOW.from}&to=${WINDOW.to}&currency=${row.currency}`,
      );
      expect(stats.status).toBe(200);
      expect(stats.body).toMatchObject({ totalRevenue: row.revenue, orders: row.orders });
      expect(Number(stats.body.totalRevenue)).toBeGreaterThan(0);
      expect(first.revenue[row.currency]).toMatchObject({ totalRevenue: row.revenue, orders: row.orders });
    }

    // Twice: everything is found, nothing is written.
    const second = await seed({ url: stack.url, sales: 2000, chunkSize: 1000, today: TODAY });
    expect(second.brands).toEqual({ created: 0, existing: 10 });
    expect(second.models).toEqual({ created: 0, existing: 60 });
    expect(second.sales).toMatchObject({ imported: 0, skipped: 2000 });
    expect(await counts()).toEqual({ brands: 10, models: 60, sales: 2000 });
    expect(second.revenue).toEqual(first.revenue);

    // A larger run adds only the sales the smaller one did not have.
    const third = await seed({ url: stack.url, sales: 2500, chunkSize: 1000, today: TODAY });
    expect(third.sales).toMatchObject({ imported: 500, skipped: 2000 });
    expect(await counts()).toEqual({ brands: 10, models: 60, sales: 2500 });
  });
});

describe('seed output', () => {
  const state = (done: number, secondsLeft?: number): SeedProgress => ({
    phase: 'import',
    done,
    total: 100_000,
    rate: 1450,
    secondsLeft,
  });

  it('shows rows done, the rate and the time left', () => {
    expect(progressText(state(38_000, 43))).toBe(
      'import [█████████░░░░░░░░░░░░░░░] 38,000/100,000 sales imported · 1,450/s · 43 s left',
    );
    expect(progressText(state(0))).toContain('estimating');
    expect(progressText(state(50_000, 125))).toContain('2 min 05 s left');
    expect(progressText({ ...state(100_000, 0), phase: 'stats' })).toMatch(/^stats .* in the stats .* done$/);
  });

  it('redraws one line on a terminal and holds back request lines, but not errors', () => {
    const terminal = fakeStream(true);
    const output = consoleOutput(terminal.stream);
    output.log('seeding');
    for (let done = 1000; done <= 5000; done += 1000) output.progress(state(done, 1));
    expect(output.quiet('GET /brands 200 3.1ms id')).toBe(true);
    expect(output.quiet('POST /sales/import 503 9.0ms id')).toBe(true);
    output.end();
    expect(output.quiet('GET /brands 200 3.1ms id')).toBe(false);

    const printed = terminal.text();
    const lines = printed.split('\n').filter(Boolean);
    expect(lines).toHaveLength(4); // seeding, the 503, the progress line, "held back"
    expect(lines[0]).toMatch(/seed: seeding$/);
    expect(lines[1]).toMatch(/POST \/sales\/import 503/);
    // Each redraw clears the line first: the last state is what stays on screen.
    expect(lines[2]?.split('\r\x1b[2K').filter(Boolean).at(-1)).toMatch(/^seed: import .* 5,000\/100,000/);
    expect(lines[3]).toMatch(/seed: 1 request log lines held back while seeding$/);
  });

  it('prints a new line only every 10 % when the output is not a terminal', () => {
    const log = fakeStream(false);
    const output = consoleOutput(log.stream);
    for (let done = 1000; done <= 100_000; done += 1000) output.progress(state(done, 1));
    output.end();
    const lines = log.text().split('\n').filter(Boolean);
    expect(lines).toHaveLength(11); // the first report, then 10 %, 20 % … 100 %
    expect(log.text()).not.toContain('\r');
    expect(lines.at(-1)).toMatch(/100,000\/100,000 sales imported .* done$/);
  });
});

function fakeStream(isTTY: boolean) {
  const chunks: string[] = [];
  const stream = {
    isTTY,
    write: (chunk: string) => {
      chunks.push(chunk);
      return true;
    },
  };
  return { stream: stream as unknown as NodeJS.WriteStream, text: () => chunks.join('') };
}

function bySoldAt(a: { soldAt: string; externalId: string }, b: { soldAt: string; externalId: string }) {
  return a.soldAt.localeCompare(b.soldAt) || a.externalId.localeCompare(b.externalId);
}
