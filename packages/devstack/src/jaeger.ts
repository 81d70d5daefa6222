// The trace backend of `npm start` and of system tests that ask for it: Jaeger's all-in-one (collector + in-memory
// storage + query API in one process), built from the pinned Go module in tools/jaeger like daprd and FerretDB.
// Sidecars and apps send it OTLP over HTTP; its query API answers `/api/traces?service=…&tags=…`. The module holds no
// web UI assets, so http://<query>/ shows no UI: the API is what there is (README, "Observability").
import { join } from 'node:path';
import { type InfraHandle, type InfraOptions } from './infra.ts';
import { freePort, httpOk, isListening, waitUntil } from './net.ts';
import { repoRoot } from './paths.ts';
import { ManagedProcess } from './proc.ts';
import { ensureGoModule, pinnedVersion, type GoToolModule } from './toolchain.ts';

const jaegerModule: GoToolModule = {
  dir: join(repoRoot, 'tools/jaeger'),
  pinned: 'github.com/jaegertracing/jaeger',
  binaries: () => [{ name: 'jaeger', pkg: 'github.com/jaegertracing/jaeger/cmd/all-in-one', ldflags: '-s -w' }],
};

export const jaegerVersion = (): string => pinnedVersion(jaegerModule);

/** Builds (first use only, with progress) or finds the cached Jaeger all-in-one binary. */
export async function ensureJaeger(log: (line: string) => void = console.log): Promise<string> {
  const built = await ensureGoModule('jaeger', jaegerModule, log);
  return built.jaeger!;
}

/** Jaeger's listeners, all on loopback. */
export interface JaegerPorts {
  /** OTLP over HTTP (`/v1/traces`): what daprd and the apps export to. */
  otlpHttp: number;
  otlpGrpc: number;
  /** The query API (`/api/traces`, `/api/services`). */
  query: number;
  queryGrpc: number;
  admin: number;
  collectorHttp: number;
  collectorGrpc: number;
}

/** `npm start`'s: the OTLP and query ports everyone knows (4318, 16686), the rest Jaeger's defaults. */
export const defaultJaegerPorts: JaegerPorts = {
  otlpHttp: 4318,
  otlpGrpc: 4317,
  query: 16686,
  queryGrpc: 16685,
  admin: 14269,
  collectorHttp: 14268,
  collectorGrpc: 14250,
};

export async function randomJaegerPorts(): Promise<JaegerPorts> {
  const keys = Object.keys(defaultJaegerPorts) as (keyof JaegerPorts)[];
  const ports = await Promise.all(keys.map(() => freePort()));
  return Object.fromEntries(keys.map((k, i) => [k, ports[i]!])) as unknown as JaegerPorts;
}

export interface Jaeger extends InfraHandle {
  /** OTEL_EXPORTER_OTLP_ENDPOINT for the apps (http://127.0.0.1:<otlpHttp>). */
  otlpEndpoint: string;
  /** host:port for daprd's `tracing.otel.endpointAddress`. */
  otlpAddress: string;
  /** The query API's base URL (http://127.0.0.1:<query>). */
  queryUrl: string;
}

/**
 * Starts Jaeger all-in-one on `ports` (in-memory storage, at most `maxTraces` traces kept), or with `reuse` finds one
 * already answering on the query port (a second `npm start`).
 */
export async function startJaeger(binary: string, ports: JaegerPorts, opts: InfraOptions, maxTraces = 50_000): Promise<Jaeger> {
  const hp = (p: number) => `127.0.0.1:${p}`;
  const urls = { otlpEndpoint: `http://${hp(ports.otlpHttp)}`, otlpAddress: hp(ports.otlpHttp), queryUrl: `http://${hp(ports.query)}` };
  const base = { name: 'jaeger', port: ports.query, url: `${urls.queryUrl}/api/services`, ...urls };
  if (opts.reuse && (await isListening(ports.query)) && (await isListening(ports.otlpHttp))) {
    return { ...base, owned: false, stop: async () => {} };
  }
  const proc = new ManagedProcess(
    'jaeger',
    binary,
    [
      `--collector.otlp.http.host-port=${hp(ports.otlpHttp)}`,
      `--collector.otlp.grpc.host-port=${hp(ports.otlpGrpc)}`,
      `--collector.http-server.host-port=${hp(ports.collectorHttp)}`,
      `--collector.grpc-server.host-port=${hp(ports.collectorGrpc)}`,
      `--query.http-server.host-port=${hp(ports.query)}`,
      `--query.grpc-server.host-port=${hp(ports.queryGrpc)}`,
      `--admin.http.host-port=${hp(ports.admin)}`,
      `--memory.max-traces=${maxTraces}`,
      '--log-level=warn',
    ],
    { logFile: join(opts.logDir, 'jaeger.log'), env: { ...process.env, SPAN_STORAGE_TYPE: 'memory' } },
  );
  await waitUntil(
    `jaeger on ports ${ports.query} (query) and ${ports.otlpHttp} (OTLP)`,
    async () => (await httpOk(`${urls.queryUrl}/api/services`)) && (await isListening(ports.otlpHttp)),
    { timeoutMs: 60_000, abortIf: () => proc.deadReason() },
  );
  return { ...base, owned: true, process: proc, stop: () => proc.stop() };
}
