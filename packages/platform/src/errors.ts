import { STATUS_CODES } from 'node:http';

/**
 * A coded error: domain code throws it (or the helpers below) with a stable `code` such as ORDER.NOT_FOUND;
 * the kit's error handler maps it to problem+json in one place. `detail` is shown to the client, so it must
 * be safe to show; `details` become extension members of the problem body.
 */
export class AppError extends Error {
  readonly code: string;
  readonly status: number;
  readonly detail: string | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(status: number, code: string, detail?: string, details?: Record<string, unknown>) {
    super(detail ?? `${code} (${STATUS_CODES[status] ?? status})`);
    this.name = 'AppError';
    this.status = status;
    this.code = code;
    this.detail = detail;
    this.details = details;
  }
}

export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError;
}

type Details = Record<string, unknown>;

export const badRequest = (code: string, detail?: string, details?: Details) => new AppError(400, code, detail, details);
export const unauthorized = (code = 'AUTH.UNAUTHORIZED', detail?: string, details?: Details) => new AppError(401, code, detail, details);
export const forbidden = (code = 'AUTH.FORBIDDEN', detail?: string, details?: Details) => new AppError(403, code, detail, details);
export const notFound = (code: string, detail?: string, details?: Details) => new AppError(404, code, detail, details);
export const conflict = (code: string, detail?: string, details?: Details) => new AppError(409, code, detail, details);
export const unprocessable = (code: string, detail?: string, details?: Details) => new AppError(422, code, detail, details);
export const unavailable = (code: string, detail?: string, details?: Details) => new AppError(503, code, detail, details);
