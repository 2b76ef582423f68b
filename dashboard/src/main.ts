import './styles.css';
import { ApiClient, ApiError, RateLimitedError, SessionExpiredError } from './api';
import type {
  BrandPageBody,
  BrandStatsBody,
  DailyRevenueBody,
  ModelPageBody,
  ModelSalesBody,
  RevenueStatsBody,
  TopModelsBody,
} from './api-types';
import type { SeriesSpec } from './charts';
import { readConfig } from './config';
import { type Cell, dataTable, h } from './dom';
import { formatCompactMoney, formatCount, formatDay, formatMoney, unnamed } from './format';
import { button, Panel } from './panel';
import { SignIn } from './signin';
import {
  GRANULARITIES,
  PRESETS,
  type PresetName,
  parseState,
  presetRange,
  presetsOf,
  RANK_BY,
  type RankBy,
  todayUtc,
  toSearch,
  type ViewState,
} from './state';

/**
 * The partner dashboard: revenue, orders and average order value for a range, revenue and orders per day,
 * top models, a brand's models and one model's sales per period, all from the public API's stats operations.
 */
const config = readConfig();
const locale = navigator.language || undefined;
const COLORS = { revenue: '#1f5fa8', orders: '#b34700', units: '#2e7d32' } as const;
const CURRENCIES = ['EUR', 'USD', 'GBP', 'CHF', 'SEK', 'NOK', 'DKK', 'PLN', 'CZK', 'JPY'];
const TOP_LIMIT = 10;
/** Brands offered in the picker: pages of 100, at most this many pages. */
const MAX_BRAND_PAGES = 10;
const STALE_NAMES =
  'Names may be out of date: the catalog could not be reached, so they come from an earlier copy (or are missing).';

const live = h('p', { class: 'visually-hidden', role: 'status', 'aria-live': 'polite' });
const announce = (text: string) => live.replaceChildren(text);
const api = new ApiClient({
  apiBase: config.apiBase,
  tokenUrl: config.tokenUrl,
  onRateLimited: (seconds) => announce(`The API asks to slow down; trying again in ${seconds} s.`),
});

let state: ViewState = parseState(location.search, todayUtc());
let inFlight: AbortController | undefined;

// ---------------------------------------------------------------------------------------------------------
// Layout

const signOutButton = button('Sign out', () => expire('You signed out.'), { class: 'secondary' });
signOutButton.hidden = true;
const signIn = new SignIn(api, config.prefill, () => {
  signIn.close();
  dashboard.hidden = false;
  signOutButton.hidden = false;
  heading.focus();
  void load();
});

const heading = h('h1', { tabindex: -1 }, 'Car sales dashboard');
const fromInput = h('input', { type: 'date', id: 'from', name: 'from', required: true });
const toInput = h('input', { type: 'date', id: 'to', name: 'to', required: true });
const currencySelect = h('select', { id: 'currency', name: 'currency' });
const presetButtons = (Object.keys(PRESETS) as PresetName[]).map((name) =>
  button(PRESETS[name], () => navigate({ ...state, ...presetRange(name, todayUtc()) }), {
    'aria-pressed': 'false',
    'data-preset': name,
  }),
);
const controls = h(
  'form',
  { class: 'controls', 'aria-label': 'Range and currency' },
  h('div', { class: 'presets', role: 'group', 'aria-label': 'Range presets' }, ...presetButtons),
  h('div', { class: 'field' }, h('label', { for: 'from' }, 'From (UTC)'), fromInput),
  h('div', { class: 'field' }, h('label', { for: 'to' }, 'To (UTC)'), toInput),
  h('div', { class: 'field' }, h('label', { for: 'currency' }, 'Currency'), currencySelect),
  h('button', { type: 'submit' }, 'Apply'),
);
controls.addEventListener('submit', (event) => {
  event.preventDefault();
  if (!controls.reportValidity()) return;
  navigate({ ...state, from: fromInput.value, to: toInput.value });
});
currencySelect.addEventListener('change', () =>
  navigate({ ...state, currency: currencySelect.value || undefined }),
);

