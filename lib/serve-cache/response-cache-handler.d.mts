/** Types of response-cache-handler.mjs (plain JavaScript: Next loads it at run time). */
import type { PublishGeneration } from './publish-generation.mjs';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type CacheValue = any;

export declare function entrySize(value: CacheValue): number;
export declare class BoundedLru {
  constructor(maxBytes: number);
  bytes: number;
  get(key: string): { size: number; [k: string]: unknown } | undefined;
  set(key: string, entry: { size: number; [k: string]: unknown }): void;
  delete(key: string): void;
  entries(): IterableIterator<[string, { size: number; [k: string]: unknown }]>;
}
export declare class GenerationCache {
  constructor(generation: PublishGeneration, maxBytes: number);
  get(key: string): Promise<{ value: CacheValue; lastModified: number } | null>;
  set(key: string, value: CacheValue, ctx?: { tags?: string[] }): Promise<void>;
  revalidateTag(tags: string | string[]): Promise<void>;
}
export default class ResponseCacheHandler {
  get(key: string): Promise<{ value: CacheValue; lastModified: number } | null>;
  set(key: string, data: CacheValue, ctx?: { tags?: string[] }): Promise<void>;
  revalidateTag(tags: string | string[]): Promise<void>;
  resetRequestCache(): void;
}
