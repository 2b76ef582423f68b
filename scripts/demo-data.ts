/**
 * The demo data set: a fictional but realistic catalog (10 brands, 60 models) and a deterministic generator of
 * sales with seasonality. Pure functions, no I/O: `scripts/seed.ts` sends it through the API.
 *
 * Sales are a pure function of (index, window): sale `i` is the i-th draw of a fixed-seed PRNG, so its
 * `externalId` (`demo-v1-000001`…) names the same sale on every run of the same day, and the first N sales
 * of a larger run are the sales of a smaller one.
 */
import type { BODY_TYPES } from '../lambdas/model/schemas';

export type BodyType = (typeof BODY_TYPES)[number];

export interface DemoModel {
  name: string;
  bodyType: BodyType;
  launchYear: number;
  /** List price of the base trim in EUR, whole euros. */
  basePrice: number;
  /** Relative popularity within the brand. */
  popularity: number;
}

export interface DemoBrand {
  name: string;
  /** ISO 3166-1 alpha-2. */
  country: string;
  /** Relative market share. */
  share: number;
  models: DemoModel[];
}

const m = (
  name: string,
  bodyType: BodyType,
  launchYear: number,
  basePrice: number,
  popularity: number,
): DemoModel => ({ name, bodyType, launchYear, basePrice, popularity });