const figureStatus = h('p', { class: 'panel-status', role: 'status' });
const figure = (name: string, label: string) => {
  const value = h('p', { class: 'figure-value', 'data-figure': name }, '–');
  return {
    value,
    card: h(
      'div',
      { class: 'figure' },
      h('p', { class: 'figure-label', id: `figure-${name}` }, label),
      value,
    ),
  };
};
const figures = {
  totalRevenue: figure('totalRevenue', 'Total revenue'),
  orders: figure('orders', 'Orders'),
  averageOrderValue: figure('averageOrderValue', 'Average order value'),
};
const summary = h(
  'section',
  { class: 'panel summary', id: 'summary', 'aria-labelledby': 'summary-title' },
  h('h2', { id: 'summary-title' }, 'Summary'),
  figureStatus,
  h('div', { class: 'figures' }, ...Object.values(figures).map((f) => f.card)),
);

const daily = new Panel('daily', 'Revenue and orders per day');
const top = new Panel('top', 'Top models');
const brand = new Panel('brand', 'Brand breakdown by model');
const model = new Panel('model', 'Model sales per period');

const rankBy = h(
  'fieldset',
  { class: 'inline' },
  h('legend', {}, 'Rank by'),
  ...RANK_BY.map((by) => {
    const input = h('input', { type: 'radio', name: 'by', id: `by-${by}`, value: by });
    input.addEventListener('change', () => navigate({ ...state, by }));
    return h('label', { for: `by-${by}` }, input, by === 'units' ? ' Units' : ' Revenue');
  }),
);
top.controls.append(rankBy);

const brandSelect = h('select', { id: 'brand-select' });
brandSelect.addEventListener('change', () =>
  navigate({ ...state, brandId: brandSelect.value || undefined, modelId: undefined }),
);
brand.controls.append(
  h('div', { class: 'field' }, h('label', { for: 'brand-select' }, 'Brand'), brandSelect),
);

const modelSelect = h('select', { id: 'model-select' });
modelSelect.addEventListener('change', () => navigate({ ...state, modelId: modelSelect.value || undefined }));
const granularitySelect = h(
  'select',
  { id: 'granularity' },
  ...GRANULARITIES.map((g) => h('option', { value: g }, `Per ${g}`)),
);
granularitySelect.addEventListener('change', () => {
  const granularity = GRANULARITIES.find((g) => g === granularitySelect.value);
  if (granularity) navigate({ ...state, granularity });
});
model.controls.append(
  h('div', { class: 'field' }, h('label', { for: 'model-select' }, 'Model'), modelSelect),
  h('div', { class: 'field' }, h('label', { for: 'granularity' }, 'Period'), granularitySelect),
);

const dashboard = h(
  'main',
  { id: 'dashboard', hidden: true },
  controls,
  summary,
  h('div', { class: 'grid' }, daily.section, top.section, brand.section, model.section),
);

document
  .getElementById('app')
  ?.replaceChildren(
    h(
      'header',
      { class: 'top-bar' },
      heading,
      h(
        'nav',
        { 'aria-label': 'Links' },
        h('a', { href: `${config.apiBase}/docs` }, 'API console'),
        signOutButton,
      ),
    ),
    live,
    signIn.section,
    dashboard,
  );

window.addEventListener('popstate', () => {
  state = parseState(location.search, todayUtc());
  if (api.signedIn) void load();
});
history.replaceState(null, '', toSearch(state));
syncControls();
signIn.open();

// ---------------------------------------------------------------------------------------------------------
// State and loading

function navigate(next: ViewState) {
  state = next;
  history.pushState(null, '', toSearch(state));
  void load();
}

function expire(reason: string) {
  inFlight?.abort();
  api.signOut();
  dashboard.hidden = true;
  signOutButton.hidden = true;
  signIn.open(reason);
}

function syncControls() {
  fromInput.value = state.from;
  toInput.value = state.to;
  const codes = [...new Set([...(state.currency ? [state.currency] : []), ...CURRENCIES])];
  currencySelect.replaceChildren(
    h('option', { value: '' }, 'Reporting currency'),
    ...codes.map((code) => h('option', { value: code, selected: code === state.currency }, code)),
  );
  const pressed: string[] = presetsOf(state, todayUtc());
  for (const preset of presetButtons) {
    preset.setAttribute('aria-pressed', String(pressed.includes(preset.dataset.preset ?? '')));
  }
  for (const input of rankBy.querySelectorAll('input')) input.checked = input.value === state.by;
  granularitySelect.value = state.granularity;
  document.title = `Car sales ${state.from} to ${state.to}`;
}

