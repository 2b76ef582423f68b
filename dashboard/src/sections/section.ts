import type { ApiClient } from '../api';
import type { Figures } from '../figures';
import type { ViewState } from '../state';

/** What every section is handed: the API, formatting, and the way to another view. */
export interface DashboardContext {
  readonly api: ApiClient;
  readonly figures: Figures;
  /** Moves to another view: a new history entry, then a load. */
  navigate(change: Partial<ViewState>): void;
  /** Loads the current view again (the retry buttons). */
  reload(): void;
}

/** One part of the dashboard that loads its figures for a view. */
export interface Section {
  readonly element: HTMLElement;
  /** Loads and shows the view; rejects with the API client's errors. */
  load(view: ViewState, signal: AbortSignal): Promise<void>;
  /** Shows why the last load failed. */
  fail(message: string): void;
}

export const STALE_NAMES =
  'Names may be out of date: the catalog could not be reached, so they come from an earlier copy (or are missing).';
