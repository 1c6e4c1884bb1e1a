/**
 * Text search over example tables ("token text appearing in top examples"). Each table of
 * examples (head examples, neuron examples) adds one TextSearchProvider here; the search box,
 * /search and /api/v1/search use every provider for free words and quoted phrases.
 */
import { headExampleTextSearch } from './head-example-text';
import { neuronExampleTextSearch } from './neuron-example-text';
import type { TextSearchProvider } from './types';

export const TEXT_SEARCH_PROVIDERS: TextSearchProvider[] = [headExampleTextSearch, neuronExampleTextSearch];
