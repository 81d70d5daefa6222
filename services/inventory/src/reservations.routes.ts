import { ReservationParams, ReservationRequest, type Reservation, type ReservationOutcome } from '@globalmart/contracts';
import { parseBody, parseParams } from '@globalmart/platform';
import { Router } from 'express';
import type { ReservationService } from './reservation.service.ts';

/** POST /reservations (201 new, 200 repeat), POST /reservations/{order_id}/commit and /release. */
export function reservationRoutes(reservations: ReservationService): Router {
  const router = Router();
  router.post('/reservations', async (req, res) => {
    const { created, reservation } = await reservations.reserve(parseBody(ReservationRequest, req));
    const body: Reservation = reservation;
    res.status(created ? 201 : 200).json(body);
  });
  router.post('/reservations/:order_id/commit', async (req, res) => {
    const { order_id } = parseParams(ReservationParams, req);
    await reservations.commit(order_id);
    const body: ReservationOutcome = { status: 'committed' };
    res.json(body);
  });
  router.post('/reservations/:order_id/release', async (req, res) => {
    const { order_id } = parseParams(ReservationParams, req);
    await reservations.release(order_id, 'release_requested');
    const body: ReservationOutcome = { status: 'released' };
    res.json(body);
  });
  return router;
}
