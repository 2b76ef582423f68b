import { h } from './dom';
import { button } from './panel';
import { PRESETS, type PresetName, presetRange, presetsOf, todayUtc, type ViewState } from './state';

/** Currencies offered in the picker (a currency from the URL is added when it is not among them). */
const CURRENCIES = ['EUR', 'USD', 'GBP', 'CHF', 'SEK', 'NOK', 'DKK', 'PLN', 'CZK', 'JPY'];

/** The range (presets, or two UTC days) and the currency of the view. */
export class RangeControls {
  readonly element: HTMLFormElement;
  private readonly from = h('input', { type: 'date', id: 'from', name: 'from', required: true });
  private readonly to = h('input', { type: 'date', id: 'to', name: 'to', required: true });
  private readonly currency = h('select', { id: 'currency', name: 'currency' });
  private readonly presets: HTMLButtonElement[];

  constructor(navigate: (change: Partial<ViewState>) => void) {
    this.presets = (Object.keys(PRESETS) as PresetName[]).map((name) =>
      button(PRESETS[name], () => navigate(presetRange(name, todayUtc())), {
        'aria-pressed': 'false',
        'data-preset': name,
      }),
    );
    this.element = h(
      'form',
      { class: 'controls', 'aria-label': 'Range and currency' },
      h('div', { class: 'presets', role: 'group', 'aria-label': 'Range presets' }, ...this.presets),
      h('div', { class: 'field' }, h('label', { for: 'from' }, 'From (UTC)'), this.from),
      h('div', { class: 'field' }, h('label', { for: 'to' }, 'To (UTC)'), this.to),
      h('div', { class: 'field' }, h('label', { for: 'currency' }, 'Currency'), this.currency),
      h('button', { type: 'submit' }, 'Apply'),
    );
    // Typed days apply on submit (a half-typed date fires change events too); presets and currency at once.
    this.element.addEventListener('submit', (event) => {
      event.preventDefault();
      if (this.element.reportValidity()) navigate({ from: this.from.value, to: this.to.value });
    });
    this.currency.addEventListener('change', () => navigate({ currency: this.currency.value || undefined }));
  }

  sync(view: ViewState): void {
    this.from.value = view.from;
    this.to.value = view.to;
    const codes = [...new Set([...(view.currency ? [view.currency] : []), ...CURRENCIES])];
    this.currency.replaceChildren(
      h('option', { value: '' }, 'Reporting currency'),
      ...codes.map((code) => h('option', { value: code, selected: code === view.currency }, code)),
    );
    const pressed: string[] = presetsOf(view, todayUtc());
    for (const preset of this.presets) {
      preset.setAttribute('aria-pressed', String(pressed.includes(preset.dataset.preset ?? '')));
    }
  }
}
