/**
 * Preload for every service: `node --import @globalmart/platform/telemetry src/main.ts`.
 *
 * Services are ESM, so the import-in-the-middle loader hook is required. Checked on Node 24.21 without it:
 * incoming server spans still appear (express's own CJS `require('http')` is patched), but outgoing calls made
 * through `import { request } from 'node:http'` carry no traceparent and ESM-imported express gets no spans.
 * The hook is resolved from sdk-node's own dependency tree, so a hoisting change cannot pick a stray copy.
 */
import { register } from 'node:module';
import { shutdownTelemetry, startTelemetry } from './telemetry.ts';

register('@opentelemetry/instrumentation/hook.mjs', import.meta.resolve('@opentelemetry/sdk-node'));

// APP_ID is validated later by loadConfig, which fails fast with a proper message; here it only names spans.
startTelemetry({ serviceName: process.env.APP_ID || 'unknown_service' });

// A service's graceful shutdown flushes spans itself; this covers scripts that simply run to completion.
process.once('beforeExit', () => void shutdownTelemetry());
