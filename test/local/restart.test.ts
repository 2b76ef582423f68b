import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expectData } from '../support/api';
import { clientOf } from '../support/fixtures';
import { spawnServer, stopServer } from './server-process';

describe('npm start: persistence and shutdown', () => {
  let dataDir: string;

  afterAll(async () => {
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('stops cleanly on SIGTERM and keeps its data under DATA_DIR across a restart', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'car-sales-'));
    const first = spawnServer({ PORT: '0', DATA_DIR: dataDir });
    const writer = await clientOf({ url: await first.ready }, 'demo-writer');
    const created = expectData(
      await writer.POST('/brands', { body: { name: 'Persisted Motors', country: 'SE' } }),
      201,
    );

    const exitCode = await stopServer(first);

    expect(exitCode).toBe(0);
    expect(first.output()).toContain('Stopped cleanly.');

    const second = spawnServer({ PORT: '0', DATA_DIR: dataDir });
    try {
      const reader = await clientOf({ url: await second.ready }, 'demo-reader');
      const fetched = expectData(
        await reader.GET('/brands/{brandId}', { params: { path: { brandId: created.id } } }),
      );

      expect(fetched.name).toBe('Persisted Motors');
    } finally {
      await stopServer(second);
    }
  }, 120_000);
});
