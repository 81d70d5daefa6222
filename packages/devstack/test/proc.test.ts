import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ManagedProcess } from '../src/proc.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function logFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'gm-proc-'));
  dirs.push(dir);
  return join(dir, 'out.log');
}

describe('ManagedProcess', () => {
  it('keeps its log open for output that arrives after the process exited', async () => {
    const file = logFile();
    const errors: unknown[] = [];
    const onError = (err: unknown) => errors.push(err);
    process.on('uncaughtException', onError);
    try {
      // The leader exits at once; a child in its own session (outside the group that stop() kills)
      // still holds the pipes and writes a moment later: the case that once ended the log too early
      // and crashed the test run with ERR_STREAM_WRITE_AFTER_END.
      const script = "echo early; setsid sh -c 'echo detached; sleep 0.3; echo late' &";
      const proc = new ManagedProcess('late-writer', 'sh', ['-c', script], { logFile: file });
      // Stop only once the writer has left the group (a kill before its setsid() would take it too).
      while (!proc.logTail().includes('detached')) await new Promise((r) => setTimeout(r, 10));
      await proc.exited;
      await proc.stop();
      expect(errors).toEqual([]);
      expect(readFileSync(file, 'utf8').split('\n').filter(Boolean)).toEqual(['early', 'detached', 'late']);
      expect(proc.logTail()).toBe('early\ndetached\nlate');
    } finally {
      process.off('uncaughtException', onError);
    }
  });

  it('stops the whole process group and records how it ended', async () => {
    const file = logFile();
    const proc = new ManagedProcess('sleeper', 'sh', ['-c', 'echo started; sleep 30 & wait'], { logFile: file });
    while (!proc.logTail().includes('started')) await new Promise((r) => setTimeout(r, 20));
    expect(proc.running).toBe(true);
    await proc.stop(2_000);
    expect(proc.running).toBe(false);
    expect(proc.exitSignal).toBe('SIGTERM');
    expect(proc.deadReason()).toContain('sleeper exited (SIGTERM)');
    expect(readFileSync(file, 'utf8')).toBe('started\n');
  });
});
