import { DeadLetterListQuery, DeadLetterParams } from '@globalmart/contracts';
import { parseParams, parseQuery, requireAdmin } from '@globalmart/platform';
import { Router } from 'express';
import type { DeadLetterStore } from './dead-letters.ts';

/** Admins only (the gateway forwards the signed-in admin as x-user-id / x-user-role through Dapr). */
export function deadLetterRoutes(deadLetters: DeadLetterStore): Router {
  const router = Router();

  router.get('/dead-letters', async (req, res) => {
    requireAdmin(req);
    const query = parseQuery(DeadLetterListQuery, req);
    res.set('cache-control', 'no-store').json(await deadLetters.list(query));
  });

  router.post('/dead-letters/:id/replay', async (req, res) => {
    requireAdmin(req);
    const { id } = parseParams(DeadLetterParams, req);
    res.json(await deadLetters.replay(id));
  });

  return router;
}
