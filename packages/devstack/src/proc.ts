import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface SpawnOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Every line the process writes goes here as well as into the in-memory tail. */
  logFile?: string;
  /** Also echo output, prefixed with the name (npm start shows app logs). */
  echo?: boolean;
  /** What `stop` sends first (default SIGTERM; PostgreSQL's fast shutdown is SIGINT: SIGTERM waits for its clients). */
  stopSignal?: NodeJS.Signals;
}

const TAIL_LINES = 400;
const PIPE_DRAIN_MS = 2_000;

/**
 * A child process the project started and therefore must stop. It runs in its own process group so
 * that stopping it also stops whatever it spawned (the Dapr CLI's daprd and app processes).
 */
export class ManagedProcess {
  readonly name: string;
  readonly child: ChildProcess;
  private readonly tail: string[] = [];
  private readonly log: WriteStream | undefined;
  exitCode: number | null = null;
  exitSignal: NodeJS.Signals | null = null;
  readonly exited: Promise<void>;
  /** Resolves once stdout and stderr are closed (the group leader and every holder of its pipes). */
  private readonly pipesClosed: Promise<void>;
  private readonly stopSignal: NodeJS.Signals;

  constructor(name: string, command: string, args: string[], opts: SpawnOptions = {}) {
    this.name = name;
    this.stopSignal = opts.stopSignal ?? 'SIGTERM';
    if (opts.logFile) {
      mkdirSync(dirname(opts.logFile), { recursive: true });
      this.log = createWriteStream(opts.logFile, { flags: 'a' });
      // A log file that cannot be written (its directory removed) must not crash the owner.
      this.log.on('error', (err) => this.tail.push(`log file error: ${err.message}`));
    }
    this.child = spawn(command, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const onData = (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      // Output can still arrive after the process exited (pipe buffers, a child outside the group).
      if (this.log && !this.log.writableEnded) this.log.write(text);
      for (const line of text.split('\n')) {
        if (!line) continue;
        this.tail.push(line);
        if (opts.echo) process.stdout.write(`[${name}] ${line}\n`);
      }
      if (this.tail.length > TAIL_LINES) this.tail.splice(0, this.tail.length - TAIL_LINES);
    };
    this.child.stdout?.on('data', onData);
    this.child.stderr?.on('data', onData);
    this.pipesClosed = new Promise((resolveClosed) => this.child.once('close', () => resolveClosed()));
    this.exited = new Promise((resolveExit) => {
      this.child.once('exit', (code, signal) => {
        this.exitCode = code;
        this.exitSignal = signal;
        resolveExit();
      });
      this.child.once('error', (err) => {
        this.tail.push(`spawn error: ${err.message}`);
        this.exitCode = -1;
        resolveExit();
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.exitCode === null && this.exitSignal === null;
  }

  /** A reason to stop waiting for readiness: the process already ended. */
  deadReason(): string | undefined {
    if (this.running) return undefined;
    return `${this.name} exited (${this.exitSignal ?? this.exitCode}):\n${this.logTail(30)}`;
  }

  logTail(lines = 60): string {
    return this.tail.slice(-lines).join('\n');
  }

  /** A crash, as tests need it: SIGKILL the whole process group at once (no shutdown hooks), then close the log. */
  async kill(): Promise<void> {
    if (this.running && this.pid) {
      signalGroup(this.pid, 'SIGKILL');
      await this.exited;
    }
    await this.stop();
  }

  /** SIGTERM (or the stopSignal) the whole process group, then SIGKILL whatever is left after `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    if (this.running && this.pid) {
      signalGroup(this.pid, this.stopSignal);
      const timedOut = await Promise.race([this.exited.then(() => false), sleep(graceMs).then(() => true)]);
      if (timedOut) signalGroup(this.pid, 'SIGKILL');
      await this.exited;
    }
    // Children of the group may outlive their leader (a daprd whose CLI died): sweep the group.
    if (this.pid) signalGroup(this.pid, 'SIGKILL');
    // Keep the log open for what is still in the pipes; a process that left the group and holds
    // them open does not keep us waiting for long.
    await Promise.race([this.pipesClosed, sleep(PIPE_DRAIN_MS)]);
    const log = this.log;
    if (log && !log.writableEnded) await new Promise<void>((flushed) => log.end(() => flushed()));
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is already gone.
  }
}
