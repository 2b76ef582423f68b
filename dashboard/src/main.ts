import './styles.css';
import { ApiClient, ApiError, RateLimitedError, SessionExpiredError } from './api';
import { readConfig } from './config';
import { h } from './dom';
import { Figures } from './figures';
import { button } from './panel';
import { RangeControls } from './range-controls';
import { BrandBreakdown } from './sections/brand';
import { DailyRevenue } from './sections/daily';
import { ModelSales } from './sections/model-sales';
import type { DashboardContext, Section } from './sections/section';
import { Summary } from './sections/summary';
import { TopModels } from './sections/top-models';
import { SignIn } from './signin';
import { parseState, todayUtc, toSearch, type ViewState } from './state';

/**
 * The partner dashboard: revenue, orders and average order value for a range, revenue and orders per day,
 * top models, a brand's models and one model's sales per period, all from the public API's operations.
 * The view lives in the URL; the token lives in the `ApiClient` only.
 */
const config = readConfig();
const live = h('p', { class: 'visually-hidden', role: 'status', 'aria-live': 'polite' });
const announce = (text: string) => live.replaceChildren(text);
const api = new ApiClient({
  apiBase: config.apiBase,
  tokenUrl: config.tokenUrl,
  onRateLimited: (seconds) => announce(`The API asks to slow down; trying again in ${seconds} s.`),
});

let state: ViewState = parseState(location.search, todayUtc());
let inFlight: AbortController | undefined;

const context: DashboardContext = {
  api,
  figures: new Figures(navigator.language || undefined),
  navigate: (change) => {
    state = { ...state, ...change };
    history.pushState(null, '', toSearch(state));
    void load();
  },
  reload: () => void load(),
};

const heading = h('h1', { tabindex: -1 }, 'Car sales dashboard');
const signOutButton = button('Sign out', () => expire('You signed out.'), { class: 'secondary', hidden: '' });
const signIn = new SignIn(api, config.prefill, () => {
  signIn.close();
  dashboard.hidden = false;
  signOutButton.hidden = false;
  heading.focus();
  void load();
});
const controls = new RangeControls(context.navigate);
const summary = new Summary(context);
const panels: Section[] = [
  new DailyRevenue(context),
  new TopModels(context),
  new BrandBreakdown(context),
  new ModelSales(context),
];
const dashboard = h(
  'main',
  { id: 'dashboard', hidden: true },
  controls.element,
  summary.element,
  h('div', { class: 'grid' }, ...panels.map((panel) => panel.element)),
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
controls.sync(state);
signIn.open();

/** Loads every section for the current view; a newer load cancels this one's requests. */
async function load() {
  inFlight?.abort();
  const controller = new AbortController();
  inFlight = controller;
  const view = state;
  controls.sync(view);
  document.title = `Car sales ${view.from} to ${view.to}`;
  await Promise.all([summary, ...panels].map((section) => guarded(section, view, controller.signal)));
  if (!controller.signal.aborted) {
    announce(`Showing ${context.figures.day(view.from)} to ${context.figures.day(view.to)}.`);
  }
}

/** A lost session asks to sign in again; any other error is shown in the section that met it. */
async function guarded(section: Section, view: ViewState, signal: AbortSignal) {
  try {
    await section.load(view, signal);
  } catch (error) {
    if (signal.aborted) return;
    if (error instanceof SessionExpiredError) return expire(error.message);
    section.fail(messageOf(error));
  }
}

function expire(reason: string) {
  inFlight?.abort();
  api.signOut();
  dashboard.hidden = true;
  signOutButton.hidden = true;
  signIn.open(reason);
}

function messageOf(error: unknown): string {
  if (error instanceof RateLimitedError) {
    return `Too many requests: the API asks to wait ${error.retryAfterSeconds} s before the next one.`;
  }
  if (error instanceof ApiError) return error.message;
  if (error instanceof TypeError) return 'The API could not be reached. Check the connection and retry.';
  return 'Something went wrong loading this part.';
}
