import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '../../local/stack';

const ROOT = join(__dirname, '..', '..');

/** The README's curl walkthrough, as a reader would paste it, pointed at this test's server. */
async function walkthrough(url: string): Promise<string> {
  const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Calling the API with curl'));
  const script = /```sh\n([\s\S]*?)```/.exec(section)?.[1];
  if (!script?.includes('API=http://127.0.0.1:3000')) throw new Error('README: curl walkthrough not found');
  return script.replace('API=http://127.0.0.1:3000', `API=${url}`);
}

describe('README: the curl walkthrough', () => {
  let stack: LocalStack;

  beforeAll(async () => {
    stack = await startLocalStack({ port: 0, projectorIntervalMs: 0 });
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('succeeds step by step, and again when run a second time', async () => {
    const script = await walkthrough(stack.url);
    // A reader's own folder: the files the walkthrough writes (sales.csv) stay out of the repository.
    const cwd = await mkdtemp(join(tmpdir(), 'walkthrough-'));
    // -e: the first failing command (curl --fail-with-body, or a field missing in an answer) fails the run.
    const run = () => promisify(execFile)('bash', ['-e', '-o', 'pipefail', '-c', script], { cwd });

    const first = await run();
    const second = await run();
    await rm(cwd, { recursive: true, force: true });

    for (const { stdout } of [first, second]) {
      expect(stdout).toContain('"quantity":2');
      expect(stdout).toContain('"importedRows":1');
      expect(stdout).not.toContain('undefined');
    }
  }, 60_000);
});