export const DEMO_BRANDS: readonly DemoBrand[] = [
  {
    name: 'Adler Motorwerke',
    country: 'DE',
    share: 1.6,
    models: [
      m('Kestrel', 'hatchback', 2016, 23_900, 10),
      m('Falke', 'sedan', 2018, 34_500, 7),
      m('Bussard', 'suv', 2020, 41_900, 8),
      m('Milan', 'wagon', 2017, 36_200, 4),
      m('Sperber', 'crossover', 2025, 31_400, 7),
      m('Habicht', 'coupe', 2021, 52_800, 2),
    ],
  },
  {
    name: 'Rivière Automobiles',
    country: 'FR',
    share: 1.3,
    models: [
      m('Cigale', 'hatchback', 2015, 17_900, 10),
      m('Mistral', 'crossover', 2019, 26_500, 8),
      m('Tramontane', 'suv', 2021, 33_900, 6),
      m('Garonne', 'sedan', 2018, 29_700, 4),
      m('Camargue', 'van', 2016, 28_400, 3),
      m('Azur', 'convertible', 2022, 39_900, 1.5),
    ],
  },
  {
    name: 'Nordvik',
    country: 'SE',
    share: 0.9,
    models: [
      m('Fjell', 'suv', 2019, 54_900, 9),
      m('Skog', 'wagon', 2017, 47_500, 7),
      m('Ljus', 'sedan', 2020, 49_800, 5),
      m('Vinter', 'crossover', 2024, 44_900, 6),
      m('Hav', 'minivan', 2018, 45_300, 3),
      m('Berg', 'pickup', 2022, 51_200, 2),
    ],
  },
  {
    name: 'Castellano Auto',
    country: 'ES',
    share: 1.0,
    models: [
      m('Sol', 'hatchback', 2016, 16_900, 10),
      m('Brisa', 'sedan', 2019, 21_400, 6),
      m('Toro', 'suv', 2021, 29_800, 7),
      m('Luna', 'crossover', 2023, 24_600, 8),
      m('Ronda', 'wagon', 2018, 22_900, 3),
      m('Fuego', 'coupe', 2020, 34_500, 1.5),
    ],
  },
  {
    name: 'Vittoria Motori',
    country: 'IT',
    share: 0.8,
    models: [
      m('Piccola', 'hatchback', 2014, 14_900, 10),
      m('Lucciola', 'convertible', 2019, 24_900, 3),
      m('Veloce', 'roadster', 2021, 58_900, 1.5),
      m('Strada', 'sedan', 2017, 27_800, 5),
      m('Monte', 'suv', 2022, 36_400, 7),
      m('Saetta', 'coupe', 2018, 71_500, 1),
    ],
  },
  {
    name: 'Hoshino Motors',
    country: 'JP',
    share: 1.4,
    models: [
      m('Sakura', 'hatchback', 2015, 19_900, 9),
      m('Kaze', 'sedan', 2017, 28_300, 7),
      m('Yama', 'suv', 2019, 37_900, 8),
      m('Hikari', 'crossover', 2021, 30_500, 9),
      m('Tora', 'pickup', 2016, 39_800, 4),
      m('Hoshi', 'minivan', 2020, 41_200, 3),
    ],
  },
  {
    name: 'Hanbit Motors',
    country: 'KR',
    share: 1.1,
    models: [
      m('Nuri', 'hatchback', 2018, 17_400, 8),
      m('Baram', 'crossover', 2020, 25_900, 9),
      m('Gang', 'sedan', 2016, 24_300, 5),
      m('Sanmaru', 'suv', 2022, 38_600, 6),
      m('Haneul', 'wagon', 2019, 27_100, 2),
      m('Byeol', 'coupe', 2026, 42_900, 4),
    ],
  },
  {
    name: 'Liberty Motor Company',
    country: 'US',
    share: 1.0,
    models: [
      m('Prairie', 'pickup', 2017, 44_900, 10),
      m('Mesa', 'suv', 2019, 48_700, 8),
      m('Harbor', 'sedan', 2016, 32_400, 4),
      m('Summit', 'minivan', 2018, 39_900, 3),
      m('Comet', 'coupe', 2021, 55_900, 2),
      m('Trail', 'crossover', 2025, 36_900, 6),
    ],
  },
  {
    name: 'Albion Cars',
    country: 'GB',
    share: 0.7,
    models: [
      m('Thames', 'sedan', 2017, 38_900, 6),
      m('Highland', 'suv', 2020, 56_500, 8),
      m('Cotswold', 'wagon', 2018, 41_200, 4),
      m('Brighton', 'convertible', 2019, 46_800, 2),
      m('Avon', 'hatchback', 2021, 24_800, 7),
      m('Merlin', 'roadster', 2016, 62_400, 1.5),
    ],
  },
  {
    name: 'Moravia Auto',
    country: 'CZ',
    share: 1.2,
    models: [
      m('Vltava', 'sedan', 2016, 25_900, 8),
      m('Šumava', 'suv', 2020, 33_700, 8),
      m('Jiskra', 'hatchback', 2015, 18_400, 9),
      m('Labe', 'wagon', 2018, 27_900, 6),
      m('Orlice', 'crossover', 2022, 29_300, 6),
      m('Morava', 'van', 2017, 31_600, 3),
    ],
  },
];

/** Where the sales happen: country, currency and relative market size. Eurozone in EUR, the US in USD. */
export const MARKETS = [
  { country: 'DE', currency: 'EUR', weight: 24 },
  { country: 'FR', currency: 'EUR', weight: 17 },
  { country: 'IT', currency: 'EUR', weight: 14 },
  { country: 'ES', currency: 'EUR', weight: 10 },
  { country: 'NL', currency: 'EUR', weight: 6 },
  { country: 'BE', currency: 'EUR', weight: 5 },
  { country: 'AT', currency: 'EUR', weight: 4 },
  { country: 'PT', currency: 'EUR', weight: 2.5 },
  { country: 'IE', currency: 'EUR', weight: 1.5 },
  { country: 'FI', currency: 'EUR', weight: 1.5 },
  { country: 'GR', currency: 'EUR', weight: 1.5 },
  { country: 'US', currency: 'USD', weight: 13 },
] as const;

/** One generated sale, in the API's CSV/JSON field names. */
export interface DemoSale {
  /** `brandIndex * 6 + modelIndex`: resolved to a modelId once the catalog exists. */
  modelIndex: number;
  soldAt: string;
  quantity: number;
  unitPrice: string;
  currency: string;
  country: string;
  externalId: string;
}

