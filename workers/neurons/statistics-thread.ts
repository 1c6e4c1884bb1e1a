/**
 * The neuron scan's statistics thread (started by statistics-lane.ts): it owns every site's UnitStreams and
 * observes the batches the scan's thread posts, while that thread runs the next forward pass. The scan's thread
 * posts { contexts, seq, cache } (activation buffers transferred, not copied) and gets { observed } back per batch,
 * or { error } (the batch's error message; the scan then fails with it); after { finish } it gets every stream's
 * state, its typed arrays transferred. A scan that began with its statistics on its own thread first hands its
 * streams over ({ continue }).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { UnitStream, type UnitStreamJSON } from '@/lib/metrics/streaming';
import { transferables } from '@/lib/threads/transferables';
import { observeBatch, siteStates, siteStreams, type BatchCache, type BatchContext, type SiteOptions, type SiteRanges, type SiteStreams } from './observe-batch';

export interface StatisticsThreadInit {
  dMlp: number;
  options: SiteOptions;
  ranges: Record<string, SiteRanges>;
}

export type StatisticsThreadRequest =
  | { contexts: BatchContext[]; seq: number; cache: BatchCache }
  | { finish: true }
  /** Before any batch: streams to continue (a scan that began on its own thread), instead of empty ones. */
  | { continue: { neurons: UnitStreamJSON; baseline: UnitStreamJSON }[] };

export type StatisticsThreadReply =
  | { ready: true }
  | { observed: number }
  | { error: string }
  | { streams: { neurons: UnitStreamJSON; baseline: UnitStreamJSON }[] };

const port = parentPort!;
const { dMlp, options, ranges } = workerData as StatisticsThreadInit;
const states = siteStates(dMlp, options);
// Made at the first batch, unless the scan hands over the streams it began ({ continue }).
let streams: SiteStreams[] | null = null;

port.on('message', (m: StatisticsThreadRequest) => {
  try {
    if ('continue' in m) {
      streams = m.continue.map((s) => ({ neurons: UnitStream.fromJSON(s.neurons, { adopt: true }), baseline: UnitStream.fromJSON(s.baseline, { adopt: true }) }));
      return;
    }
    streams ??= siteStreams(states, ranges, dMlp, options);
    if ('finish' in m) {
      const result = streams.map((s) => ({ neurons: s.neurons.toJSON(), baseline: s.baseline.toJSON() }));
      port.postMessage({ streams: result } satisfies StatisticsThreadReply, transferables(result));
      return;
    }
    observeBatch(states, streams, m.contexts, m.seq, m.cache, dMlp, options.randomDirections);
    port.postMessage({ observed: m.contexts.length } satisfies StatisticsThreadReply);
  } catch (e) {
    port.postMessage({ error: e instanceof Error ? e.message : String(e) } satisfies StatisticsThreadReply);
  }
});
port.postMessage({ ready: true } satisfies StatisticsThreadReply);

