/** Search results and the plug-in interface for text search over example tables. */
import type { ModelInfo } from '@/lib/db/models';
import type { RunInfo } from '@/lib/db/runs';

export type SearchResultKind = 'model' | 'head' | 'neuron' | 'metric' | 'example';

export interface SearchResult {
  kind: SearchResultKind;
  /** Link text, e.g. `stories260K L1H3`. */
  title: string;
  /** One line under the link. */
  description: string;
  /** Page URL (relative). */
  url: string;
  /** The matched metric value (threshold searches). */
  value?: number;
  /** Text searches: the first top example that contains the phrase (corpus text: render as text only). */
  match?: SearchMatch;
}

export interface SearchMatch {
  /** Which example, e.g. `top example #3`. */
  example: string;
  /** An excerpt of its plain text around the phrase. */
  text: string;
  /** The unit page, anchored at the example's list. */
  url: string;
}

/**
 * Searches token text in a table of examples (top activating texts of heads or neurons).
 * Register one in providers.ts; it receives each model in scope with its latest published run.
 */
export interface TextSearchProvider {
  id: string;
  search(phrase: string, scope: { model: ModelInfo; run: RunInfo }[], limit: number): Promise<SearchResult[]>;
}