export const ALL_MODELS = DEMO_BRANDS.flatMap((brand, brandIndex) =>
  brand.models.map((model) => ({ brand, brandIndex, model })),
);

/** Version of the generator in every externalId: a changed generator must not reuse the ids of the old one. */
export const EXTERNAL_ID_PREFIX = 'demo-v1-';
const SEED = 0x5eed_ca75;
const DAY_MS = 86_400_000;

/** mulberry32: small, fast, good enough for demo data, and the same on every platform. */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** The window of the demo: the two years before `today` (a UTC day), up to yesterday. */
export function demoWindow(today: string): { from: string; to: string } {
  const end = new Date(Date.parse(`${today}T00:00:00Z`) - DAY_MS);
  const start = new Date(Date.parse(`${today}T00:00:00Z`));
  start.setUTCFullYear(start.getUTCFullYear() - 2);
  return { from: start.toISOString().slice(0, 10), to: end.toISOString().slice(0, 10) };
}

export function todayUtc(): string {
  return new Date().toISOString().slice(0, 10);
}

// Registrations peak in March and September, dip in August and around the holidays.
const MONTH = [0.85, 0.9, 1.3, 1.0, 1.05, 1.1, 0.95, 0.65, 1.25, 1.0, 0.95, 0.85];
// Sunday = 0: showrooms are busiest on Fridays, half empty on Saturdays, mostly closed on Sundays.
const WEEKDAY = [0.2, 1.0, 1.05, 1.05, 1.1, 1.25, 0.6];

// Americans buy pickups and SUVs, Europeans hatchbacks and vans.
const US_TASTE: Partial<Record<BodyType, number>> = {
  pickup: 4,
  suv: 1.6,
  minivan: 1.4,
  hatchback: 0.3,
  wagon: 0.3,
};
const EUROPE_TASTE: Partial<Record<BodyType, number>> = { pickup: 0.3, hatchback: 1.3, van: 1.2 };

/** How many sales a day gets relative to others: month, weekday, month-end push, holidays, trend, noise. */
function dayWeight(day: string, progress: number): number {
  const date = new Date(`${day}T00:00:00Z`);
  const month = date.getUTCMonth();
  const dom = date.getUTCDate();
  const daysInMonth = new Date(Date.UTC(date.getUTCFullYear(), month + 1, 0)).getUTCDate();
  const monthEnd = dom > daysInMonth - 3 ? 1.2 : 1;
  const holiday = day.endsWith('-12-25') || day.endsWith('-12-26') || day.endsWith('-01-01') ? 0.1 : 1;
  const trend = 1 + 0.3 * progress; // about +14% a year
  const noise = 0.85 + 0.3 * prng(hash(day))();
  return (MONTH[month] ?? 1) * (WEEKDAY[date.getUTCDay()] ?? 1) * monthEnd * holiday * trend * noise;
}

