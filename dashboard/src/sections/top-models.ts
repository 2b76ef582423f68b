import type { TopModelsBody } from '../api-types';
import { dataTable, h } from '../dom';
import { unnamed } from '../format';
import { button, Panel } from '../panel';
import { RANK_BY, type ViewState } from '../state';
import { type DashboardContext, type Section, STALE_NAMES } from './section';

const LIMIT = 10;

/** The best-selling models of the range, by units or revenue; a model's name opens it below. */
export class TopModels implements Section {
  private readonly panel = new Panel('top', 'Top models');
  readonly element = this.panel.section;
  private readonly choices: HTMLInputElement[];

  constructor(private readonly context: DashboardContext) {
    this.choices = RANK_BY.map((by) => {
      const input = h('input', { type: 'radio', name: 'by', id: `by-${by}`, value: by });
      input.addEventListener('change', () => context.navigate({ by }));
      return input;
    });
    this.panel.controls.append(
      h(
        'fieldset',
        { class: 'inline' },
        h('legend', {}, 'Rank by'),
        ...this.choices.map((input) =>
          h('label', { for: input.id }, input, input.value === 'units' ? ' Units' : ' Revenue'),
        ),
      ),
    );
  }

  async load(view: ViewState, signal: AbortSignal): Promise<void> {
    for (const input of this.choices) input.checked = input.value === view.by;
    this.panel.loading();
    const { from, to, currency, by } = view;
    const body = await this.context.api.get<TopModelsBody>(
      '/stats/models/top',
      { from, to, currency, by, limit: LIMIT },
      signal,
    );
    const { figures } = this.context;
    const missingNames = body.items.some((item) => item.modelName === null || item.brandName === null);
    this.panel.setNotice(body.namesStale || missingNames ? STALE_NAMES : undefined);
    if (body.items.length === 0) return this.panel.empty('No models sold in this range.');
    const names = body.items.map((item) => item.modelName ?? unnamed('model', item.modelId));
    this.panel.show(
      `Top ${body.items.length} models by ${body.by}, ${body.from} to ${body.to}`,
      { kind: 'categories', labels: names },
      [figures.rankSeries(body.by, body.items, body.currency)],
      dataTable(
        `Top models by ${body.by} (${body.currency})`,
        ['Rank', 'Model', 'Brand', 'Units', 'Revenue', 'Orders'],
        body.items.map((item, i) => {
          const name = names[i] ?? '';
          const open = () => this.context.navigate({ brandId: item.brandId, modelId: item.modelId });
          return [
            { text: String(item.rank), value: String(item.rank) },
            {
              text: name,
              content: button(name, open, { class: 'link', title: 'Show this brand and model below' }),
            },
            { text: item.brandName ?? unnamed('brand', item.brandId) },
            figures.countCell(item.units),
            figures.moneyCell(item.revenue, body.currency),
            figures.countCell(item.orders),
          ];
        }),
      ),
    );
  }

  fail(message: string): void {
    this.panel.error(message, () => this.context.reload());
  }
}
