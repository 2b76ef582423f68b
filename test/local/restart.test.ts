import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { api, tokenFor } from '../support/http';

const ROOT = join(__dirname, '..', '..');

/** Starts `npm start`'s entry point as its own process and resolves with its URL once it listens. */
function startServer(dataDir: string): Promise<{ url: string; child: ChildProcess; output: () => string }> {
  const child = spawn(process.execPath, [join(ROOT, 'node_modules/tsx/dist/cli.mjs'), 'local/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', DATA_DIR: dataDir, PROJECTOR_INTERVAL_MS: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const url = /Car-sales API on (http:\/\/\S+)/.exec(output)?.[1];
      if (url) resolve({ url, child, output: () => output });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on('exit', (code) => reject(new Error(`server exited with ${code}:\n${output}`)));
  });
}

function stopServer(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    child.on('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });
}

describe('npm start: persistence and shutdown', () => {
  let dataDir: string;

  afterAll(async () => {
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('stops cleanly on SIGTERM and keeps its data under DATA_DIR across a restart', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'car-sales-'));
    const first = await startServer(dataDir);
    const writer = api(first, await tokenFor(first, 'demo-writer'));
    const created = await writer.post<{ id: string }>('/brands', { name: 'Persisted Motors', country: 'SE' });
    expect(created.status).toBe(201);

    const exitCode = await stopServer(first.child);

    expect(exitCode).toBe(0);
    expect(first.output()).toContain('Stopped cleanly.');

    const second = await startServer(dataDir);
    try {
      const reader = api(second, await tokenFor(second, 'demo-reader'));
      const fetched = await reader.get<{ name: string }>(`/brands/${created.body.id}`);

      expect(fetched.status).toBe(200);
      expect(fetched.body.name).toBe('Persisted Motors');
    } finally {
      await stopServer(second.child);
    }
  }, 120_000);
});
