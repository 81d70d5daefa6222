// The gateway's rate limits for test runs and benches: every signup and login of a test file (and every request of a
// bench) comes from 127.0.0.1, so production's limits (services/gateway/src/config.ts) would refuse them. These are
// high enough never to trip; a test about the limits sets its own small ones on top (tests/system/edge.test.ts).
export const relaxedRateLimits: Record<string, string> = {
  RATE_LIMIT_API_POINTS: '1000000',
  RATE_LIMIT_API_WINDOW_SECONDS: '60',
  RATE_LIMIT_AUTH_CLIENT_POINTS: '1000000',
  RATE_LIMIT_AUTH_CLIENT_WINDOW_SECONDS: '60',
  RATE_LIMIT_AUTH_ACCOUNT_POINTS: '1000000',
  RATE_LIMIT_AUTH_ACCOUNT_WINDOW_SECONDS: '60',
};
