import type { Request, RequestHandler, Response } from 'express';

/** What the gateway's routes need from authentication (implemented in ../auth). */
export interface GatewayAuth {
  /** Verifies a bearer token if there is one; strips client-sent identity headers. */
  authenticate: RequestHandler;
  requireCustomer: RequestHandler;
  requireAdmin: RequestHandler;
  /** The verified caller as the headers services read (x-user-id, x-user-role), or {} when anonymous. */
  forwardHeaders(res: Response): Record<string, string>;
}

export type Handler = (req: Request, res: Response) => Promise<void>;
