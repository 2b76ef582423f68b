/**
 * openapi.yaml through the linters partners run, from devDependencies, with the committed rulesets
 * (redocly.yaml, .spectral.yaml): Redocly `recommended` with no warning, Spectral `spectral:oas` + OWASP with no
 * error, and swagger-parser's validation.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import SwaggerParser from '@apidevtools/swagger-parser';
import { describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '..', '..');
const OPENAPI = join(ROOT, 'openapi.yaml');
const run = promisify(execFile);
const bin = (name: string) => join(ROOT, 'node_modules', '.bin', name);

/** Runs a linter CLI; resolves with its output whatever its exit code (the assertions read the output). */
async function lint(command: string, args: string[]) {
  try {
    const { stdout, stderr } = await run(bin(command), args, { cwd: ROOT, maxBuffer: 32 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const { code, stdout, stderr } = error as { code: number; stdout: string; stderr: string };
    return { code, stdout, stderr };
  }
}

describe('File: openapi.yaml (linters)', () => {
  it('passes Redocly recommended with no warning', async () => {
    // Act
    const result = await lint('redocly', [
      'lint',
      OPENAPI,
      '--config',
      join(ROOT, 'redocly.yaml'),
      '--format',
      'json',
    ]);

    // Assert
    const report = JSON.parse(result.stdout) as {
      totals: { errors: number; warnings: number };
      problems: unknown[];
    };
    expect(report.problems).toEqual([]);
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
  }, 120_000);

  it('passes Spectral (spectral:oas and the OWASP ruleset) with no error', async () => {
    // Act
    const result = await lint('spectral', [
      'lint',
      OPENAPI,
      '--ruleset',
      join(ROOT, '.spectral.yaml'),
      '--format',
      'json',
      '--quiet',
    ]);

    // Assert
    const findings = JSON.parse(result.stdout || '[]') as {
      code: string;
      severity: number;
      path: string[];
    }[];
    const errors = findings.filter((finding) => finding.severity === 0);
    expect(errors.map((error) => `${error.code} at ${error.path.join('.')}`)).toEqual([]);
  }, 120_000);

  it('is valid to swagger-parser', async () => {
    // Act & Assert
    await expect(SwaggerParser.validate(OPENAPI)).resolves.toMatchObject({ openapi: '3.1.0' });
  }, 60_000);
});
