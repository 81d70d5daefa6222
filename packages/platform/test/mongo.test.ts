import { describe, expect, it } from 'vitest';
import { connectMongo, redactUri } from '../src/mongo.ts';
import { captureLogger } from './helpers.ts';

describe('connectMongo', () => {
  it('fails fast when no server answers, without leaking the password', async () => {
    const started = Date.now();
    const uri = 'mongodb://shop:hunter2@127.0.0.1:1/globalmart';
    const outcome = await connectMongo(uri, captureLogger().logger, { serverSelectionTimeoutMS: 200 }).then(
      () => 'connected',
      (e: unknown) => e,
    );
    const err = outcome as Error;
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toBe('cannot connect to MongoDB at mongodb://***@127.0.0.1:1/globalmart');
    expect(err.message).not.toContain('hunter2');
  });

  it('redacts credentials only', () => {
    expect(redactUri('mongodb://u:p@h:27017/db?authSource=admin')).toBe('mongodb://***@h:27017/db?authSource=admin');
    expect(redactUri('mongodb://h:27017/db')).toBe('mongodb://h:27017/db');
  });
});
