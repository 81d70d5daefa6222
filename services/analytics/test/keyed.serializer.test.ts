import { describe, expect, it } from 'vitest';
import { keyedSerializer } from '../src/keyed.serializer.ts';

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('keyedSerializer', () => {
  it('never runs two tasks of one key at once, and coalesces the callers waiting behind a run into one run', async () => {
    const serial = keyedSerializer();
    let active = 0;
    let maxActive = 0;
    let runs = 0;
    const task = async () => {
      runs += 1;
      active += 1;
      maxActive = Math.max(maxActive, active);
      await tick();
      active -= 1;
    };
    const first = serial.run('hour:1', task);
    await new Promise((r) => setTimeout(r, 1)); // the first run has started
    expect(runs).toBe(1);
    await Promise.all([first, ...Array.from({ length: 9 }, () => serial.run('hour:1', task))]);
    expect(maxActive).toBe(1);
    expect(runs).toBe(2); // the first, and one for the nine that came while it ran
    expect(serial.busy).toBe(0);
  });

  it('a caller arriving during a run waits for a run that starts after it (so it sees its own write)', async () => {
    const serial = keyedSerializer();
    const log: string[] = [];
    let value = 0;
    const first = serial.run('k', async () => {
      log.push(`read ${value}`);
      await tick();
    });
    await new Promise((r) => setTimeout(r, 1));
    value = 1; // written while the first run is in flight, after it read
    const second = serial.run('k', async () => {
      log.push(`read ${value}`);
    });
    // Callers before a run has started share it: it has not read yet.
    const third = serial.run('k', async () => {
      log.push('never: joined the queued run');
    });
    expect(third).toBe(second);
    await Promise.all([first, second, third]);
    expect(log).toEqual(['read 0', 'read 1']);
  });

  it('runs different keys in parallel, and a failed run neither blocks the next nor hides its error', async () => {
    const serial = keyedSerializer();
    let active = 0;
    let maxActive = 0;
    const task = async () => {
      active += 1;
      maxActive = Math.max(maxActive, active);
      await tick();
      active -= 1;
    };
    await Promise.all([serial.run('a', task), serial.run('b', task)]);
    expect(maxActive).toBe(2);
    await expect(serial.run('a', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    let ran = false;
    await serial.run('a', async () => {
      ran = true;
    });
    expect(ran).toBe(true);
    await serial.idle();
    expect(serial.busy).toBe(0);
  });
});