async function load() {
  inFlight?.abort();
  const controller = new AbortController();
  inFlight = controller;
  const { signal } = controller;
  const view = state;
  syncControls();
  const range = { from: view.from, to: view.to, currency: view.currency };
  const tasks = [
    guarded(summaryTask(range, signal), (message) => summaryError(message)),
    guarded(dailyTask(range, signal), (message) => daily.error(message, () => void load())),
    guarded(topTask(view, signal), (message) => top.error(message, () => void load())),
    guarded(brandTask(view, signal), (message) => brand.error(message, () => void load())),
    guarded(modelTask(view, signal), (message) => model.error(message, () => void load())),
  ];
  await Promise.all(tasks);
  if (!signal.aborted) announce(`Showing ${formatDay(view.from, locale)} to ${formatDay(view.to, locale)}.`);
}

/** Runs one panel's task; a lost session asks to sign in again, other errors go to the panel. */
async function guarded(task: Promise<void>, onError: (message: string) => void) {
  try {
    await task;
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') return;
    if (error instanceof SessionExpiredError) return expire(error.message);
    onError(messageOf(error));
  }
}

function messageOf(error: unknown): string {
  if (error instanceof RateLimitedError) {
    return `Too many requests: the API asks to wait ${error.retryAfterSeconds} s before the next one.`;
  }
  if (error instanceof ApiError) return error.message;
  if (error instanceof TypeError) return 'The API could not be reached. Check the connection and retry.';
  return 'Something went wrong loading this part.';
}

type Range = { from: string; to: string; currency: string | undefined };

async function summaryTask(range: Range, signal: AbortSignal) {
  summary.setAttribute('aria-busy', 'true');
  figureStatus.replaceChildren('Loading…');
  const body = await api.get<RevenueStatsBody>('/stats/revenue', range, signal);
  summary.removeAttribute('aria-busy');
  figureStatus.replaceChildren(body.orders === 0 ? `No sales in ${body.currency} in this range.` : '');
  setFigure(
    figures.totalRevenue.value,
    body.totalRevenue,
    formatMoney(body.totalRevenue, body.currency, locale),
  );
  setFigure(figures.orders.value, String(body.orders), formatCount(body.orders, locale));
  setFigure(
    figures.averageOrderValue.value,
    body.averageOrderValue,
    body.averageOrderValue === null ? '–' : formatMoney(body.averageOrderValue, body.currency, locale),
  );
}

function summaryError(message: string) {
  summary.removeAttribute('aria-busy');
  figureStatus.replaceChildren(
    h('span', { role: 'alert', class: 'error' }, message),
    ' ',
    button('Retry', () => void load()),
  );
  for (const { value } of Object.values(figures)) setFigure(value, null, '–');
}

function setFigure(element: HTMLElement, value: string | null, text: string) {
  if (value === null) element.removeAttribute('data-value');
  else element.dataset.value = value;
  element.replaceChildren(text);
}

const moneySeries = (
  label: string,
  values: number[],
  currency: string,
  style: 'line' | 'bars',
): SeriesSpec => ({
  label,
  values,
  color: COLORS.revenue,
  scale: 'money',
  style,
  format: (value) => formatCompactMoney(value, currency, locale),
});
const countSeries = (label: string, values: number[], color: string, style: 'line' | 'bars'): SeriesSpec => ({
  label,
  values,
  color,
  scale: 'count',
  style,
  format: (value) => formatCount(value, locale),
});
const moneyCell = (amount: string, currency: string): Cell => ({
  text: formatMoney(amount, currency, locale),
  value: amount,
  numeric: true,
});
const countCell = (count: number): Cell => ({
  text: formatCount(count, locale),
  value: String(count),
  numeric: true,
});

