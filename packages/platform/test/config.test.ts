import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, loadConfig } from '../src/config.ts';

describe('loadConfig', () => {
  it('applies the base defaults and the service shape', () => {
    const config = loadConfig({ CACHE_TTL: z.coerce.number().default(60) }, { APP_ID: 'catalog', APP_PORT: '3001' });
    expect(config).toMatchObject({
      APP_ID: 'catalog',
      APP_PORT: 3001,
      APP_HOST: '127.0.0.1',
      DAPR_HOST: '127.0.0.1',
      DAPR_HTTP_PORT: 3500,
      DAPR_GRPC_PORT: 50001,
      LOG_LEVEL: 'info',
      CACHE_TTL: 60,
    });
    expect(config.DAPR_API_TOKEN).toBeUndefined();
  });

  it('fails fast with one line naming every missing or invalid variable, never a value', () => {
    const env = { APP_PORT: 'eighty', LOG_LEVEL: 'loud', DAPR_API_TOKEN: 's3cret-token', OTEL_EXPORTER_OTLP_ENDPOINT: 'nope' };
    let error: unknown;
    try {
      loadConfig({ MONGODB_URI: z.string() }, env);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const { message, variables } = error as ConfigError;
    expect(message).not.toContain('\n');
    expect(variables.sort()).toEqual(['APP_ID', 'APP_PORT', 'LOG_LEVEL', 'MONGODB_URI', 'OTEL_EXPORTER_OTLP_ENDPOINT']);
    expect(message).toMatch(/^Invalid configuration: /);
    expect(message).toContain('APP_ID is missing');
    expect(message).toContain('MONGODB_URI is missing');
    expect(message).toMatch(/APP_PORT is invalid \(.+\)/);
    expect(message).toMatch(/LOG_LEVEL is invalid/);
    expect(message).not.toContain('eighty');
    expect(message).not.toContain('s3cret-token');
  });

  it('treats an empty variable as unset', () => {
    expect(() => loadConfig({}, { APP_ID: '', APP_PORT: '3000' })).toThrow('APP_ID is missing');
    expect(loadConfig({}, { APP_ID: 'x', APP_PORT: '3000', LOG_LEVEL: '' }).LOG_LEVEL).toBe('info');
  });

  it('rejects ports outside 0-65535 and non-digit ports', () => {
    expect(() => loadConfig({}, { APP_ID: 'x', APP_PORT: '70000' })).toThrow(/APP_PORT is invalid/);
    expect(() => loadConfig({}, { APP_ID: 'x', APP_PORT: '0x50' })).toThrow(/APP_PORT is invalid/);
  });
});
