import v8 from 'node:v8';
import vm from 'node:vm';

/**
 * A full garbage collection now, for the one kind of garbage V8 leaves too long: onnxruntime-node's copies of a run's
 * outputs. Its binding (1.30, `OrtValueToNapiValue`) returns every CPU output as a NEW ArrayBuffer copied from the
 * fetch it just wrote, even when the caller pre-allocated the fetches (OnnxRunner does, and keeps only those); the
 * copies are garbage at once but live outside V8's heap, and between runs so little JavaScript runs that V8's
 * incremental marking does not finish: measured, a scan held the previous run's copies beside the next run's outputs
 * (GPT-2-small shape, every hook: 733 MB of hooks + 733 MB of uncollected copies). A full collection with a small
 * heap takes a few milliseconds (scripts/bench/forward-memory.ts prints it), against a forward of hundreds.
 *
 * `gc` is V8's own function, exposed without the `--expose-gc` command-line flag by setting the flag at run time and
 * reading the function from a fresh context (the flag only affects contexts created after it is set). A process that
 * cannot (a runtime without `vm`) simply collects later, as before.
 */
let gc: (() => void) | null | undefined;

function resolveGc(): (() => void) | null {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (typeof exposed === 'function') return exposed;
  try {
    v8.setFlagsFromString('--expose-gc');
    const fromContext: unknown = vm.runInNewContext('typeof gc === "function" ? gc : null');
    return typeof fromContext === 'function' ? (fromContext as () => void) : null;
  } catch {
    return null;
  }
}

/** Runs a full collection; returns false when this runtime offers none. */
export function collectGarbage(): boolean {
  if (gc === undefined) gc = resolveGc();
  if (!gc) return false;
  gc();
  return true;
}

/** Outputs smaller than this are left to V8's own schedule (a collection would cost more than it frees). */
export const COLLECT_AFTER_OUTPUT_BYTES = 16 * 2 ** 20;
/**
 * A collection may cost at most this share of the run it follows, or this many milliseconds (a process with a big
 * JavaScript heap, whose collections are slow, skips some).
 */
const MAX_COLLECTION_SHARE = 0.05;
const ALWAYS_AFFORDABLE_MS = 50;
let lastCollectionMs = 0;

/**
 * After a run whose outputs took `outputBytes` and `runMs`: collects the binding's copies now when they are big and
 * the previous collection was cheap next to a run; a skipped collection halves the remembered cost, so a process
 * whose heap shrank tries again soon. Returns whether it collected.
 */
export function collectAfterRun(outputBytes: number, runMs: number): boolean {
  if (outputBytes < COLLECT_AFTER_OUTPUT_BYTES) return false;
  if (lastCollectionMs > Math.max(ALWAYS_AFFORDABLE_MS, MAX_COLLECTION_SHARE * runMs)) {
    lastCollectionMs /= 2;
    return false;
  }
  const t0 = performance.now();
  if (!collectGarbage()) return false;
  lastCollectionMs = performance.now() - t0;
  return true;
}
