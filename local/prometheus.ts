import { type EmfDocument, METRICS, METRICS_NAMESPACE, type MetricName } from '../lambdas/shared/metrics';

interface Series {
  name: MetricName;
  labels: [string, string][];
  /** Counters and summaries: the sum of the values; gauges: the last value. */
  value: number;
  /** Summaries: how many values. */
  count: number;
}

/** `SqlLatency` → `car_sales_api_sql_latency`. */
const PREFIX = `${snake(METRICS_NAMESPACE)}_`;

/**
 * The local server's metrics, in Prometheus text format: fed with the EMF documents the functions publish
 * (lambdas/shared/metrics.ts), so it shows exactly the values CloudWatch would receive. Each EMF metric becomes
 * `car_sales_api_<snake_case name>` with its dimensions as labels: counters end in `_total`, gauges keep the
 * last value, and SQL latency is a summary in seconds (`_sum`, `_count`).
 */
export class PrometheusRegistry {
  private readonly series = new Map<string, Series>();

  record(document: EmfDocument): void {
    for (const directive of document._aws.CloudWatchMetrics) {
      const labels = (directive.Dimensions[0] ?? []).map((key): [string, string] => [
        key,
        String(document[key]),
      ]);
      for (const { Name } of directive.Metrics) {
        if (!(Name in METRICS)) continue;
        const name = Name as MetricName;
        const raw = document[name];
        const values = (Array.isArray(raw) ? raw : [raw]).filter((v): v is number => typeof v === 'number');
        const key = `${name}${JSON.stringify(labels)}`;
        const series = this.series.get(key) ?? { name, labels, value: 0, count: 0 };
        this.series.set(key, series);
        if (METRICS[name].kind === 'gauge') series.value = values.at(-1) ?? series.value;
        else series.value += values.reduce((sum, value) => sum + value, 0);
        series.count += values.length;
      }
    }
  }

  /** The text exposition format, version 0.0.4. */
  text(): string {
    const lines: string[] = [];
    const names = [...new Set([...this.series.values()].map((series) => series.name))].sort();
    for (const name of names) {
      const { kind, unit, help } = METRICS[name];
      const base = `${PREFIX}${snake(name)}${unit === 'Milliseconds' ? '_seconds' : ''}`;
      const exposed = kind === 'counter' ? `${base}_total` : base;
      lines.push(`# HELP ${exposed} ${help} (EMF ${name}, ${unit}).`, `# TYPE ${exposed} ${kind}`);
      const all = [...this.series.values()].filter((series) => series.name === name);
      for (const series of all.sort((a, b) => labelText(a).localeCompare(labelText(b)))) {
        if (kind === 'summary') {
          const scale = unit === 'Milliseconds' ? 1 / 1000 : 1;
          lines.push(`${base}_sum${labelText(series)} ${series.value * scale}`);
          lines.push(`${base}_count${labelText(series)} ${series.count}`);
        } else {
          lines.push(`${exposed}${labelText(series)} ${series.value}`);
        }
      }
    }
    return `${lines.join('\n')}\n`;
  }
}

function labelText({ labels }: Series): string {
  if (labels.length === 0) return '';
  const quoted = (value: string) => value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
  return `{${labels.map(([key, value]) => `${key}="${quoted(value)}"`).join(',')}}`;
}

function snake(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}
