import { createServer, connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** Asks the kernel for a free TCP port on loopback. */
export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolvePort(addr.port) : reject(new Error('no port'))));
    });
  });
}

export async function isListening(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((done) => {
    const sock = connect({ port, host });
    sock.setTimeout(500);
    sock.once('connect', () => {
      sock.destroy();
      done(true);
    });
    sock.once('timeout', () => {
      sock.destroy();
      done(false);
    });
    sock.once('error', () => done(false));
  });
}

export interface WaitOptions {
  timeoutMs?: number;
  intervalMs?: number;
  /** Checked on every round: a process that died will never become ready. */
  abortIf?: () => string | undefined;
}

/** Polls `probe` until it returns true, or fails naming `what` after the timeout. */
export async function waitUntil(what: string, probe: () => Promise<boolean>, opts: WaitOptions = {}): Promise<void> {
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  for (;;) {
    const aborted = opts.abortIf?.();
    if (aborted) throw new Error(`${what}: ${aborted}`);
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what}: not ready after ${opts.timeoutMs ?? 30_000} ms`);
    await sleep(opts.intervalMs ?? 100);
  }
}

export async function httpOk(url: string, init?: RequestInit): Promise<boolean> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(2_000) });
  await res.arrayBuffer();
  return res.ok;
}
