import { StockListQuery, StockParams, StockSetRequest, type StockLevel, type StockLevelList } from '@globalmart/contracts';
import { parseBody, parseParams, parseQuery, requireAdmin } from '@globalmart/platform';
import { Router } from 'express';
import type { StockEvents } from './stock.events.ts';
import type { StockRepository } from './stock.repository.ts';
import { stockLevel } from './stock.rules.ts';

/** GET /stock/{id}, GET /stock?ids=, PUT /stock/{id} (admin). */
export function stockRoutes(stock: StockRepository, events: StockEvents): Router {
  const router = Router();
  router.get('/stock', async (req, res) => {
    const { ids } = parseQuery(StockListQuery, req);
    const body: StockLevelList = { data: await stock.levels(ids) };
    res.json(body);
  });
  router.get('/stock/:product_id', async (req, res) => {
    const { product_id } = parseParams(StockParams, req);
    const body: StockLevel = await stock.level(product_id);
    res.json(body);
  });
  router.put('/stock/:product_id', async (req, res) => {
    requireAdmin(req);
    const { product_id } = parseParams(StockParams, req);
    const { stock_qty } = parseBody(StockSetRequest, req);
    const next = await stock.set(product_id, stock_qty);
    await events.changed(product_id, next);
    const body: StockLevel = stockLevel(product_id, next);
    res.json(body);
  });
  return router;
}
