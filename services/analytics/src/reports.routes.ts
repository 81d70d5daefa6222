import { FunnelQuery, SalesReportQuery, TopProductsQuery } from '@globalmart/contracts';
import { parseQuery, requireAdmin } from '@globalmart/platform';
import { Router } from 'express';
import type { AnalyticsService } from './analytics.service.ts';

/** Internal API for admins (the gateway proxies /api/admin/reports/* here with the caller's identity). */
export function reportsRoutes(analytics: AnalyticsService): Router {
  const router = Router();
  router.get('/reports/sales', async (req, res) => {
    requireAdmin(req);
    res.json(await analytics.salesReport(parseQuery(SalesReportQuery, req)));
  });
  router.get('/reports/top-products', async (req, res) => {
    requireAdmin(req);
    res.json(await analytics.topProducts(parseQuery(TopProductsQuery, req)));
  });
  router.get('/reports/funnel', async (req, res) => {
    requireAdmin(req);
    res.json(await analytics.funnel(parseQuery(FunnelQuery, req)));
  });
  return router;
}
