/**
 * The server side of live inference: one worker process, one request at a time, a bounded backlog,
 * a time limit per request (a request over time gets its worker killed; the next request starts a fresh one).
 */
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LiveError } from './errors';
import { LIVE_BUSY_RETRY_AFTER_S, LIVE_LIMITS, type LiveLimits } from './limits';
import type { LiveForwardResult, LiveRequestMessage, LiveResponseMessage } from './protocol';

export interface LiveJob {
  slug: string;
  source: string;
  text: string;
  hooks: string[];
}

interface Pending {
  job: LiveJob;
  resolve: (r: LiveForwardResult) => void;
  reject: (e: Error) => void;
  queueTimer: NodeJS.Timeout | null;
}

export class LiveEngine {
  readonly limits: LiveLimits;
  private child: ChildProcess | null = null;
  private readonly queue: Pending[] = [];
  private running: { id: number; pending: Pending; timer: NodeJS.Timeout } | null = null;
  private nextId = 1;
  private idleTimer: NodeJS.Timeout | null = null;
  /** Worker processes started so far (a timeout or crash starts another). */
  startedWorkers = 0;

  constructor(limits: Partial<LiveLimits> = {}) {
    this.limits = { ...LIVE_LIMITS, ...limits };
  }

  /** Requests waiting (not counting the running one). */
  get backlog(): number {
    return this.queue.length;
  }

  submit(job: LiveJob): Promise<LiveForwardResult> {
    if (this.queue.length >= this.limits.maxBacklog) {
      return Promise.reject(
        new LiveError('busy', `live inference is busy (${this.queue.length} requests waiting); try again in a few seconds`, {
          backlog: this.queue.length,
          retryAfterSeconds: LIVE_BUSY_RETRY_AFTER_S,
        }),
      );
    }
    return new Promise((resolve, reject) => {
      const pending: Pending = { job, resolve, reject, queueTimer: null };
      pending.queueTimer = setTimeout(() => {
        const i = this.queue.indexOf(pending);
        if (i < 0) return;
        this.queue.splice(i, 1);
        reject(
          new LiveError(
            'busy',
            `live inference is busy: the request waited ${this.limits.queueTimeoutMs} ms without starting; try again later`,
            {
              retryAfterSeconds: LIVE_BUSY_RETRY_AFTER_S,
            },
          ),
        );
      }, this.limits.queueTimeoutMs);
      this.queue.push(pending);
      this.pump();
    });
  }

  /** Stops the worker process; waiting requests are refused. */
  close(): void {
    for (const p of this.queue.splice(0)) {
      if (p.queueTimer) clearTimeout(p.queueTimer);
      p.reject(new LiveError('busy', 'live inference is shutting down'));
    }
    if (this.running) this.finish(this.running.id, new LiveError('busy', 'live inference is shutting down'));
    this.kill();
  }

  private pump(): void {
    if (this.running || this.queue.length === 0) return;
    const pending = this.queue.shift()!;
    if (pending.queueTimer) clearTimeout(pending.queueTimer);
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    const id = this.nextId++;
    const timer = setTimeout(() => {
      // onnxruntime cannot be interrupted mid-run: only killing the process frees the core.
      this.kill();
      this.finish(
        id,
        new LiveError('timeout', `live inference took longer than ${this.limits.runTimeoutMs} ms and was stopped; try a shorter text`),
      );
    }, this.limits.runTimeoutMs);
    this.running = { id, pending, timer };
    const { slug, source, text, hooks } = pending.job;
    const message: LiveRequestMessage = { type: 'forward', id, slug, source, text, hooks, maxTokens: this.limits.maxTokens };
    try {
      const child = this.worker();
      child.ref();
      (child.channel as { ref?: () => void } | undefined)?.ref?.();
      child.send(message);
    } catch (err) {
      this.kill();
      this.finish(id, new LiveError('engine', `live inference could not start its worker: ${(err as Error).message}`));
    }
  }

  private finish(id: number, outcome: LiveForwardResult | Error): void {
    if (!this.running || this.running.id !== id) return; // a late answer to a request already timed out
    const { pending, timer } = this.running;
    clearTimeout(timer);
    this.running = null;
    if (outcome instanceof Error) pending.reject(outcome);
    else pending.resolve(outcome);
    if (this.queue.length > 0) this.pump();
    else this.idle();
  }

  /** Nothing to do: let the server exit freely, and stop the worker after a while. */
  private idle(): void {
    const child = this.child;
    if (!child) return;
    child.unref();
    (child.channel as { unref?: () => void } | undefined)?.unref?.();
    this.idleTimer = setTimeout(() => this.kill(), this.limits.idleExitMs);
    this.idleTimer.unref();
  }

  private worker(): ChildProcess {
    if (this.child) return this.child;
    // turbopackIgnore: the worker is a file run by Node at run time, not a module for `next build` to resolve.
    const child = fork(/* turbopackIgnore: true */ workerEntry(), [], {
      // Run the TypeScript source directly; the parent's own flags (Next's, vitest's) are not wanted here.
      execArgv: ['--import', 'tsx'],
      serialization: 'advanced', // Float32Array crosses as a typed array, not as JSON
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      cwd: repoRoot(),
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    this.startedWorkers++;
    child.on('message', (msg: LiveResponseMessage | { type: 'ready' }) => {
      if (msg.type === 'result') this.finish(msg.id, msg.result);
      else if (msg.type === 'error') this.finish(msg.id, new LiveError(msg.kind, msg.message, msg.details ?? {}));
    });
    child.on('exit', (code, signal) => {
      if (this.child === child) this.child = null;
      if (this.running && this.child === null) {
        this.finish(this.running.id, new LiveError('engine', `live inference worker exited unexpectedly (${signal ?? `code ${code}`})`));
      }
    });
    child.on('error', (err) => {
      if (this.child === child) this.child = null;
      if (this.running) this.finish(this.running.id, new LiveError('engine', `live inference worker failed: ${err.message}`));
    });
    this.child = child;
    return child;
  }

  private kill(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    const child = this.child;
    this.child = null;
    if (child && child.exitCode === null) child.kill('SIGKILL');
  }
}

/**
 * Where the repository's sources are: the worker runs from them, not from a bundle. In a `next build` this
 * module sits in a chunk under the dist folder, so the source tree is found through HEADWIKI_ROOT or the
 * working directory (`npm start` runs from the repository root). turbopackIgnore: these are run-time paths;
 * without it the build traces the whole project into the server output.
 */
function repoRoot(): string {
  const here = moduleDir();
  const candidates = [here && path.resolve(/* turbopackIgnore: true */ here, '../..'), process.env.HEADWIKI_ROOT, process.cwd()].filter(
    (d): d is string => !!d,
  );
  const root = candidates.find((dir) =>
    fs.existsSync(/* turbopackIgnore: true */ path.join(/* turbopackIgnore: true */ dir, 'lib', 'live', 'worker-main.ts')),
  );
  if (!root) throw new Error(`live inference: lib/live/worker-main.ts not found in ${candidates.join(' or ')}`);
  return root;
}

function workerEntry(): string {
  return path.join(/* turbopackIgnore: true */ repoRoot(), 'lib', 'live', 'worker-main.ts');
}

function moduleDir(): string | null {
  try {
    return path.dirname(fileURLToPath(import.meta.url));
  } catch {
    return null;
  }
}
