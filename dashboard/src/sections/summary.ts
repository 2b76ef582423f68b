import type { RevenueStatsBody } from '../api-types';
import { h } from '../dom';
import { button } from '../panel';
import type { ViewState } from '../state';
import type { DashboardContext, Section } from './section';

const FIGURES = [
  ['totalRevenue', 'Total revenue'],
  ['orders', 'Orders'],
  ['averageOrderValue', 'Average order value'],
] as const;
type FigureName = (typeof FIGURES)[number][0];

/**
 * Total revenue, orders and average order value. Each value element names its API field (`data-figure`) and
 * holds the API's exact string (`data-value`), whatever the text says.
 */
export class Summary implements Section {
  readonly element: HTMLElement;
  private readonly status = h('p', { class: 'panel-status', role: 'status' });
  private readonly values: Record<FigureName, HTMLElement>;

  constructor(private readonly context: DashboardContext) {
    this.values = {
      totalRevenue: h('p', { class: 'figure-value', 'data-figure': 'totalRevenue' }, '–'),
      orders: h('p', { class: 'figure-value', 'data-figure': 'orders' }, '–'),
      averageOrderValue: h('p', { class: 'figure-value', 'data-figure': 'averageOrderValue' }, '–'),
    };
    this.element = h(
      'section',
      { class: 'panel summary', id: 'summary', 'aria-labelledby': 'summary-title' },
      h('h2', { id: 'summary-title' }, 'Summary'),
      this.status,
      h(
        'div',
        { class: 'figures' },
        ...FIGURES.map(([name, label]) =>
          h('div', { class: 'figure' }, h('p', { class: 'figure-label' }, label), this.values[name]),
        ),
      ),
    );
  }

  async load(view: ViewState, signal: AbortSignal): Promise<void> {
    this.element.setAttribute('aria-busy', 'true');
    this.status.replaceChildren('Loading…');
    const { from, to, currency } = view;
    const body = await this.context.api.get<RevenueStatsBody>(
      '/stats/revenue',
      { from, to, currency },
      signal,
    );
    const { figures } = this.context;
    this.element.removeAttribute('aria-busy');
    this.status.replaceChildren(body.orders === 0 ? `No sales in ${body.currency} in this range.` : '');
    this.set('totalRevenue', body.totalRevenue, figures.money(body.totalRevenue, body.currency));
    this.set('orders', String(body.orders), figures.count(body.orders));
    this.set(
      'averageOrderValue',
      body.averageOrderValue,
      body.averageOrderValue === null ? '–' : figures.money(body.averageOrderValue, body.currency),
    );
  }

  fail(message: string): void {
    this.element.removeAttribute('aria-busy');
    this.status.replaceChildren(
      h('span', { role: 'alert', class: 'error' }, message),
      ' ',
      button('Retry', () => this.context.reload()),
    );
    for (const [name] of FIGURES) this.set(name, null, '–');
  }

  private set(name: FigureName, value: string | null, text: string): void {
    const element = this.values[name];
    if (value === null) element.removeAttribute('data-value');
    else element.dataset.value = value;
    element.replaceChildren(text);
  }
}
