import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Honest end to end: a real service process, preloaded the way services are started, with a real socket.
const packageDir = fileURLToPath(new URL('..', import.meta.url));
const pinnedNode = fileURLToPath(new URL('../../../node_modules/.bin/node', import.meta.url));
const nodeBin = existsSync(pinnedNode) ? pinnedNode : process.execPath;

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT_SPAN = '00f067aa0ba902b7';
type Line = Record<string, unknown> & { msg?: string; req?: { url?: string } };

let downstream: Server;
const traceparents: (string | undefined)[] = [];

beforeAll(async () => {
  downstream = createServer((req, res) => {
    traceparents.push(req.headers.traceparent as string | undefined);
    res.end('pong');
  });
  await new Promise<void>((resolve) => downstream.listen(0, '127.0.0.1', resolve));
});
afterAll(() => new Promise<void>((resolve) => downstream.close(() => resolve())));

function runService(preload: string) {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !/^(OTEL_|NODE_OPTIONS|VITEST)/.test(k)) env[k] = v;
  }
  Object.assign(env, {
    APP_ID: 'traced',
    APP_PORT: '0',
    DAPR_HTTP_PORT: '1', // no sidecar: readiness would fail, tracing must not care
    DOWNSTREAM_URL: `http://127.0.0.1:${(downstream.address() as AddressInfo).port}/ping`,
  });
  const child = spawn(nodeBin, ['--import', preload, 'test/fixtures/traced.service.ts'], { cwd: packageDir, env });
  const lines: Line[] = [];
  const waiters: { match: (l: Line) => boolean; resolve: (l: Line) => void }[] = [];
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  createInterface({ input: child.stdout }).on('line', (text) => {
    const line = JSON.parse(text) as Line;
    lines.push(line);
    for (const w of waiters.filter((w) => w.match(line))) w.resolve(line);
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const waitFor = (match: (l: Line) => boolean) =>
    new Promise<Line>((resolve, reject) => {
      const found = lines.find(match);
      if (found) return resolve(found);
      waiters.push({ match, resolve });
      void exited.then((code) => reject(new Error(`service exited (${code}) early: ${stderr}`)));
    });
  return { child, lines, exited, waitFor };
}

async function hop(url: string) {
  const res = await fetch(`${url}/hop`, { headers: { traceparent: `00-${TRACE_ID}-${PARENT_SPAN}-01` } });
  expect(res.status).toBe(200);
  return (await res.json()) as { traceId?: string; downstream: string };
}

describe('telemetry: W3C trace context from the sidecar continues in the app', () => {
  it('handler span, request log line and outgoing call all carry the incoming trace id', async () => {
    traceparents.length = 0;
    const svc = runService('@globalmart/platform/telemetry');
    const listening = await svc.waitFor((l) => typeof l.url === 'string');
    const body = await hop(String(listening.url));

    expect(body.traceId).toBe(TRACE_ID);
    expect(body.downstream).toBe('pong');
    expect(traceparents[0]).toMatch(new RegExp(`^00-${TRACE_ID}-[0-9a-f]{16}-01$`));
    expect(traceparents[0]).not.toContain(PARENT_SPAN); // a child span of ours, not the caller's

    const completed = await svc.waitFor((l) => l.msg === 'request completed' && l.req?.url === '/hop');
    expect(completed.trace_id).toBe(TRACE_ID);
    expect(completed.span_id).toMatch(/^[0-9a-f]{16}$/);
    expect((await svc.waitFor((l) => l.msg === 'hop done')).trace_id).toBe(TRACE_ID);
    expect(svc.lines.some((l) => String(l.msg).startsWith('tracing is off'))).toBe(false);

    svc.child.kill('SIGTERM');
    expect(await svc.exited).toBe(0);
    expect(svc.lines.map((l) => l.msg)).toEqual(expect.arrayContaining(['shutting down', 'stopped']));
  }, 30_000);

  it('control: without the ESM loader hook, outgoing node:http calls lose the trace (why the hook exists)', async () => {
    traceparents.length = 0;
    const svc = runService('./test/fixtures/no-hook.register.ts');
    const listening = await svc.waitFor((l) => typeof l.url === 'string');
    const body = await hop(String(listening.url));
    // Incoming still works (express requires 'http' through CJS), outgoing ESM imports are not patched.
    expect(body.traceId).toBe(TRACE_ID);
    expect(traceparents).toEqual([undefined]);
    svc.child.kill('SIGTERM');
    expect(await svc.exited).toBe(0);
  }, 30_000);
});
