import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { hasErrorCode } from './node-errors';

/** Another live process serves the same data directory (PGlite and dynalite each allow one process). */
export class DataDirInUseError extends Error {
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(`DATA_DIR ${dataDir} is in use by another server (pid ${pid})`);
    this.name = 'DataDirInUseError';
  }
}

export interface DataDirLock {
  release(): Promise<void>;
}

const LOCK_FILE = 'server.lock';

/**
 * Claims `dataDir` for this process with a lock file holding its pid. A lock whose pid is no longer alive
 * (the server was killed with -9 or crashed) is stale and taken over, so a crash never blocks a restart.
 */
export async function lockDataDir(dataDir: string, pid = process.pid): Promise<DataDirLock> {
  await mkdir(dataDir, { recursive: true });
  const path = join(dataDir, LOCK_FILE);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const file = await open(path, 'wx');
      await file.writeFile(`${pid}\n`);
      await file.close();
      return { release: () => releaseIfOurs(path, pid) };
    } catch (error) {
      if (!hasErrorCode(error, 'EEXIST')) throw error;
    }
    const holder = await readPid(path);
    if (holder !== undefined && holder !== pid && isAlive(holder))
      throw new DataDirInUseError(dataDir, holder);
    await rm(path, { force: true }); // stale (dead pid, or a file cut short by a crash): take it over
  }
  throw new Error(`Could not lock DATA_DIR ${dataDir}: ${path} keeps reappearing`);
}

async function releaseIfOurs(path: string, pid: number): Promise<void> {
  if ((await readPid(path)) === pid) await rm(path, { force: true });
}

async function readPid(path: string): Promise<number | undefined> {
  try {
    const pid = Number.parseInt(await readFile(path, 'utf8'), 10);
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch (error) {
    if (hasErrorCode(error, 'ENOENT')) return undefined;
    throw error;
  }
}

/** Signal 0 checks for existence only; EPERM means alive but owned by another user. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return hasErrorCode(error, 'EPERM');
  }
}
