// The gateway's rate limits (and checkout admission) for test runs and benches: every signup and login of a test file (and every request of a
// bench) comes from 127.0.0.1, so production's limits (services/gateway/src/config.ts) would refuse them. These are
// high enough never to trip; a test about the limits sets its own small ones on top (tests/system/edge.test.ts).
export const relaxedRateLimits: Record<string, string> = {
  RATE_LIMIT_API_POINTS: '1000000',
  RATE_LIMIT_API_WINDOW_SECONDS: '60',
  RATE_LIMIT_AUTH_CLIENT_POINTS: '1000000',
  RATE_LIMIT_AUTH_CLIENT_WINDOW_SECONDS: '60',
  RATE_LIMIT_AUTH_ACCOUNT_POINTS: '1000000',
  RATE_LIMIT_AUTH_ACCOUNT_WINDOW_SECONDS: '60',
  // Checkout admission sheds beyond 16 acceptances in flight per gateway; tests that burst 40 checkouts at once are
  // about the saga (the admission itself: services/gateway/test/checkout-admission.test.ts, tests/system/checkout.test.ts).
  CHECKOUT_MAX_IN_FLIGHT: '1000',
  // Under such a burst on 2 busy cores acceptance can take seconds; still below Dapr's 5 s timeout on orders.
  CHECKOUT_ACCEPT_TIMEOUT_MS: '4000',
};
