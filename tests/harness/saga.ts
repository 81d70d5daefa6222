// The checkout saga's own state, as Dapr's workflow API on orders' sidecar reports it (the instance id is the order id):
// what a test waits on instead of a fixed sleep while the saga waits out an outage or compensates.
import type { Platform } from './platform.ts';

export interface SagaState {
  /** RUNNING, COMPLETED, FAILED, ... (undefined until the workflow exists). */
  runtimeStatus?: string;
  /** What the saga last said about itself (ctx.setCustomStatus): e.g. `waiting: authorize unavailable (HTTP 503), retry 1`. */
  customStatus: string;
}

export async function checkoutSaga(platform: Platform, orderId: string): Promise<SagaState> {
  const res = await fetch(`${platform.daprUrl('orders')}/v1.0/workflows/dapr/${orderId}`, { headers: platform.daprHeaders('orders') });
  if (!res.ok) {
    await res.body?.cancel();
    return { customStatus: '' };
  }
  const body = (await res.json()) as { runtimeStatus?: string; properties?: Record<string, string> };
  return {
    ...(body.runtimeStatus ? { runtimeStatus: body.runtimeStatus } : {}),
    customStatus: body.properties?.['dapr.workflow.custom_status'] ?? '',
  };
}
