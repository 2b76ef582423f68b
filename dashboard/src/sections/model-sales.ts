import type { ModelPageBody, ModelSalesBody } from '../api-types';
import { dataTable, h } from '../dom';
import { COLORS } from '../figures';
import { unnamed } from '../format';
import { Panel } from '../panel';
import { GRANULARITIES, type ViewState } from '../state';
import type { DashboardContext, Section } from './section';

type Model = ModelPageBody['items'][number];

/** One model's units (bars) and revenue (line) per day, ISO week, month or year. */
export class ModelSales implements Section {
  private readonly panel = new Panel('model', 'Model sales per period');
  readonly element = this.panel.section;
  private readonly select = h('select', { id: 'model-select' });
  private readonly granularity = h(
    'select',
    { id: 'granularity' },
    ...GRANULARITIES.map((g) => h('option', { value: g }, `Per ${g}`)),
  );

  constructor(private readonly context: DashboardContext) {
    this.select.addEventListener('change', () =>
      context.navigate({ modelId: this.select.value || undefined }),
    );
    this.granularity.addEventListener('change', () => {
      const granularity = GRANULARITIES.find((g) => g === this.granularity.value);
      if (granularity) context.navigate({ granularity });
    });
    this.panel.controls.append(
      h('div', { class: 'field' }, h('label', { for: 'model-select' }, 'Model'), this.select),
      h('div', { class: 'field' }, h('label', { for: 'granularity' }, 'Period'), this.granularity),
    );
  }

  async load(view: ViewState, signal: AbortSignal): Promise<void> {
    this.granularity.value = view.granularity;
    this.panel.loading();
    const { api } = this.context;
    const { from, to, currency, granularity, brandId, modelId } = view;
    const models = brandId
      ? api.get<ModelPageBody>('/models', { brandId, limit: 100 }, signal).then((page) => page.items)
      : Promise.resolve<Model[]>([]);
    const sales = modelId
      ? api.get<ModelSalesBody>(`/models/${modelId}/sales`, { from, to, granularity, currency }, signal)
      : undefined;
    const items = await models;
    // A model from the URL that is not among the brand's (or with no brand chosen): its own name.
    const chosen =
      items.find((m) => m.id === modelId) ??
      (modelId ? await api.get<Model>(`/models/${modelId}`, {}, signal).catch(() => undefined) : undefined);
    this.select.disabled = !brandId && !modelId;
    this.select.replaceChildren(
      h('option', { value: '' }, brandId ? 'Choose a model' : 'Choose a brand first'),
      ...(modelId && !items.some((m) => m.id === modelId)
        ? [h('option', { value: modelId, selected: true }, chosen?.name ?? unnamed('model', modelId))]
        : []),
      ...items.map((m) => h('option', { value: m.id, selected: m.id === modelId }, m.name)),
    );
    if (!sales) {
      return this.panel.empty(
        brandId ? 'Choose a model to see its sales.' : 'Choose a brand, then one of its models.',
      );
    }
    const body = await sales;
    const { figures } = this.context;
    const name = chosen?.name ?? unnamed('model', body.modelId);
    if (body.totals.orders === 0) return this.panel.empty(`No sales of ${name} in this range.`);
    const period = body.granularity;
    this.panel.show(
      `${name}: units (bars) and revenue in ${body.currency} (line) per ${period}, ${body.from} to ${body.to}`,
      { kind: 'categories', labels: body.periods.map((p) => p.period) },
      [
        figures.countSeries(
          'Units',
          body.periods.map((p) => p.units),
          COLORS.units,
          'bars',
        ),
        figures.moneySeries(
          'Revenue',
          body.periods.map((p) => p.revenue),
          body.currency,
          'line',
        ),
      ],
      dataTable(
        `${name} per ${period} (${body.currency}); ${figures.count(body.totals.averageUnitsPerPeriod)} units per ${period} on average`,
        [period.charAt(0).toUpperCase() + period.slice(1), 'Units', 'Revenue', 'Orders'],
        body.periods.map((p) => [
          { text: p.period, value: p.period },
          figures.countCell(p.units),
          figures.moneyCell(p.revenue, body.currency),
          figures.countCell(p.orders),
        ]),
      ),
    );
  }

  fail(message: string): void {
    this.panel.error(message, () => this.context.reload());
  }
}
