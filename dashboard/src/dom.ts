/** A few DOM helpers: elements with attributes and children, and tables with a caption. */
type Child = Node | string | null | undefined | false;
type Attributes = Record<string, string | boolean | number | undefined>;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    element.setAttribute(name, value === true ? '' : String(value));
  }
  element.append(
    ...children.filter(
      (child): child is Node | string => child !== null && child !== undefined && child !== false,
    ),
  );
  return element;
}

export interface Cell {
  text: string;
  /** The API's exact value, kept beside the formatted text. */
  value?: string;
  numeric?: boolean;
  /** Replaces the text, e.g. a button. */
  content?: Node;
}

/** A data table: a caption, a header row of `th scope=col`, the first cell of each row as `th scope=row`. */
export function dataTable(
  caption: string,
  headers: readonly string[],
  rows: readonly Cell[][],
): HTMLTableElement {
  const numericColumns = new Set(rows[0]?.flatMap((cell, i) => (cell.numeric ? [i] : [])) ?? []);
  return h(
    'table',
    {},
    h('caption', {}, caption),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ...headers.map((header, i) =>
          h('th', { scope: 'col', class: numericColumns.has(i) ? 'num' : undefined }, header),
        ),
      ),
    ),
    h(
      'tbody',
      {},
      ...rows.map((row) =>
        h(
          'tr',
          {},
          ...row.map((cell, i) =>
            h(
              i === 0 ? 'th' : 'td',
              {
                scope: i === 0 ? 'row' : undefined,
                class: cell.numeric ? 'num' : undefined,
                'data-value': cell.value,
              },
              cell.content ?? cell.text,
            ),
          ),
        ),
      ),
    ),
  );
}
