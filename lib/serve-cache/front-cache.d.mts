/** Types of front-cache.mjs (plain JavaScript: Next's cache handler and the server share its code without a build step). */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PublishGeneration } from './publish-generation.mjs';

export declare const MAX_ENTRY_BYTES: number;
export declare class FrontCache {
  constructor(generation: PublishGeneration, maxBytes: number);
  hits: number;
  handle(req: IncomingMessage, res: ServerResponse, next: (req: IncomingMessage, res: ServerResponse) => unknown): Promise<void>;
}
