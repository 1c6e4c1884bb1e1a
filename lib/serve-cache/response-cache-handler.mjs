/**
 * Next's response cache (next.config.js `cacheHandler`): the rendered HTML/RSC of every page route that is not
 * force-dynamic, in memory, least recently used first out when the total passes HEADWIKI_RESPONSE_CACHE_MB
 * (default 256). An entry is served only while the publish generation it was rendered under lasts
 * (publish-generation.mjs): pages of a published run never change, but "latest" pages, and pinned pages' "a newer
 * run exists" line, change when any run is published, so every publish empties the cache (publishes are rare).
 * In memory only: a restart starts empty, and a build never serves a page rendered from another database.
 */
import { databaseGenerationReader, PublishGeneration } from './publish-generation.mjs';

const TAGS_HEADER = 'x-next-cache-tags';

/** Rough bytes of a cache value (HTML, flight data, segment payloads, route bodies). */
export function entrySize(value) {
  if (!value || typeof value !== 'object') return 64;
  let n = 512;
  for (const v of [value.html, value.rscData, value.body, value.pageData]) {
    if (typeof v === 'string') n += v.length * 2;
    else if (v && typeof v.byteLength === 'number') n += v.byteLength;
  }
  if (value.segmentData instanceof Map) for (const b of value.segmentData.values()) n += b?.byteLength ?? 0;
  return n;
}

export class BoundedLru {
  constructor(maxBytes) {
    this.maxBytes = maxBytes;
    this.bytes = 0;
    this.map = new Map();
  }
  get(key) {
    const e = this.map.get(key);
    if (e === undefined) return undefined;
    this.map.delete(key);
    this.map.set(key, e);
    return e;
  }
  set(key, entry) {
    this.delete(key);
    if (entry.size > this.maxBytes) return;
    this.map.set(key, entry);
    this.bytes += entry.size;
    for (const [k, e] of this.map) {
      if (this.bytes <= this.maxBytes) break;
      this.map.delete(k);
      this.bytes -= e.size;
    }
  }
  delete(key) {
    const e = this.map.get(key);
    if (e === undefined) return;
    this.map.delete(key);
    this.bytes -= e.size;
  }
  *entries() {
    yield* this.map.entries();
  }
}

/** The handler's logic with its generation source injected (tests give a fake one). */
export class GenerationCache {
  /** @param {PublishGeneration} generation @param {number} maxBytes */
  constructor(generation, maxBytes) {
    this.generation = generation;
    this.lru = new BoundedLru(maxBytes);
    // Generation seen at a key's miss: the render that follows read the database then, so its result belongs to
    // that generation even when a publish lands while it renders.
    this.missedAt = new Map();
  }

  async get(key) {
    const gen = await this.generation.current();
    const e = this.lru.get(key);
    if (e && gen !== null && e.generation === gen) return { value: e.value, lastModified: e.lastModified };
    if (e) this.lru.delete(key);
    if (this.missedAt.size > 10_000) this.missedAt.clear();
    this.missedAt.set(key, gen);
    return null;
  }

  async set(key, value, ctx = {}) {
    if (!value) {
      this.lru.delete(key);
      return;
    }
    const generation = this.missedAt.has(key) ? this.missedAt.get(key) : await this.generation.current();
    this.missedAt.delete(key);
    if (generation === null) return; // the database was never reachable: nothing to stamp it with
    const headerTags = value.headers?.[TAGS_HEADER];
    const tags = [...(ctx.tags ?? []), ...(typeof headerTags === 'string' ? headerTags.split(',') : [])];
    this.lru.set(key, { value, generation, tags, lastModified: Date.now(), size: entrySize(value) });
  }

  async revalidateTag(tags) {
    const wanted = new Set(Array.isArray(tags) ? tags : [tags]);
    for (const [key, e] of [...this.lru.entries()]) if (e.tags.some((t) => wanted.has(t))) this.lru.delete(key);
  }
}

const shared = new GenerationCache(
  new PublishGeneration(databaseGenerationReader(), { intervalMs: Number(process.env.HEADWIKI_PUBLISH_POLL_MS ?? 1000) }),
  Number(process.env.HEADWIKI_RESPONSE_CACHE_MB ?? 256) * 1024 * 1024,
);

/** The class Next instantiates (one per server; the cache itself is shared by every instance). */
export default class ResponseCacheHandler {
  get(key) {
    return shared.get(key);
  }
  set(key, data, ctx) {
    return shared.set(key, data, ctx);
  }
  revalidateTag(tags) {
    return shared.revalidateTag(tags);
  }
  resetRequestCache() {}
}
