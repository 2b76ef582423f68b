/**
 * Locale-aware display of the API's figures. Money arrives as an exact decimal string and is formatted from
 * that string (Intl formats decimal strings exactly), never through a float.
 */
const formatters = new Map<string, Intl.NumberFormat>();

function cached(key: string, make: () => Intl.NumberFormat): Intl.NumberFormat {
  let formatter = formatters.get(key);
  if (!formatter) {
    formatter = make();
    formatters.set(key, formatter);
  }
  return formatter;
}

const asNumericString = (amount: string) => amount as Intl.StringNumericLiteral;

export function formatMoney(amount: string, currency: string, locale?: string): string {
  try {
    return cached(
      `money:${locale}:${currency}`,
      () => new Intl.NumberFormat(locale, { style: 'currency', currency }),
    ).format(asNumericString(amount));
  } catch {
    return `${amount} ${currency}`;
  }
}

/** Short money for chart axes: `€12K`. */
export function formatCompactMoney(amount: number, currency: string, locale?: string): string {
  try {
    return cached(
      `compact:${locale}:${currency}`,
      () => new Intl.NumberFormat(locale, { style: 'currency', currency, notation: 'compact' }),
    ).format(amount);
  } catch {
    return `${amount} ${currency}`;
  }
}

export function formatCount(count: number, locale?: string): string {
  return cached(`count:${locale}`, () => new Intl.NumberFormat(locale, { maximumFractionDigits: 2 })).format(
    count,
  );
}

/** A UTC day as the reader writes dates, e.g. `31 Mar 2025` or `Mar 31, 2025`. */
export function formatDay(day: string, locale?: string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' }).format(
    new Date(`${day}T00:00:00Z`),
  );
}

/** A name the catalog could not give: the start of the id stands in. */
export const unnamed = (kind: 'model' | 'brand', id: string) => `Unnamed ${kind} ${id.slice(0, 8)}`;
