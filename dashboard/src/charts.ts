import uPlot from 'uplot';

/**
 * Charts on uPlot (canvas, small, made for time series). Each chart fills its host's width and follows it
 * when the page is resized; the figures themselves are also in a table next to each chart (`./table`).
 */
const SCALES = ['money', 'count'] as const;
export type Scale = (typeof SCALES)[number];

export interface SeriesSpec {
  label: string;
  values: readonly number[];
  color: string;
  scale: Scale;
  style: 'line' | 'bars';
  /** Axis ticks and legend values. */
  format: (value: number) => string;
}

export type XAxis =
  /** UTC days, as `YYYY-MM-DD`. */
  | { kind: 'days'; days: readonly string[] }
  /** One bar slot per label (models, periods). */
  | { kind: 'categories'; labels: readonly string[] };

export interface Chart {
  destroy(): void;
}

const AXIS_COLOR = '#3d3d3d';
const GRID_COLOR = '#e3e3e3';
const FONT = '12px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
const bars = uPlot.paths.bars?.({ size: [0.7, 64] });

/** Whole steps only: orders and units have no fractions. */
const COUNT_STEPS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1e3, 2e3, 5e3, 1e4, 2e4, 5e4, 1e5, 2e5, 5e5, 1e6];

/** Axis width from its longest tick label (about 7 px a character at 12 px), so no label is clipped. */
const labelRoom = (_u: uPlot, values: string[] | null) =>
  Math.max(40, 18 + 7 * Math.max(0, ...(values ?? []).map((value) => String(value).length)));

const heightFor = (width: number) => Math.round(Math.min(340, Math.max(220, width * 0.45)));

/** Draws the series into `host` (emptied first). */
export function drawChart(host: HTMLElement, x: XAxis, series: readonly SeriesSpec[]): Chart {
  host.replaceChildren();
  const xs =
    x.kind === 'days'
      ? x.days.map((day) => Date.parse(`${day}T00:00:00Z`) / 1000)
      : x.labels.map((_, i) => i);
  // Money on the left, counts on the right, whatever order the series are drawn in.
  const scales = SCALES.filter((scale) => series.some((s) => s.scale === scale));
  const formatOf = (scale: Scale) => series.find((s) => s.scale === scale)?.format ?? String;
  const width = Math.max(280, host.clientWidth);

  const options: uPlot.Options = {
    width,
    height: heightFor(width),
    tzDate: (seconds) => uPlot.tzDate(new Date(seconds * 1000), 'Etc/UTC'),
    cursor: { drag: { x: false, y: false } },
    // The legend names the series; the values are in the table (a live legend would need the pointer).
    legend: { show: true, live: false },
    scales: {
      x:
        x.kind === 'days' ? { time: true } : { time: false, range: (_u, min, max) => [min - 0.5, max + 0.5] },
      ...Object.fromEntries(
        scales.map((scale) => [
          scale,
          {
            range: (_u: uPlot, _min: number, max: number) =>
              [0, max > 0 ? max * 1.08 : 1] as uPlot.Range.MinMax,
          },
        ]),
      ),
    },
    series: [
      x.kind === 'days'
        ? {
            label: 'Day',
            value: (_u, seconds) =>
              seconds == null ? '' : new Date(seconds * 1000).toISOString().slice(0, 10),
          }
        : { label: 'Item', value: (_u, i) => (i == null ? '' : (x.labels[i] ?? '')) },
      ...series.map(
        (s): uPlot.Series => ({
          label: s.label,
          scale: s.scale,
          stroke: s.color,
          ...(s.style === 'bars'
            ? { width: 1, fill: `${s.color}80`, paths: bars, points: { show: false } }
            : { width: 2 }),
          value: (_u, value) => (value == null ? '' : s.format(value)),
        }),
      ),
    ],
    axes: [
      {
        stroke: AXIS_COLOR,
        font: FONT,
        grid: { stroke: GRID_COLOR },
        ticks: { stroke: GRID_COLOR },
        ...(x.kind === 'categories' && {
          splits: () => x.labels.map((_, i) => i),
          values: (u: uPlot, splits: number[]) => {
            const room = Math.floor(u.bbox.width / devicePixelRatio / Math.max(1, x.labels.length) / 7);
            return splits.map((i) => truncate(x.labels[i] ?? '', room));
          },
          grid: { show: false },
        }),
      },
      ...scales.map(
        (scale, i): uPlot.Axis => ({
          scale,
          side: i === 0 ? 3 : 1,
          stroke: AXIS_COLOR,
          font: FONT,
          size: labelRoom,
          ...(scale === 'count' && { incrs: COUNT_STEPS }),
          grid: { show: i === 0, stroke: GRID_COLOR },
          ticks: { stroke: GRID_COLOR },
          values: (_u, splits) => splits.map((value) => formatOf(scale)(value)),
        }),
      ),
    ],
  };
  const chart = new uPlot(options, [xs, ...series.map((s) => [...s.values])], host);
  const resize = new ResizeObserver(() => {
    const next = Math.max(280, host.clientWidth);
    if (next !== chart.width) chart.setSize({ width: next, height: heightFor(next) });
  });
  resize.observe(host);
  return {
    destroy() {
      resize.disconnect();
      chart.destroy();
    },
  };
}

function truncate(label: string, room: number): string {
  if (room < 2) return '';
  return label.length <= room ? label : `${label.slice(0, Math.max(1, room - 1))}…`;
}