async function dailyTask(range: Range, signal: AbortSignal) {
  daily.loading();
  const body = await api.get<DailyRevenueBody>('/stats/revenue/daily', range, signal);
  if (body.days.every((day) => day.orders === 0)) {
    return daily.empty(
      `No sales in ${body.currency} between ${formatDay(body.from, locale)} and ${formatDay(body.to, locale)}.`,
    );
  }
  daily.show(
    `Revenue in ${body.currency} (line) and orders (bars) per day, ${body.from} to ${body.to}`,
    { kind: 'days', days: body.days.map((day) => day.date) },
    // Bars first, so the revenue line is drawn over them.
    [
      countSeries(
        'Orders',
        body.days.map((day) => day.orders),
        COLORS.orders,
        'bars',
      ),
      moneySeries(
        'Revenue',
        body.days.map((day) => Number(day.revenue)),
        body.currency,
        'line',
      ),
    ],
    dataTable(
      `Revenue, orders and units per day (${body.currency})`,
      ['Day', 'Revenue', 'Orders', 'Units'],
      body.days.map((day) => [
        { text: formatDay(day.date, locale), value: day.date },
        moneyCell(day.revenue, body.currency),
        countCell(day.orders),
        countCell(day.units),
      ]),
    ),
  );
}

const rankSeries = (by: RankBy, values: { units: number; revenue: string }[], currency: string) =>
  by === 'revenue'
    ? moneySeries(
        'Revenue',
        values.map((v) => Number(v.revenue)),
        currency,
        'bars',
      )
    : countSeries(
        'Units',
        values.map((v) => v.units),
        COLORS.units,
        'bars',
      );

async function topTask(view: ViewState, signal: AbortSignal) {
  top.loading();
  const body = await api.get<TopModelsBody>(
    '/stats/models/top',
    { from: view.from, to: view.to, currency: view.currency, by: view.by, limit: TOP_LIMIT },
    signal,
  );
  const missingNames = body.items.some((item) => item.modelName === null || item.brandName === null);
  top.setNotice(body.namesStale || missingNames ? STALE_NAMES : undefined);
  if (body.items.length === 0) return top.empty('No models sold in this range.');
  const names = body.items.map((item) => item.modelName ?? unnamed('model', item.modelId));
  top.show(
    `Top ${body.items.length} models by ${body.by}, ${body.from} to ${body.to}`,
    { kind: 'categories', labels: names },
    [rankSeries(body.by, body.items, body.currency)],
    dataTable(
      `Top models by ${body.by} (${body.currency})`,
      ['Rank', 'Model', 'Brand', 'Units', 'Revenue', 'Orders'],
      body.items.map((item, i) => [
        { text: String(item.rank), value: String(item.rank) },
        {
          text: names[i] ?? '',
          content: button(
            names[i] ?? '',
            () => navigate({ ...view, brandId: item.brandId, modelId: item.modelId }),
            {
              class: 'link',
              title: 'Show this brand and model below',
            },
          ),
        },
        { text: item.brandName ?? unnamed('brand', item.brandId) },
        countCell(item.units),
        moneyCell(item.revenue, body.currency),
        countCell(item.orders),
      ]),
    ),
  );
}

let brandOptions: Promise<BrandPageBody['items']> | undefined;

