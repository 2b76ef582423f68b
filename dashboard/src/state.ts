import { GRANULARITIES, type Granularity } from '../../lambdas/shared/periods';
import type { TopModelsBody } from './api-types';

/**
 * The view lives in the URL, so a view can be bookmarked and shared:
 * `?from=2025-01-01&to=2025-03-31&currency=EUR[&brandId=…][&modelId=…][&by=revenue][&granularity=week]`.
 * Pure functions of strings (no DOM), so they run in the browser and in unit tests alike.
 */
export type RankBy = TopModelsBody['by'];
export const RANK_BY: readonly RankBy[] = ['units', 'revenue'];
export { GRANULARITIES };

export interface ViewState {
  from: string;
  to: string;
  /** Absent: the API's reporting currency. */
  currency?: string;
  brandId?: string;
  modelId?: string;
  by: RankBy;
  granularity: Granularity;
}

export const PRESETS = { last30: 'Last 30 days', quarter: 'This quarter', year: 'This year' } as const;
export type PresetName = keyof typeof PRESETS;

const DAY_MS = 86_400_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CURRENCY = /^[A-Z]{3}$/;

export const isDay = (value: string): boolean =>
  /^\d{4}-\d{2}-\d{2}$/.test(value) &&
  !Number.isNaN(Date.parse(`${value}T00:00:00Z`)) &&
  new Date(`${value}T00:00:00Z`).toISOString().slice(0, 10) === value;

export const todayUtc = (now: Date = new Date()): string => now.toISOString().slice(0, 10);

export const addDays = (day: string, days: number): string =>
  new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);

/** The range a preset stands for, ending today (UTC). */
export function presetRange(name: PresetName, today: string): { from: string; to: string } {
  const year = today.slice(0, 4);
  switch (name) {
    case 'last30':
      return { from: addDays(today, -29), to: today };
    case 'quarter': {
      const firstMonth = Math.floor((Number(today.slice(5, 7)) - 1) / 3) * 3 + 1;
      return { from: `${year}-${String(firstMonth).padStart(2, '0')}-01`, to: today };
    }
    case 'year':
      return { from: `${year}-01-01`, to: today };
  }
}

/** The presets a range equals (to mark their buttons as pressed): in January, the quarter is the year. */
export function presetsOf(range: { from: string; to: string }, today: string): PresetName[] {
  return (Object.keys(PRESETS) as PresetName[]).filter((name) => {
    const preset = presetRange(name, today);
    return preset.from === range.from && preset.to === range.to;
  });
}

const oneOf = <T extends string>(values: readonly T[], value: string | null, fallback: T): T =>
  values.find((candidate) => candidate === value) ?? fallback;

/**
 * The view of a query string. What cannot be used is dropped (the last 30 days stand in for a missing or
 * malformed range); a range the API refuses, e.g. one too long, is left for the API to explain.
 */
export function parseState(search: string, today: string): ViewState {
  const query = new URLSearchParams(search);
  const from = query.get('from') ?? '';
  const to = query.get('to') ?? '';
  const range = isDay(from) && isDay(to) && from <= to ? { from, to } : presetRange('last30', today);
  const currency = query.get('currency') ?? '';
  const brandId = query.get('brandId') ?? '';
  const modelId = query.get('modelId') ?? '';
  return {
    ...range,
    ...(CURRENCY.test(currency) && { currency }),
    ...(UUID.test(brandId) && { brandId: brandId.toLowerCase() }),
    ...(UUID.test(modelId) && { modelId: modelId.toLowerCase() }),
    by: oneOf(RANK_BY, query.get('by'), 'units'),
    granularity: oneOf(GRANULARITIES, query.get('granularity'), 'day'),
  };
}

/** The query string of a view; defaults (`by=units`, `granularity=day`) are left out. */
export function toSearch(state: ViewState): string {
  const query = new URLSearchParams({ from: state.from, to: state.to });
  if (state.currency) query.set('currency', state.currency);
  if (state.brandId) query.set('brandId', state.brandId);
  if (state.modelId) query.set('modelId', state.modelId);
  if (state.by !== 'units') query.set('by', state.by);
  if (state.granularity !== 'day') query.set('granularity', state.granularity);
  return `?${query}`;
}
