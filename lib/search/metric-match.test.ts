import { describe, expect, it } from 'vitest';
import { matchMetrics } from './metric-match';

// The registry's names as of this writing (lib/metrics/heads/registry.ts), so the test reads on its own.
const METRICS = [
  ['previous_token', 'Previous token'],
  ['duplicate_token', 'Duplicate token'],
  ['induction', 'Induction'],
  ['induction_tl', 'Induction (TransformerLens demo)'],
  ['previous_token_natural', 'Previous token (natural text)'],
  ['attention_entropy', 'Attention entropy'],
  ['attention_distance_mean', 'Attention distance (mean)'],
  ['copying_ov', 'Copying (W_OV)'],
  ['copying_full', 'Copying (full OV circuit)'],
  ['direct_logit_attribution', 'Direct logit attribution'],
].map(([id, title]) => ({ id, title }));

describe('matchMetrics', () => {
  it('finds metrics by a word inside their name, not only from the start', () => {
    expect(matchMetrics('entropy', METRICS)).toEqual(['attention_entropy']);
    expect(matchMetrics('logit', METRICS)).toEqual(['direct_logit_attribution']);
    expect(matchMetrics('token', METRICS)).toEqual(['previous_token', 'duplicate_token', 'previous_token_natural']);
  });

  it('returns every metric a word names, best match first', () => {
    expect(matchMetrics('copying', METRICS)).toEqual(['copying_ov', 'copying_full']);
    expect(matchMetrics('induction', METRICS)).toEqual(['induction', 'induction_tl']);
    expect(matchMetrics('Copying-full', METRICS)).toEqual(['copying_full']);
  });

  it('reads abbreviations: initials and shortened parts', () => {
    expect(matchMetrics('dla', METRICS)).toEqual(['direct_logit_attribution']);
    expect(matchMetrics('prev_token', METRICS)).toEqual(['previous_token', 'previous_token_natural']);
    expect(matchMetrics('ov', METRICS)).toEqual(['copying_ov', 'copying_full']);
  });

  it('finds nothing for unrelated words and single letters', () => {
    expect(matchMetrics('dragon', METRICS)).toEqual([]);
    expect(matchMetrics('a', METRICS)).toEqual([]);
    expect(matchMetrics('  ', METRICS)).toEqual([]);
  });
});
