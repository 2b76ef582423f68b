import { type Chart, drawChart, type SeriesSpec, type XAxis } from './charts';
import { h } from './dom';

/**
 * One section of the dashboard: a heading, its own controls, a status line (loading, empty, error with a
 * retry), a notice (stale names), and the chart with its table alternative.
 */
export class Panel {
  readonly section: HTMLElement;
  readonly controls: HTMLElement;
  private readonly status: HTMLElement;
  private readonly notice: HTMLElement;
  private readonly body: HTMLElement;
  private readonly chartHost: HTMLElement;
  private readonly tableSlot: HTMLElement;
  private chart: Chart | undefined;

  constructor(id: string, title: string) {
    const headingId = `${id}-title`;
    this.controls = h('div', { class: 'panel-controls' });
    this.status = h('p', { class: 'panel-status', role: 'status' });
    this.notice = h('p', { class: 'notice', hidden: true });
    this.chartHost = h('div', { class: 'chart', role: 'img', id: `${id}-chart` });
    this.tableSlot = h('div', { class: 'table-scroll' });
    this.body = h(
      'div',
      { class: 'panel-body', hidden: true },
      this.chartHost,
      h('details', { class: 'table-alt' }, h('summary', {}, 'Show the figures as a table'), this.tableSlot),
    );
    this.section = h(
      'section',
      { class: 'panel', id, 'aria-labelledby': headingId },
      h('h2', { id: headingId }, title),
      this.controls,
      this.status,
      this.notice,
      this.body,
    );
  }

  loading(): void {
    this.section.setAttribute('aria-busy', 'true');
    this.section.dataset.state = 'loading';
    this.status.replaceChildren('Loading…');
    this.status.className = 'panel-status';
  }

  /** Nothing to draw: says why (no sales, nothing chosen). */
  empty(message: string): void {
    this.clear('empty');
    this.status.replaceChildren(message);
  }

  error(message: string, retry?: () => void): void {
    this.clear('error');
    this.status.className = 'panel-status error';
    this.status.replaceChildren(h('span', { role: 'alert' }, message));
    if (retry) this.status.append(' ', button('Retry', retry));
  }

  /** Stale or missing names, shown above the chart. */
  setNotice(text: string | undefined): void {
    this.notice.hidden = text === undefined;
    this.notice.replaceChildren(text ?? '');
  }

  show(label: string, x: XAxis, series: readonly SeriesSpec[], table: HTMLTableElement): void {
    this.clear('ready');
    this.body.hidden = false;
    this.chartHost.setAttribute('aria-label', `${label}. The same figures are in the table below.`);
    this.tableSlot.replaceChildren(table);
    this.chart = drawChart(this.chartHost, x, series);
  }

  private clear(state: 'empty' | 'error' | 'ready'): void {
    this.chart?.destroy();
    this.chart = undefined;
    this.section.removeAttribute('aria-busy');
    this.section.dataset.state = state;
    this.status.className = 'panel-status';
    this.status.replaceChildren();
    this.body.hidden = true;
  }
}

export function button(
  text: string,
  onClick: () => void,
  attributes: Record<string, string> = {},
): HTMLButtonElement {
  const element = h('button', { type: 'button', ...attributes }, text);
  element.addEventListener('click', onClick);
  return element;
}
