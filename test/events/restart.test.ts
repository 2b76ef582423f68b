/**
 * `npm start` killed with SIGKILL right after it accepted sales events: restarted on the same DATA_DIR, it
 * stores every event that got a 202 (the queue persists under DATA_DIR), each exactly once.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import type { ApiClient, Schemas } from '../../client';
import { expectData, expectStatus } from '../support/api';
import { clientOf } from '../support/fixtures';

const ROOT = join(__dirname, '..', '..');

function startServer(dataDir: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [join(ROOT, 'node_modules/tsx/dist/cli.mjs'), 'local/main.ts'], {
    cwd: ROOT,
    // Unthrottled: the test reads every status back.
    env: {
      ...process.env,
      PORT: '0',
      DATA_DIR: dataDir,
      PROJECTOR_INTERVAL_MS: '0',
      THROTTLE_RATE: '100000',
      THROTTLE_BURST: '100000',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group: tsx runs the server in a child process, and kill -9 must reach both.
    detached: true,
  });
  let output = '';
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const url = /Car-sales API on (http:\/\/\S+)/.exec(output)?.[1];
      if (url) resolve({ url, child });
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on('exit', (code, signal) => reject(new Error(`server exited (${code ?? signal}):\n${output}`)));
  });
}

/** SIGKILL to the server's whole process group: no shutdown hook runs, nothing is flushed. */
async function killHard(child: ChildProcess): Promise<void> {
  const group = -(child.pid ?? 0);
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child.on('exit', resolve));
    process.kill(group, 'SIGKILL');
    await exited;
  }
  // The server itself is tsx's child: wait until no process of the group is left, or its lock looks held.
  const deadline = Date.now() + 10_000;
  while (groupAlive(group) && Date.now() < deadline) await sleep(20);
}

function groupAlive(group: number): boolean {
  try {
    process.kill(group, 0);
    return true;
  } catch {
    return false;
  }
}

/** npm start enforces demo-writer's tier, so a 429 is waited out as its Retry-After says. */
async function patiently<T extends { response: Response }>(call: () => Promise<T>): Promise<T> {
  const answer = await call();
  if (answer.response.status !== 429) return answer;
  await sleep(1000 * Number(answer.response.headers.get('retry-after') ?? 1));
  return patiently(call);
}

async function statusVia(client: ApiClient, ingestionId: string): Promise<Schemas['IngestionStatus']> {
  return expectData(
    await patiently(() => client.GET('/sales/events/{ingestionId}', { params: { path: { ingestionId } } })),
  );
}

describe('npm start: queued events survive kill -9', () => {
  let dataDir: string | undefined;
  let running: ChildProcess | undefined;

  afterAll(async () => {
    if (running) await killHard(running);
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('stores every event that got a 202 exactly once after a SIGKILL and a restart', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'car-sales-events-'));
    const first = await startServer(dataDir);
    running = first.child;
    const admin = await clientOf(first, 'demo-admin');
    const brand = expectData(await admin.POST('/brands', { body: { name: 'Crash Motors' } }), 201);
    const model = expectData(await admin.POST('/models', { body: { brandId: brand.id, name: 'K-9' } }), 201);
    const writer = await clientOf(first, 'demo-writer');
    const ids: string[] = [];
    for (let r = 0; r < 6; r += 1) {
      const events = Array.from({ length: 500 }, (_, k) => ({
        modelId: model.id,
        soldAt: `2025-07-${String((k % 28) + 1).padStart(2, '0')}T09:00:00Z`,
        quantity: 1,
        unitPrice: '25000.00',
        externalId: `kill-${r}-${k}`,
      }));
      const accepted = expectData(await writer.POST('/sales/events', { body: { events } }), 202);
      ids.push(...accepted.items.map((item) => item.ingestionId));
    }
    // Some requests are still queued when the server dies (otherwise this would prove nothing).
    const before = await Promise.all(
      ids.filter((id) => id.endsWith('.0')).map((id) => statusVia(writer, id)),
    );
    await killHard(first.child);
    expect(before.filter((status) => status.status === 'pending').length).toBeGreaterThan(0);

    const second = await startServer(dataDir);
    running = second.child;
    const reader = await clientOf(second, 'demo-writer');
    const statusOf = (id: string) => statusVia(reader, id);
    // The restarted worker drains what the killed one left. A request is one message whose results are
    // written together, so the first event of each request tells when that request is done.
    const firsts = ids.filter((id) => id.endsWith('.0'));
    const deadline = Date.now() + 240_000;
    while ((await Promise.all(firsts.map(statusOf))).some((status) => status.status === 'pending')) {
      if (Date.now() > deadline) throw new Error('events still pending four minutes after the restart');
      await sleep(200);
    }
    const statuses = [];
    for (const id of ids) statuses.push(await statusOf(id));
    const notStored = statuses.filter((status) => status.status !== 'stored');
    expect(notStored.slice(0, 3), `${notStored.length} not stored`).toEqual([]);
    const saleIds = new Set(statuses.map((status) => status.saleId));
    expect(saleIds.size).toBe(ids.length);
    const page = await patiently(() =>
      reader.GET('/sales', { params: { query: { modelId: model.id, limit: 1 } } }),
    );
    expectStatus(page, 200);
  }, 360_000);
});
