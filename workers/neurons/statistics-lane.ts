/**
 * Where the neuron scan's statistics run. onnxruntime-node runs a forward pass synchronously on the calling thread,
 * so on one thread the forward and the statistics take turns; on a statistics thread (statistics-thread.ts) the
 * statistics of batch i run while the forward of batch i + 1 does. Both lanes give the same streams bit for bit
 * (the same batches, observed in the same order).
 *
 *   const lane = statisticsLane(kind, init)        // 'thread' or 'inline'
 *   await lane.observe(contexts, seq, cache)       // per batch; may wait for the thread to catch up
 *   const streams = await lane.finish()            // every site's { neurons, baseline }
 *   lane.close()                                   // always (finally): ends the thread
 *   statisticsLane('thread', init, streams)        // or: a lane that continues a finished lane's streams
 */
import { UnitStream } from '@/lib/metrics/streaming';
import { startTypeScriptWorker } from '@/lib/threads/typescript-worker';
import { transferables } from '@/lib/threads/transferables';
import type { Worker } from 'node:worker_threads';
import { observeBatch, siteStates, siteStreams, type BatchCache, type BatchContext, type SiteStreams } from './observe-batch';
import type { StatisticsThreadInit, StatisticsThreadReply, StatisticsThreadRequest } from './statistics-thread';

export type StatisticsLaneKind = 'inline' | 'thread';

export interface StatisticsLane {
  readonly kind: StatisticsLaneKind;
  observe(contexts: BatchContext[], seq: number, cache: BatchCache): Promise<void>;
  /** Every site's streams, once every batch is observed (the lane is done). */
  finish(): Promise<SiteStreams[]>;
  close(): void;
}

/** A lane; `continuing`: the streams so far of a lane that is done (a scan moving its statistics to a thread). */
export function statisticsLane(kind: StatisticsLaneKind, init: StatisticsThreadInit, continuing?: SiteStreams[]): StatisticsLane {
  return kind === 'thread' ? new ThreadLane(init, continuing) : new InlineLane(init, continuing);
}

class InlineLane implements StatisticsLane {
  readonly kind = 'inline';
  private readonly states;
  private readonly streams: SiteStreams[];

  constructor(
    private readonly init: StatisticsThreadInit,
    continuing?: SiteStreams[],
  ) {
    this.states = siteStates(init.dMlp, init.options);
    this.streams = continuing ?? siteStreams(this.states, init.ranges, init.dMlp, init.options);
  }

  async observe(contexts: BatchContext[], seq: number, cache: BatchCache): Promise<void> {
    observeBatch(this.states, this.streams, contexts, seq, cache, this.init.dMlp, this.init.options.randomDirections);
  }

  async finish(): Promise<SiteStreams[]> {
    return this.streams;
  }

  close(): void {}
}

/** Activation bytes the scan may have posted and the thread not yet observed, beyond the one batch it works on. */
const QUEUED_BYTES = 256 * 2 ** 20;

class ThreadLane implements StatisticsLane {
  readonly kind = 'thread';
  private readonly worker: Worker;
  private inFlight: number[] = [];
  private failure: Error | null = null;
  private wake: (() => void) | null = null;
  private result: SiteStreams[] | null = null;

  constructor(init: StatisticsThreadInit, continuing?: SiteStreams[]) {
    const worker = (this.worker = startTypeScriptWorker(new URL('./statistics-thread.ts', import.meta.url), init));
    if (continuing) {
      // The streams move to the thread (their arrays are transferred: the scan's thread must not use them again).
      const states = continuing.map((s) => ({ neurons: s.neurons.toJSON(), baseline: s.baseline.toJSON() }));
      worker.postMessage({ continue: states } satisfies StatisticsThreadRequest, transferables(states));
    }
    worker.on('message', (m: StatisticsThreadReply | { bootError: string }) => {
      try {
        if ('observed' in m) this.inFlight.shift();
        else if ('error' in m) this.fail(new Error(m.error));
        else if ('bootError' in m) this.fail(new Error(`the neuron scan's statistics thread did not start: ${m.bootError}`));
        else if ('streams' in m) this.result = m.streams.map((s) => ({ neurons: UnitStream.fromJSON(s.neurons, { adopt: true }), baseline: UnitStream.fromJSON(s.baseline, { adopt: true }) }));
      } catch (e) {
        this.fail(e instanceof Error ? e : new Error(String(e)));
      }
      this.notify();
    });
    worker.on('error', (e) => this.fail(new Error(`the neuron scan's statistics thread failed: ${e.message}`)));
    worker.on('exit', (code) => this.result === null && this.fail(new Error(`the neuron scan's statistics thread exited (code ${code})`)));
  }

  async observe(contexts: BatchContext[], seq: number, cache: BatchCache): Promise<void> {
    let bytes = 0;
    const buffers = new Set<ArrayBuffer>();
    for (const t of cache.values()) {
      bytes += t.data.byteLength;
      buffers.add(t.data.buffer as ArrayBuffer);
    }
    // One batch at the thread and at most QUEUED_BYTES more: the scan's memory stays about one batch above a
    // single-threaded scan's, whatever the model's size.
    await this.until(() => this.inFlight.length === 0 || (this.inFlight.length === 1 && this.inFlight[0] + bytes <= QUEUED_BYTES));
    const request: StatisticsThreadRequest = { contexts: contexts.map((c) => ({ id: c.id, tokens: c.tokens })), seq, cache };
    // The activations move to the thread (the caller does not read them again).
    this.worker.postMessage(request, [...buffers]);
    this.inFlight.push(bytes);
  }

  async finish(): Promise<SiteStreams[]> {
    await this.until(() => this.inFlight.length === 0);
    this.worker.postMessage({ finish: true } satisfies StatisticsThreadRequest);
    await this.until(() => this.result !== null);
    return this.result!;
  }

  close(): void {
    void this.worker.terminate();
  }

  private fail(e: Error): void {
    this.failure ??= e;
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  private async until(ready: () => boolean): Promise<void> {
    for (;;) {
      if (this.failure) throw this.failure;
      if (ready()) return;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }
}
