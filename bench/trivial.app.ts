// The trivial handler behind the benches' ceiling (bench/ceiling.ts): node:http, no framework, no logging, no
// telemetry; a fixed small JSON body for any path, 404 for daprd's discovery calls (no subscriptions, no actors).
import { createServer } from 'node:http';

const body = Buffer.from(JSON.stringify({ ok: true }));
const server = createServer((req, res) => {
  if (req.url?.startsWith('/dapr/')) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length }).end(body);
});
// Longer than the sidecar's idle keep-alive, as the kit's services do.
server.keepAliveTimeout = 65_000;
server.listen(Number(process.env.APP_PORT), '127.0.0.1');
process.once('SIGTERM', () => server.close(() => process.exit(0)));
process.once('SIGINT', () => server.close(() => process.exit(0)));