async function brandTask(view: ViewState, signal: AbortSignal) {
  brand.loading();
  brandOptions ??= allBrands().catch((error: unknown) => {
    brandOptions = undefined;
    throw error;
  });
  const stats = view.brandId
    ? api.get<BrandStatsBody>(
        `/stats/brands/${view.brandId}`,
        { from: view.from, to: view.to, currency: view.currency },
        signal,
      )
    : undefined;
  const brands = await brandOptions;
  const known = brands.some((b) => b.id === view.brandId);
  brandSelect.replaceChildren(
    h('option', { value: '' }, 'Choose a brand'),
    ...(view.brandId && !known
      ? [h('option', { value: view.brandId, selected: true }, unnamed('brand', view.brandId))]
      : []),
    ...brands.map((b) => h('option', { value: b.id, selected: b.id === view.brandId }, b.name)),
  );
  if (!stats) {
    brand.setNotice(undefined);
    return brand.empty(
      brands.length === 0 ? 'There are no brands yet.' : 'Choose a brand to see its models.',
    );
  }
  const body = await stats;
  const missingNames = body.brandName === null || body.models.some((m) => m.modelName === null);
  brand.setNotice(body.namesStale || missingNames ? STALE_NAMES : undefined);
  const brandName = body.brandName ?? unnamed('brand', body.brandId);
  const models = body.models.filter((m) => m.orders > 0);
  if (models.length === 0) return brand.empty(`No sales of ${brandName} in this range.`);
  const sorted = [...models].sort((a, b) =>
    view.by === 'revenue' ? Number(b.revenue) - Number(a.revenue) : b.units - a.units,
  );
  const names = sorted.map((m) => m.modelName ?? unnamed('model', m.modelId));
  brand.show(
    `${brandName}: ${view.by} per model, ${body.from} to ${body.to}`,
    { kind: 'categories', labels: names },
    [rankSeries(view.by, sorted, body.currency)],
    dataTable(
      `${brandName} by model (${body.currency}); total ${formatMoney(body.totals.revenue, body.currency, locale)} in ${formatCount(body.totals.orders, locale)} orders`,
      ['Model', 'Units', 'Revenue', 'Orders'],
      sorted.map((m, i) => [
        { text: names[i] ?? '' },
        countCell(m.units),
        moneyCell(m.revenue, body.currency),
        countCell(m.orders),
      ]),
    ),
  );
}

async function allBrands(): Promise<BrandPageBody['items']> {
  const brands: BrandPageBody['items'] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_BRAND_PAGES; page++) {
    const body = await api.get<BrandPageBody>('/brands', { limit: 100, cursor });
    brands.push(...body.items);
    if (!body.nextCursor) break;
    cursor = body.nextCursor;
  }
  return brands;
}

async function modelTask(view: ViewState, signal: AbortSignal) {
  model.loading();
  const models = view.brandId
    ? api.get<ModelPageBody>('/models', { brandId: view.brandId, limit: 100 }, signal)
    : Promise.resolve(undefined);
  const sales = view.modelId
    ? api.get<ModelSalesBody>(
        `/models/${view.modelId}/sales`,
        { from: view.from, to: view.to, granularity: view.granularity, currency: view.currency },
        signal,
      )
    : undefined;
  const items = (await models)?.items ?? [];
  const chosen = items.find((m) => m.id === view.modelId);
  modelSelect.disabled = !view.brandId && !view.modelId;
  modelSelect.replaceChildren(
    h('option', { value: '' }, view.brandId ? 'Choose a model' : 'Choose a brand first'),
    ...(view.modelId && !chosen
      ? [h('option', { value: view.modelId, selected: true }, unnamed('model', view.modelId))]
      : []),
    ...items.map((m) => h('option', { value: m.id, selected: m.id === view.modelId }, m.name)),
  );
  if (!sales)
    return model.empty(
      view.brandId ? 'Choose a model to see its sales.' : 'Choose a brand, then one of its models.',
    );
  const body = await sales;
  const name = chosen?.name ?? unnamed('model', body.modelId);
  if (body.totals.orders === 0) return model.empty(`No sales of ${name} in this range.`);
  model.show(
    `${name}: units (bars) and revenue in ${body.currency} (line) per ${body.granularity}, ${body.from} to ${body.to}`,
    { kind: 'categories', labels: body.periods.map((p) => p.period) },
    [
      countSeries(
        'Units',
        body.periods.map((p) => p.units),
        COLORS.units,
        'bars',
      ),
      moneySeries(
        'Revenue',
        body.periods.map((p) => Number(p.revenue)),
        body.currency,
        'line',
      ),
    ],
    dataTable(
      `${name} per ${body.granularity} (${body.currency}); ${formatCount(body.totals.averageUnitsPerPeriod, locale)} units per ${body.granularity} on average`,
      [body.granularity[0]?.toUpperCase() + body.granularity.slice(1), 'Units', 'Revenue', 'Orders'],
      body.periods.map((p) => [
        { text: p.period, value: p.period },
        countCell(p.units),
        moneyCell(p.revenue, body.currency),
        countCell(p.orders),
      ]),
    ),
  );
}
