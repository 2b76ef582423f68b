import type { BrandPageBody, BrandStatsBody } from '../api-types';
import { dataTable, h } from '../dom';
import { unnamed } from '../format';
import { Panel } from '../panel';
import type { ViewState } from '../state';
import { type DashboardContext, type Section, STALE_NAMES } from './section';

type Brands = BrandPageBody['items'];

/** Brands offered in the picker: pages of 100, at most this many pages. */
const MAX_BRAND_PAGES = 10;

/** The chosen brand's models, by units or revenue, with the brand's totals. */
export class BrandBreakdown implements Section {
  private readonly panel = new Panel('brand', 'Brand breakdown by model');
  readonly element = this.panel.section;
  private readonly select = h('select', { id: 'brand-select' });
  /** The picker's brands, loaded once a session; a failed load is tried again next time. */
  private brands: Promise<Brands> | undefined;

  constructor(private readonly context: DashboardContext) {
    this.select.addEventListener('change', () =>
      context.navigate({ brandId: this.select.value || undefined, modelId: undefined }),
    );
    this.panel.controls.append(
      h('div', { class: 'field' }, h('label', { for: 'brand-select' }, 'Brand'), this.select),
    );
  }

  async load(view: ViewState, signal: AbortSignal): Promise<void> {
    this.panel.loading();
    this.brands ??= this.allBrands().catch((error: unknown) => {
      this.brands = undefined;
      throw error;
    });
    const { from, to, currency, brandId } = view;
    const stats = brandId
      ? this.context.api.get<BrandStatsBody>(`/stats/brands/${brandId}`, { from, to, currency }, signal)
      : undefined;
    const brands = await this.brands;
    this.select.replaceChildren(
      h('option', { value: '' }, 'Choose a brand'),
      ...(brandId && !brands.some((b) => b.id === brandId)
        ? [h('option', { value: brandId, selected: true }, unnamed('brand', brandId))]
        : []),
      ...brands.map((b) => h('option', { value: b.id, selected: b.id === brandId }, b.name)),
    );
    if (!stats) {
      this.panel.setNotice(undefined);
      return this.panel.empty(
        brands.length === 0 ? 'There are no brands yet.' : 'Choose a brand to see its models.',
      );
    }
    const body = await stats;
    const { figures } = this.context;
    const missingNames = body.brandName === null || body.models.some((m) => m.modelName === null);
    this.panel.setNotice(body.namesStale || missingNames ? STALE_NAMES : undefined);
    const brandName = body.brandName ?? unnamed('brand', body.brandId);
    const sold = body.models.filter((m) => m.orders > 0);
    if (sold.length === 0) return this.panel.empty(`No sales of ${brandName} in this range.`);
    const models = sold.sort((a, b) =>
      view.by === 'revenue' ? Number(b.revenue) - Number(a.revenue) : b.units - a.units,
    );
    const names = models.map((m) => m.modelName ?? unnamed('model', m.modelId));
    this.panel.show(
      `${brandName}: ${view.by} per model, ${body.from} to ${body.to}`,
      { kind: 'categories', labels: names },
      [figures.rankSeries(view.by, models, body.currency)],
      dataTable(
        `${brandName} by model (${body.currency}); total ${figures.money(body.totals.revenue, body.currency)} in ${figures.count(body.totals.orders)} orders`,
        ['Model', 'Units', 'Revenue', 'Orders'],
        models.map((m, i) => [
          { text: names[i] ?? '' },
          figures.countCell(m.units),
          figures.moneyCell(m.revenue, body.currency),
          figures.countCell(m.orders),
        ]),
      ),
    );
  }

  fail(message: string): void {
    this.panel.error(message, () => this.context.reload());
  }

  private async allBrands(): Promise<Brands> {
    const brands: Brands = [];
    let cursor: string | undefined;
    for (let page = 0; page < MAX_BRAND_PAGES; page++) {
      const body = await this.context.api.get<BrandPageBody>('/brands', { limit: 100, cursor });
      brands.push(...body.items);
      if (!body.nextCursor) break;
      cursor = body.nextCursor;
    }
    return brands;
  }
}
