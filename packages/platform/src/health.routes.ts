import { Router } from 'express';
import type { Logger } from './logger.ts';
import { problem, sendProblem } from './problem.ts';
import type { Readiness } from './readiness.ts';

/**
 * /healthz: alive (the process answers), never touches dependencies, so a slow database cannot get the
 * process restarted. With `livenessAwaitsReadiness` it is 503 until the readiness checks have passed once,
 * then alive for good. /readyz: every readiness check passes, else 503 problem+json naming the failing ones.
 */
export function healthRoutes(readiness: Readiness, logger: Logger, { livenessAwaitsReadiness = false } = {}): Router {
  const router = Router();
  let everReady = !livenessAwaitsReadiness;
  router.get('/healthz', async (_req, res) => {
    if (!everReady) {
      const report = await readiness.run();
      everReady = report.ready;
      if (!everReady) {
        const waiting = Object.keys(report.checks).filter((name) => report.checks[name] !== 'ok');
        sendProblem(res, problem(503, { code: 'SERVICE.STARTING', detail: `Waiting for: ${waiting.join(', ')}.`, checks: report.checks }));
        return;
      }
    }
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const report = await readiness.run((check, result, err) =>
      logger.warn(err === undefined ? { check, result } : { check, result, err }, 'readiness check failed'),
    );
    if (report.ready) everReady = true;
    if (report.ready) {
      res.json({ status: 'ready', checks: report.checks });
      return;
    }
    const failing = Object.keys(report.checks).filter((name) => report.checks[name] !== 'ok');
    sendProblem(res, problem(503, { code: 'SERVICE.NOT_READY', detail: `Not ready: ${failing.join(', ')}.`, checks: report.checks }));
  });
  return router;
}
