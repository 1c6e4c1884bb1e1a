/** Types of publish-generation.mjs (plain JavaScript: Next loads the cache handler at run time). */
export declare const GENERATION_SQL: string;
export declare function databaseGenerationReader(connectionString?: string): (() => Promise<string>) & { close(): Promise<void> };
export declare class PublishGeneration {
  constructor(read: () => Promise<string>, opts?: { intervalMs?: number; now?: () => number });
  current(): Promise<string | null>;
}
