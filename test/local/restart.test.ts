import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { api, tokenFor } from '../support/http';
import { spawnServer, stopServer } from './server-process';

describe('npm start: persistence and shutdown', () => {
  let dataDir: string;

  afterAll(async () => {
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('stops cleanly on SIGTERM and keeps its data under DATA_DIR across a restart', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'car-sales-'));
    const first = spawnServer({ PORT: '0', DATA_DIR: dataDir });
    const firstUrl = { url: await first.ready };
    const writer = api(firstUrl, await tokenFor(firstUrl, 'demo-writer'));
    const created = await writer.post<{ id: string }>('/brands', { name: 'Persisted Motors', country: 'SE' });
    expect(created.status).toBe(201);

    const exitCode = await stopServer(first);

    expect(exitCode).toBe(0);
    expect(first.output()).toContain('Stopped cleanly.');

    const second = spawnServer({ PORT: '0', DATA_DIR: dataDir });
    try {
      const secondUrl = { url: await second.ready };
      const reader = api(secondUrl, await tokenFor(secondUrl, 'demo-reader'));
      const fetched = await reader.get<{ name: string }>(`/brands/${created.body.id}`);

      expect(fetched.status).toBe(200);
      expect(fetched.body.name).toBe('Persisted Motors');
    } finally {
      await stopServer(second);
    }
  }, 120_000);
});
