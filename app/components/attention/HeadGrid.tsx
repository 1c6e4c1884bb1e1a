/**
 * Every head of a model on the reader's own text (`/models/{model}/attention?text=`): a layer × head grid of small
 * attention patterns, each linking to the head's page with the same text, so a reader sees at a glance which heads
 * look back one token, which attend to repeats, which rest on BOS. Server-rendered from a GET form: works, and is
 * shareable, without JavaScript. Links to pages with `?text=` never prefetch: each prefetch would be a live run,
 * taking the reader's live budget and the server's live render slot (lib/serve-cache/live-render-gate.ts).
 */
import Link from 'next/link';
import { headers } from 'next/headers';
import { liveBudgetRefusal } from '@/lib/api/live-budget';
import type { ModelInfo } from '@/lib/db/models';
import { headPath, modelPath } from '@/lib/format/paths';
import { formatToken } from '@/lib/format/token-display';
import { isLiveError } from '@/lib/live';
import { GRID_MAX_TOKENS, liveAllHeadsAttention, type LiveAllHeads } from '@/lib/live/all-heads-attention';
import { LIVE_LIMITS } from '@/lib/live/limits';
import { patternPaths } from './mini-pattern';
import './attention.css';

const DEFAULT_TEXT = 'The cat sat on the mat. The cat sat on the mat.';
/** Drawn size of one head's pattern, px. */
const SIZE = 120;

/** Detection patterns offered in the form (any rule or JSON matrix works in the address). */
const PATTERNS = [
  ['', 'none'],
  ['previous', 'previous token'],
  ['duplicate', 'duplicate token'],
  ['induction', 'induction'],
  ['bos', 'BOS'],
  ['self', 'current token'],
  ['offset:2', 'two tokens back (offset:2)'],
] as const;

async function run(model: ModelInfo, text: string, pattern?: string): Promise<{ result?: LiveAllHeads; error?: string }> {
  if (text.trim() === '') return { error: 'text: must not be empty' };
  if (text.length > LIVE_LIMITS.maxChars)
    return { error: `text too long: ${text.length} characters; the limit is ${LIVE_LIMITS.maxChars}` };
  const refused = liveBudgetRefusal({ headers: await headers() });
  if (refused) return { error: refused };
  try {
    return { result: await liveAllHeadsAttention({ modelSlug: model.slug, text, nLayers: model.nLayers, pattern }) };
  } catch (err) {
    if (isLiveError(err)) return { error: err.message };
    throw err;
  }
}

/** `pattern`: also score every head against a detection pattern (TransformerLens detect_head) and rank them. */
export async function HeadGrid({ model, text, pattern }: { model: ModelInfo; text?: string; pattern?: string }) {
  const shown = text ?? DEFAULT_TEXT;
  const wanted = pattern?.trim() ? pattern.trim() : undefined;
  const { result, error } = await run(model, shown, wanted);
  const pagePath = `${modelPath(model.slug)}/attention`;
  return (
    <>
      <form method="get" action={pagePath} className="custom-text-form" data-testid="grid-form">
        <label htmlFor="grid-text" className="small muted">
          Your text (at most {GRID_MAX_TOKENS} tokens, BOS included; every head of {model.displayName} runs on it live):
        </label>
        <textarea id="grid-text" name="text" rows={3} maxLength={LIVE_LIMITS.maxChars} defaultValue={shown} data-testid="grid-text" />
        <div className="filter-bar">
          <label>
            Score the heads against a pattern
            <select name="pattern" defaultValue={wanted ?? ''} data-testid="grid-pattern">
              {PATTERNS.map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
              {wanted && !PATTERNS.some(([v]) => v === wanted) ? <option value={wanted}>{wanted}</option> : null}
            </select>
          </label>
        </div>
        <div>
          <button type="submit" data-testid="grid-run">
            Run every head
          </button>
        </div>
      </form>
      {error ? (
        <p className="custom-text-error" role="alert" data-testid="grid-error">
          {error}
        </p>
      ) : null}
      {result?.scores ? <Ranking model={model} scores={result.scores} text={shown} pattern={wanted!} /> : null}
      {result ? <Grid model={model} result={result} text={shown} /> : null}
    </>
  );
}

/** The heads best matching the detection pattern (score 1 = all attention where the pattern puts it). */
function Ranking({ model, scores, text, pattern }: { model: ModelInfo; scores: number[][]; text: string; pattern: string }) {
  const ranked = scores
    .flatMap((row, layer) => row.map((score, head) => ({ layer, head, score })))
    .sort((a, b) => b.score - a.score)
    .slice(0, 10);
  return (
    <section data-testid="grid-ranking">
      <h2 id="detect">Heads closest to the pattern “{pattern}”</h2>
      <p className="prose small muted">
        TransformerLens&apos; <code>detect_head</code> score on this text (1 = all attention where the pattern puts it); also{' '}
        <code>GET /api/v1/models/{model.slug}/detect?pattern=…&amp;text=…</code> and <code>npm run headwiki -- detect</code>.
      </p>
      <ol className="small">
        {ranked.map((r) => (
          <li key={`${r.layer}.${r.head}`} data-testid="grid-ranked-head">
            <Link href={`${headPath(model.slug, r.layer, r.head)}?text=${encodeURIComponent(text)}#try`} prefetch={false}>
              L{r.layer}H{r.head}
            </Link>{' '}
            {r.score.toFixed(3)}
          </li>
        ))}
      </ol>
    </section>
  );
}

function Grid({ model, result, text }: { model: ModelInfo; result: LiveAllHeads; text: string }) {
  const n = result.tokens.length;
  const cell = SIZE / n;
  const tokens = result.tokens.map((t) => formatToken(t).text);
  return (
    <>
      <p className="small muted" data-testid="grid-tokens">
        {n} tokens: <span className="mono">{tokens.join(' ')}</span>. Each square is one head&apos;s pattern <code>A[q, k]</code> (row =
        query, column = key; darker = more attention). Open a head for its page with this text.
      </p>
      <div className="head-grid-scroll">
        <table className="head-grid" data-testid="head-grid">
          <thead>
            <tr>
              <th />
              {result.patterns[0].map((_, h) => (
                <th key={h} scope="col">
                  H{h}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {result.patterns.map((heads, l) => (
              <tr key={l}>
                <th scope="row">L{l}</th>
                {heads.map((rows, h) => (
                  <td key={h}>
                    <Link
                      href={`${headPath(model.slug, l, h)}?text=${encodeURIComponent(text)}#try`}
                      prefetch={false}
                      data-testid="grid-head"
                      aria-label={`L${l}H${h} on this text`}
                    >
                      <svg width={SIZE} height={SIZE} viewBox={`0 0 ${SIZE} ${SIZE}`} role="img" aria-hidden="true">
                        <rect width={SIZE} height={SIZE} fill="#fff" stroke="#c9cdd2" strokeWidth={0.5} />
                        {patternPaths(rows, cell).map((p) => (
                          <path key={p.opacity} d={p.d} fill="rgb(37, 99, 235)" fillOpacity={p.opacity} />
                        ))}
                      </svg>
                    </Link>
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
