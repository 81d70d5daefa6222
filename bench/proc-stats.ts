// /proc sampling for the benches and measurements (Linux): which processes a run started (the descendants of this
// process), what each one is (an app by the APP_ID in its environment, a daprd by its --app-id, infrastructure by its
// binary or, for postgres' workers, its title), and what it uses: CPU (utime+stime, plus cutime+cstime, the CPU of
// children it has reaped) and memory (RSS, PSS, anonymous). Two snapshots give the CPU of any window per process name:
// summed over the processes alive in each snapshot, so a worker that exits meanwhile (a postgres backend) is still
// counted, through its parent's cutime.
import { readdirSync, readFileSync } from 'node:fs';

/** USER_HZ: /proc/<pid>/stat counts CPU time in these ticks on Linux. */
export const TICKS_PER_S = 100;

export type Kind = 'app' | 'daprd' | 'infra' | 'self';

export interface ProcSample {
  rss_kb: number;
  /** PSS (smaps_rollup): RSS with pages shared between processes split among them; RSS unless asked for (`pss`). */
  pss_kb: number;
  anon_kb: number;
  threads: number;
  /** utime + stime, in ticks. */
  ticks: number;
  /** cutime + cstime: the CPU of the children it has waited for (gone ones only), in ticks. */
  child_ticks: number;
}

export interface Identity {
  name: string;
  kind: Kind;
}

export interface Snapshot {
  /** performance.now() when taken. */
  at: number;
  procs: Map<number, Identity & ProcSample>;
}

/** A /proc file, or undefined when the process is gone (or the file is not ours to read). */
export const readProcFile = (file: string): string | undefined => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
};

/** stat's fields after the command name: state is [0], ppid [1], utime [11], stime [12], cutime [13], cstime [14]. */
const statFields = (stat: string) => stat.slice(stat.lastIndexOf(')') + 2).split(' ');

/** Every descendant of `root` (default this process: apps, sidecars, infrastructure and their workers), not root itself. */
export function descendants(root = process.pid): number[] {
  const parent = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readProcFile(`/proc/${entry}/stat`);
    if (stat) parent.set(Number(entry), Number(statFields(stat)[1]));
  }
  const mine = new Set([root]);
  for (let grew = true; grew;) {
    grew = false;
    for (const [pid, ppid] of parent) {
      if (!mine.has(pid) && mine.has(ppid)) {
        mine.add(pid);
        grew = true;
      }
    }
  }
  mine.delete(root);
  return [...mine].sort((a, b) => a - b);
}

const kb = (text: string, field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0);

/** One process's CPU and memory now; `pss` also reads smaps_rollup (the kernel walks the page tables: slower). */
export function sample(pid: number, opts: { pss?: boolean } = {}): ProcSample | undefined {
  const stat = readProcFile(`/proc/${pid}/stat`);
  const status = readProcFile(`/proc/${pid}/status`);
  if (!stat || !status) return undefined;
  const f = statFields(stat);
  const rollup = opts.pss ? readProcFile(`/proc/${pid}/smaps_rollup`) : undefined;
  return {
    rss_kb: kb(status, 'VmRSS'),
    pss_kb: rollup ? kb(rollup, 'Pss') : kb(status, 'VmRSS'),
    anon_kb: kb(status, 'RssAnon'),
    threads: Number(/^Threads:\s+(\d+)/m.exec(status)?.[1] ?? 0),
    ticks: Number(f[11]) + Number(f[12]),
    child_ticks: Number(f[13]) + Number(f[14]),
  };
}

/**
 * What a process is: a daprd (named `<app-id>-daprd`), an app (the APP_ID in its environment, which its own children
 * inherit too), or a piece of infrastructure (maildev, postgres and its workers by title, placement, scheduler, sentry,
 * else the binary's name).
 */
export function identify(pid: number): Identity | undefined {
  const cmdline = readProcFile(`/proc/${pid}/cmdline`);
  if (cmdline === undefined) return undefined;
  const argv = cmdline.split('\0').filter(Boolean);
  const comm = (readProcFile(`/proc/${pid}/comm`) ?? '').trim();
  if (comm === 'daprd' || argv[0]?.endsWith('/daprd')) {
    const i = argv.indexOf('--app-id');
    return { name: `${argv[i + 1] ?? '?'}-daprd`, kind: 'daprd' };
  }
  const appId = /(?:^|\0)APP_ID=([^\0]*)/.exec(readProcFile(`/proc/${pid}/environ`) ?? '')?.[1];
  if (appId) return { name: appId, kind: 'app' };
  if (argv.some((a) => a.includes('maildev'))) return { name: 'maildev', kind: 'infra' };
  // postgres names its workers in its title ("postgres: checkpointer"), others by their binary.
  const title = argv.join(' ');
  if (title.startsWith('postgres:')) return { name: title.replace(/\s+/g, ' ').slice(0, 40), kind: 'infra' };
  const binary = (argv[0] ?? comm).split('/').at(-1) ?? comm;
  const sub = ['placement', 'scheduler', 'sentry'].find((s) => binary.startsWith(s));
  return { name: sub ?? binary, kind: 'infra' };
}

/** A process name without its detail: every postgres worker ("postgres: walwriter") is "postgres". */
export const processGroup = (name: string) => name.replace(/:.*$/, '');

/**
 * Every descendant of this process, identified and sampled; `self` also samples this process under that name (a
 * measurement whose worker runs in-process).
 */
export function snapshot(opts: { self?: string; pss?: boolean } = {}): Snapshot {
  const procs: Snapshot['procs'] = new Map();
  for (const pid of descendants()) {
    const [who, s] = [identify(pid), sample(pid, opts)];
    if (who && s) procs.set(pid, { ...who, ...s });
  }
  if (opts.self) {
    const s = sample(process.pid, opts);
    if (s) procs.set(process.pid, { name: opts.self, kind: 'self', ...s });
  }
  return { at: performance.now(), procs };
}

/**
 * CPU seconds per name between two snapshots (names mapped by `group`, default processGroup): per name, what its
 * processes had used at `after` (own and reaped children's) minus the same at `before`.
 */
export function cpuSecondsByName(before: Snapshot, after: Snapshot, group: (name: string) => string = processGroup): Map<string, number> {
  const used = new Map<string, number>();
  const add = (snap: Snapshot, sign: 1 | -1) => {
    for (const p of snap.procs.values()) {
      const name = group(p.name);
      used.set(name, (used.get(name) ?? 0) + (sign * (p.ticks + p.child_ticks)) / TICKS_PER_S);
    }
  };
  add(after, 1);
  add(before, -1);
  return used;
}

/** Resident memory per name in a snapshot, MB (names mapped by `group`, default processGroup). */
export function rssMbByName(snap: Snapshot, group: (name: string) => string = processGroup): Map<string, number> {
  const rss = new Map<string, number>();
  for (const p of snap.procs.values()) rss.set(group(p.name), (rss.get(group(p.name)) ?? 0) + p.rss_kb / 1024);
  return rss;
}

/** The kind of each name in a snapshot (after `group`). */
export function kindsByName(snap: Snapshot, group: (name: string) => string = processGroup): Map<string, Kind> {
  return new Map([...snap.procs.values()].map((p) => [group(p.name), p.kind]));
}
