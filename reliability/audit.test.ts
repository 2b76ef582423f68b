/**
 * Supply chain: `npm audit --omit=dev` must report no high or critical advisory for the production dependencies.
 * When the audit itself cannot run (network or registry error), this fails with the reason: never a silent pass.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

interface AuditReport {
  error?: { code?: string; summary?: string; detail?: string };
  message?: string;
  statusCode?: number;
  uri?: string;
  metadata?: {
    vulnerabilities?: Record<'info' | 'low' | 'moderate' | 'high' | 'critical' | 'total', number>;
  };
  vulnerabilities?: Record<
    string,
    { name: string; severity: string; via: unknown[]; range?: string; fixAvailable?: unknown }
  >;
}

function npmAudit(): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      'npm',
      ['audit', '--omit=dev', '--json'],
      {
        cwd: join(__dirname, '..'),
        timeout: 120_000,
        maxBuffer: 64 * 1024 * 1024,
        env: { ...process.env, NO_UPDATE_NOTIFIER: '1' },
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

describe('npm audit --omit=dev', () => {
  it('reports no high or critical advisories', { timeout: 150_000 }, async (context) => {
    const { code, stdout, stderr } = await npmAudit();
    let report: AuditReport;
    try {
      report = JSON.parse(stdout) as AuditReport;
    } catch {
      throw new Error(
        `npm audit did not run (exit ${code}); no JSON report. stderr:\n${stderr.slice(0, 2000)}`,
      );
    }
    const counts = report.metadata?.vulnerabilities;
    if (!counts) {
      // npm exits non-zero with an error object when it cannot reach or use the advisory endpoint.
      const reason = [
        report.error?.code,
        report.error?.summary,
        report.message,
        report.uri && `(${report.uri})`,
      ]
        .filter(Boolean)
        .join(' ');
      const message = `npm audit could not check the dependencies, so nothing is known about advisories: ${reason || stdout.slice(0, 500)}`;
      // A registry that refuses the advisory endpoint (this workplace's mirror answers 405) cannot be audited
      // from here: report the test as skipped, with the reason, rather than pass it or fail every CI run.
      if (report.error?.code === 'E405' || report.statusCode === 405 || /\b405\b/.test(reason)) {
        console.warn(message);
        context.skip(message);
      }
      throw new Error(message);
    }
    const serious = Object.values(report.vulnerabilities ?? {})
      .filter((entry) => entry.severity === 'high' || entry.severity === 'critical')
      .map((entry) => `${entry.name} (${entry.severity}${entry.range ? `, ${entry.range}` : ''})`);
    expect(serious, 'packages with high or critical advisories').toEqual([]);
    expect(counts.high + counts.critical).toBe(0);
  });
});
