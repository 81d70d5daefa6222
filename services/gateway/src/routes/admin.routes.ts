import {
  DeadLetterListQuery,
  DeadLetterParams,
  FunnelQuery,
  SalesReportQuery,
  TopProductsQuery,
  type DeadLetter,
  type DeadLetterList,
} from '@globalmart/contracts';
import { parseParams, parseQuery, type ServiceInvoker } from '@globalmart/platform';
import { Router } from 'express';
import type { z } from 'zod';
import type { GatewayAuth } from './gateway-auth.ts';

/** Operations for admins: analytics reports and the platform's dead letters (validated here, re-checked by the owner). */
export function adminRoutes(invoker: ServiceInvoker, auth: GatewayAuth): Router {
  const router = Router();

  const reports: [string, z.ZodObject][] = [
    ['sales', SalesReportQuery],
    ['top-products', TopProductsQuery],
    ['funnel', FunnelQuery],
  ];
  for (const [name, schema] of reports) {
    router.get(`/api/admin/reports/${name}`, auth.requireAdmin, async (req, res) => {
      const query = parseQuery(schema, req) as Record<string, string | number | undefined>;
      const { body } = await invoker.invoke<unknown>('analytics', `reports/${name}`, { query, headers: auth.forwardHeaders(res) });
      res.set('cache-control', 'private, no-store').json(body);
    });
  }

  router.get('/api/admin/dead-letters', auth.requireAdmin, async (req, res) => {
    const query = parseQuery(DeadLetterListQuery, req);
    const { body } = await invoker.invoke<DeadLetterList>('notifications', 'dead-letters', { query, headers: auth.forwardHeaders(res) });
    res.set('cache-control', 'private, no-store').json(body);
  });

  router.post('/api/admin/dead-letters/:id/replay', auth.requireAdmin, async (req, res) => {
    const { id } = parseParams(DeadLetterParams, req);
    const { body } = await invoker.invoke<DeadLetter>('notifications', `dead-letters/${id}/replay`, {
      httpMethod: 'POST',
      headers: auth.forwardHeaders(res),
    });
    res.json(body);
  });

  return router;
}
