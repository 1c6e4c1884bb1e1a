/**
 * Deferred example-window copies of one context (UnitStream's reduced path): the offers of a context first note which
 * table entry keeps which unit's window around which position; `copy` then writes the windows that are still kept.
 * Values come from a unit-major copy of the context when there is one (PositionReducer's `transposed`: a window is
 * a contiguous run), else from the position-major context (one value per row).
 *
 * A sample entry can be taken again by a later position of the same context: only an entry that still holds the
 * noted position is copied (its window is the last one noted).
 */
import { windowAround } from './example';
import type { ExampleTable } from './example-table';
import type { ContextActivations } from './unit-stream';

export class WindowCopies {
  private c: ContextActivations | undefined;
  private source: Pick<ContextActivations, 'data' | 'offset' | 'posStride' | 'unitStride'> | undefined;
  private count = 0;
  private tables: ExampleTable[] = [];
  private entry = new Int32Array(256);
  private unit = new Int32Array(256);
  private pos = new Int32Array(256);
  private start = new Int32Array(256);
  private end = new Int32Array(256);

  /**
   * Starts noting copies from context c (pending copies of another context are dropped); values are read from
   * `source` when given (the same context in another layout, e.g. unit-major), else from c.
   */
  begin(c: ContextActivations, source?: Pick<ContextActivations, 'data' | 'offset' | 'posStride' | 'unitStride'>): this {
    this.c = c;
    this.source = source ?? c;
    this.count = 0;
    return this;
  }

  /** Notes that entry e of `table` keeps unit u's window around position p; sets the entry's window bounds now. */
  add(table: ExampleTable, e: number, u: number, p: number, before: number, after: number): void {
    const c = this.c!;
    const { start, end } = windowAround(p, c.tokens.length, before, after);
    table.windowStart[e] = start;
    table.windowLength[e] = end - start;
    if (this.count === this.entry.length) this.grow();
    const i = this.count++;
    this.tables[i] = table;
    this.entry[i] = e;
    this.unit[i] = u;
    this.pos[i] = p;
    this.start[i] = start;
    this.end[i] = end;
  }

  /** Copies every noted window (activations, and tokens where the table owns them) and forgets them; returns how many. */
  copy(): number {
    const { tokens, doc } = this.c!;
    const { data, offset, posStride, unitStride } = this.source!;
    let copied = 0;
    const count = this.count;
    const { tables, entry, unit, pos, start, end } = this;
    // Entries taken again since: nothing to copy for the earlier note.
    for (let i = 0; i < count; i++) {
      const t = tables[i];
      if (t.pos[entry[i]] !== pos[i] || t.doc[entry[i]] !== doc) end[i] = start[i];
    }
    for (let i = 0; i < count; i++) {
      const from = start[i];
      const to = end[i];
      if (to <= from) continue;
      copied++;
      const t = tables[i];
      const acts = t.acts;
      const at = entry[i] * t.width - from;
      const k0 = offset + unit[i] * unitStride + from * posStride;
      // A contiguous run is one memcpy (several times faster than an element loop into the large, cold table).
      if (posStride === 1) acts.set(data.subarray(k0, k0 + to - from), at + from);
      else for (let q = from, k = k0; q < to; q++, k += posStride) acts[at + q] = data[k];
      if (t.ownTokens) {
        const own = t.tokens;
        for (let q = from; q < to; q++) own[at + q] = tokens[q];
      }
    }
    this.count = 0;
    return copied;
  }

  private grow(): void {
    const more = (a: Int32Array) => {
      const b = new Int32Array(2 * a.length);
      b.set(a);
      return b;
    };
    this.entry = more(this.entry);
    this.unit = more(this.unit);
    this.pos = more(this.pos);
    this.start = more(this.start);
    this.end = more(this.end);
  }
}
