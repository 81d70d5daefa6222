// Faults injected into a test platform's real processes.
import type { Platform } from './platform.ts';

/**
 * Runs `work` while the platform's FerretDB is frozen (SIGSTOP, then SIGCONT however `work` ends): every database call
 * waits, as with a stalled database, and goes on once it is thawed.
 */
export async function whileDatabaseStalled<T>(platform: Platform, work: () => Promise<T>): Promise<T> {
  const pid = platform.infra.handles.find((h) => h.name === 'ferretdb')?.process?.pid;
  if (!pid) throw new Error('the harness runs no FerretDB of its own');
  process.kill(pid, 'SIGSTOP');
  try {
    return await work();
  } finally {
    process.kill(pid, 'SIGCONT');
  }
}
