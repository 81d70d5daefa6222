import type { TestContext } from 'vitest';
import type { Platform } from './platform.ts';

/** afterEach hook: when a test failed, print every app's and sidecar's recent log lines. */
export function reportLogsOnFailure(get: () => Platform | undefined) {
  return (ctx: TestContext) => {
    const platform = get();
    if (platform && ctx.task.result?.state === 'fail') {
      console.error(`\n===== logs for failed test "${ctx.task.name}" (all logs: ${platform.workDir}/logs) =====\n${platform.logs(60)}`);
    }
  };
}
