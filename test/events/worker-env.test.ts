import { describe, expect, it } from 'vitest';
import { workerEnv, workerEnvironment } from '../../lambdas/ingest/env';
import { readEnv } from '../../lambdas/shared/config';
import { DEFAULTS } from '../../lib/defaults';

describe('Function: workerEnvironment', () => {
  it('writes settings the worker reads back unchanged, and a bad value stops the cold start by name', () => {
    const settings = {
      maxReceiveCount: DEFAULTS.ingest.maxReceiveCount,
      breakerThreshold: DEFAULTS.ingest.breakerThreshold,
      breakerOpenMs: DEFAULTS.ingest.breakerOpenMs,
      slowWriteMs: DEFAULTS.ingest.slowWriteMs,
    };
    expect(readEnv(workerEnv, workerEnvironment(DEFAULTS.ingest)).INGEST_WORKER_SETTINGS).toEqual(settings);
    expect(() => readEnv(workerEnv, { INGEST_WORKER_SETTINGS: '{"maxReceiveCount":0}' })).toThrow(
      /INGEST_WORKER_SETTINGS/,
    );
    expect(() => readEnv(workerEnv, { INGEST_WORKER_SETTINGS: 'not json' })).toThrow(/must be JSON/);
  });
});