/** Builds the sampler of a window; `sale(i)` is then a pure function of `i`. */
export function salesGenerator(today: string) {
  const window = demoWindow(today);
  const start = Date.parse(`${window.from}T00:00:00Z`);
  const dayCount = Math.round((Date.parse(`${window.to}T00:00:00Z`) - start) / DAY_MS) + 1;
  const days = Array.from({ length: dayCount }, (_, i) =>
    new Date(start + i * DAY_MS).toISOString().slice(0, 10),
  );
  const dayCumulative = cumulative(days.map((day, i) => dayWeight(day, i / Math.max(1, dayCount - 1))));
  const marketCumulative = cumulative(MARKETS.map((market) => market.weight));
  // A model sells from March 1st of its launch year, ramping up over its first four months.
  const launches = ALL_MODELS.map(({ model }) => Date.parse(`${model.launchYear}-03-01T00:00:00Z`));

  function modelWeight(index: number, country: string, dayMs: number): number {
    const entry = ALL_MODELS[index];
    const launch = launches[index] ?? 0;
    if (!entry || dayMs < launch) return 0;
    const { brand, model } = entry;
    const ramp = Math.min(1, 0.15 + (dayMs - launch) / (120 * DAY_MS));
    const home = brand.country === country ? 3 : 1;
    const taste = (country === 'US' ? US_TASTE : EUROPE_TASTE)[model.bodyType] ?? 1;
    return brand.share * model.popularity * home * taste * ramp;
  }

  function sale(index: number): DemoSale {
    // One PRNG per sale, so sale i does not depend on how many came before it.
    const random = prng(SEED ^ Math.imul(index + 1, 0x9e3779b1));
    const dayIndex = pick(dayCumulative, random());
    const dayMs = start + dayIndex * DAY_MS;
    const market = MARKETS[pick(marketCumulative, random())] ?? MARKETS[0];
    const weights = ALL_MODELS.map((_, i) => modelWeight(i, market.country, dayMs));
    const modelIndex = pick(cumulative(weights), random());
    const model = ALL_MODELS[modelIndex]?.model ?? DEMO_BRANDS[0]?.models[0];
    if (!model) throw new Error('The demo catalog is empty');

    const roll = random();
    const fleet = roll >= 0.99;
    const quantity = roll < 0.9 ? 1 : roll < 0.97 ? 2 : fleet ? 6 + Math.floor(random() * 20) : 3;
    const trims = [1, 1.08, 1.17, 1.3];
    const trim = trims[pick(cumulative([5, 4, 2, 1]), random())] ?? 1;
    const inflation = 1 + (0.03 * dayIndex) / 365;
    const discount = 1 - random() * 0.06 - (fleet ? 0.08 : 0);
    const euros = model.basePrice * trim * inflation * discount;
    const unitPrice =
      market.currency === 'USD'
        ? `${Math.max(1, Math.round((euros * 1.09) / 100)) * 100 - 1}.00` // $32,499.00
        : `${Math.max(1, Math.round(euros / 10)) * 10 - 10}.${random() < 0.2 ? '50' : '00'}`; // €24,990.00

    // Business hours, 08:00-19:59 UTC.
    const seconds = (8 + Math.floor(random() * 12)) * 3600 + Math.floor(random() * 3600);
    const soldAt = `${new Date(dayMs + seconds * 1000).toISOString().slice(0, 19)}Z`;
    return {
      modelIndex,
      soldAt,
      quantity,
      unitPrice,
      currency: market.currency,
      country: market.country,
      externalId: `${EXTERNAL_ID_PREFIX}${String(index + 1).padStart(6, '0')}`,
    };
  }

  return { window, sale };
}

/** The first `count` demo sales of the window ending yesterday, sorted by time (as a dealer's export would be). */
export function generateSales(
  count: number,
  today = todayUtc(),
): { window: ReturnType<typeof demoWindow>; sales: DemoSale[] } {
  const { window, sale } = salesGenerator(today);
  const sales = Array.from({ length: count }, (_, i) => sale(i));
  sales.sort((a, b) =>
    a.soldAt < b.soldAt ? -1 : a.soldAt > b.soldAt ? 1 : a.externalId < b.externalId ? -1 : 1,
  );
  return { window, sales };
}

function cumulative(weights: readonly number[]): number[] {
  let total = 0;
  return weights.map((weight) => {
    total += weight;
    return total;
  });
}

/** Index of the first cumulative weight above `u * total` (binary search). */
function pick(cumulativeWeights: readonly number[], u: number): number {
  const total = cumulativeWeights.at(-1) ?? 0;
  const target = u * total;
  let low = 0;
  let high = cumulativeWeights.length - 1;
  while (low < high) {
    const mid = (low + high) >> 1;
    if ((cumulativeWeights[mid] ?? 0) > target) high = mid;
    else low = mid + 1;
  }
  return low;
}
