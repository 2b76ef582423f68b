/**
 * `npm run partner` (scripts/partner.ts) as an operator runs it, as its own process against the local stack:
 * its requests go through the typed client, its flags are checked before any network call.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import type { Schemas } from '../client';
import { expectData, expectProblem } from './support/api';
import { stackTest } from './support/fixtures';

const ROOT = join(__dirname, '..');
const test = stackTest({ projectorIntervalMs: 0 });

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI against `url` as demo-admin (every flag given, so no API_URL / TOKEN_URL of the caller leaks in). */
function partnerCli(url: string, ...args: string[]): Promise<Run> {
  const where = ['--url', url, '--token-url', `${url}/oauth2/token`];
  const admin = ['--client-id', 'demo-admin', '--client-secret', 'demo-admin-secret'];
  const argv = [
    join(ROOT, 'node_modules/tsx/dist/cli.mjs'),
    'scripts/partner.ts',
    ...args,
    ...where,
    ...admin,
  ];
  return new Promise((resolve) => {
    execFile(process.execPath, argv, { cwd: ROOT }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
      resolve({ code, stdout, stderr });
    });
  });
}

function partnerOf(run: Run): Schemas['PartnerCreated'] {
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as Schemas['PartnerCreated'];
}

describe('npm run partner', () => {
  test('creates, updates and deletes a partner through the API', async ({ stack, admin }) => {
    const created = await partnerCli(
      stack.url,
      'create',
      '--name',
      ' Nordic Dealers AB ',
      '--tier',
      'standard',
    );
    const partner = partnerOf(created);
    const path = { params: { path: { clientId: partner.clientId } } };

    expect(partner).toMatchObject({ name: 'Nordic Dealers AB', tier: 'standard', role: 'reader' });
    expect(partner.clientSecret).toEqual(expect.any(String));
    expect(created.stderr).toContain('Store clientSecret and apiKey now');
    expect(expectData(await admin.GET('/partners/{clientId}', path))).toMatchObject({ tier: 'standard' });

    const updated = partnerOf(await partnerCli(stack.url, 'update', partner.clientId, '--tier', 'premium'));
    expect(updated).toMatchObject({ clientId: partner.clientId, tier: 'premium' });
    expect(expectData(await admin.GET('/partners/{clientId}', path))).toMatchObject({ tier: 'premium' });

    const deleted = await partnerCli(stack.url, 'delete', partner.clientId);
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(deleted.stdout).toContain(`Partner ${partner.clientId} removed.`);
    expectProblem(await admin.GET('/partners/{clientId}', path), 404);
  });

  test('refuses a flag the API would refuse with a usage error, and creates nothing', async ({
    stack,
    admin,
  }) => {
    const before = expectData(await admin.GET('/partners')).items;

    const run = await partnerCli(stack.url, 'create', '--name', 'Gold Dealers', '--tier', 'gold');

    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/tier/);
    expect(run.stdout).toBe('');
    expect(expectData(await admin.GET('/partners')).items).toEqual(before);
  });

  test('prints the problem and exits 1 when the API refuses', async ({ stack }) => {
    const run = await partnerCli(stack.url, 'get', 'no_such_partner');

    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({
      status: 404,
      detail: expect.stringContaining('no_such_partner'),
    });
  });
});
