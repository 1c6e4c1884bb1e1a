import type {
  AlignmentMethod,
  BlackBoxDiff,
  BlackBoxPartial,
  ContinuationPair,
  CorpusShard,
  DiffContext,
  DiffModel,
  DiffOptions,
  ModelLossSummary,
  PatchingTextChoice,
  TaskMetricDiff,
} from './types';
import { DIFF_FORMAT_VERSION } from './types';
import { diffModelInfo, resolveDiffOptions, sameVocabulary } from './model';
import { documentLogProbs } from './log-probs';
import { tokenSpans } from './token-spans';
import { alignDocument, describeAlignment, type DocumentAlignment, type ScoredTokens } from './align';
import { TopK } from './top-k';
import { ExactSums } from '../metrics/streaming/exact-sum';

/**
 * Black-box diff of any two models (open problems 6.49–6.53): per-token log-prob differences over a corpus, aligned
 * by tokens or characters (lib/diff/align.ts), the segments with the largest difference each way, each model's loss.
 * Computed per corpus shard (`computeBlackBoxPartial`), merged exactly (`mergeBlackBoxPartials`), finalized once.
 */

/** B better first; ties by document, then position: a total order, so merges do not depend on grouping. */
const forB = (x: DiffContext, y: DiffContext) => y.diff - x.diff || x.document - y.document || focusStart(x) - focusStart(y);
const forA = (x: DiffContext, y: DiffContext) => x.diff - y.diff || x.document - y.document || focusStart(x) - focusStart(y);
const focusStart = (c: DiffContext) => c.segments[c.focus].charStart;

/** A document cut to maxChars without splitting a surrogate pair. */
function cutDocument(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const code = text.charCodeAt(maxChars - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? maxChars - 1 : maxChars);
}

export function commonContextLength(a: DiffModel, b: DiffModel, options: DiffOptions): number {
  return Math.min(options.contextLength, a.model.cfg.n_ctx, b.model.cfg.n_ctx);
}

async function score(
  m: DiffModel,
  texts: string[],
  options: DiffOptions,
  contextLength: number,
): Promise<Array<{ ids: number[]; logProbs: Float64Array }>> {
  const ids = texts.map((t) => m.tokenizer.encode(t));
  const logProbs = await documentLogProbs(m.runner, ids, { contextLength, batchSize: options.batchSize, bos: m.tokenizer.bosId });
  return ids.map((d, i) => ({ ids: d, logProbs: logProbs[i] }));
}

export async function computeBlackBoxPartial(
  a: DiffModel,
  b: DiffModel,
  shard: CorpusShard,
  opts: Partial<DiffOptions> = {},
): Promise<BlackBoxPartial> {
  const options = resolveDiffOptions(opts);
  if (!Number.isInteger(shard.firstDocument) || shard.firstDocument < 0) throw new Error(`shard.firstDocument must be an integer ≥ 0`);
  const vocab = sameVocabulary(a.tokenizer, b.tokenizer);
  const contextLength = commonContextLength(a, b, options);
  const texts = shard.documents.map((t) => cutDocument(String(t), options.maxDocumentChars));
  const [sa, sb] = [await score(a, texts, options, contextLength), await score(b, texts, options, contextLength)];
  const topForB = new TopK<DiffContext>(options.topK, forB);
  const topForA = new TopK<DiffContext>(options.topK, forA);
  const totals = { characters: 0, tokensA: 0, tokensB: 0, segments: 0, alignment: { tokens: 0, characters: 0, document: 0 } };
  const sums = new ExactSums(3);
  let bestTextForB: PatchingTextChoice | null = null;
  let bestTextForA: PatchingTextChoice | null = null;
  texts.forEach((text, i) => {
    const document = shard.firstDocument + i;
    const ta: ScoredTokens = { ids: sa[i].ids, logProbs: sa[i].logProbs, spans: tokenSpans(a.tokenizer, sa[i].ids) };
    const tb: ScoredTokens = { ids: sb[i].ids, logProbs: sb[i].logProbs, spans: tokenSpans(b.tokenizer, sb[i].ids) };
    const alignment = alignDocument(text, a.tokenizer.decode(sa[i].ids), ta, tb, vocab);
    let sumAbsDiff = 0;
    alignment.segments.forEach((seg, s) => {
      const diff = seg.logProbB - seg.logProbA;
      sumAbsDiff += Math.abs(diff);
      const probe = { document, diff, segments: [seg], focus: 0 } as DiffContext;
      for (const top of diff > 0 ? [topForB] : diff < 0 ? [topForA] : []) {
        if (top.wouldAccept(probe)) top.push(buildContext(document, s, alignment, ta, tb, a, b, options));
      }
    });
    if (alignment.method === 'tokens') {
      const windows = bestWindows(document, ta, tb, a, contextLength - 1);
      bestTextForB = betterChoice(bestTextForB, windows.forB);
      bestTextForA = betterChoice(bestTextForA, windows.forA);
    }
    totals.characters += [...text].length;
    totals.tokensA += ta.ids.length;
    totals.tokensB += tb.ids.length;
    totals.segments += alignment.segments.length;
    totals.alignment[alignment.method]++;
    sums.add(0, -ta.logProbs.reduce((x, y) => x + y, 0));
    sums.add(1, -tb.logProbs.reduce((x, y) => x + y, 0));
    sums.add(2, sumAbsDiff);
  });
  return {
    kind: 'black-box-partial',
    formatVersion: DIFF_FORMAT_VERSION,
    a: diffModelInfo(a),
    b: diffModelInfo(b),
    options,
    sameVocabulary: vocab,
    documents: texts.length === 0 ? [] : [{ first: shard.firstDocument, count: texts.length }],
    totals: { ...totals, sums: sums.toJSON() },
    topForB: topForB.items,
    topForA: topForA.items,
    bestTextForB,
    bestTextForA,
  };
}

/** The larger advantage; on a tie the earlier document (a total order, so merges do not depend on grouping). */
function betterChoice(x: PatchingTextChoice | null, y: PatchingTextChoice | null): PatchingTextChoice | null {
  if (!x || !y) return x ?? y;
  return y.advantage > x.advantage || (y.advantage === x.advantage && y.document < x.document) ? y : x;
}

function buildContext(
  document: number,
  s: number,
  al: DocumentAlignment,
  ta: ScoredTokens,
  tb: ScoredTokens,
  a: DiffModel,
  b: DiffModel,
  options: DiffOptions,
): DiffContext {
  const lo = Math.max(0, s - options.segmentsBefore);
  const hi = Math.min(al.segments.length, s + options.segmentsAfter + 1);
  const start = al.segments[lo].charStart;
  const tokensOf = (t: ScoredTokens, of: Int32Array, m: DiffModel) => {
    const out: DiffContext['tokensA'] = [];
    for (let i = 0; i < t.ids.length; i++) {
      if (of[i] === s) out.push({ id: t.ids[i], text: t.spans.texts[i] || m.tokenizer.piece(t.ids[i]), logProb: t.logProbs[i] });
    }
    return out;
  };
  return {
    document,
    diff: al.segments[s].logProbB - al.segments[s].logProbA,
    prefix: al.displayText.slice(Math.max(0, start - options.contextChars), start),
    segments: al.segments.slice(lo, hi),
    focus: s - lo,
    tokensA: tokensOf(ta, al.segmentOfA, a),
    tokensB: tokensOf(tb, al.segmentOfB, b),
  };
}

/** The window (≤ room tokens, ≥ half of it unless the document is shorter) of this document where B's (resp. A's) mean log-prob advantage per token is largest. */
function bestWindows(document: number, ta: ScoredTokens, tb: ScoredTokens, a: DiffModel, room: number) {
  let forB: PatchingTextChoice | null = null;
  let forA: PatchingTextChoice | null = null;
  // A short tail window's mean is mostly noise: windows shorter than half a context count only as a whole document.
  const minimum = Math.min(ta.ids.length, Math.ceil(room / 2));
  for (let start = 0; start < ta.ids.length; start += room) {
    const end = Math.min(ta.ids.length, start + room);
    if (end - start < Math.max(2, minimum)) continue;
    let s = 0;
    for (let i = start; i < end; i++) s += tb.logProbs[i] - ta.logProbs[i];
    const advantage = s / (end - start);
    const text = () => a.tokenizer.decode(ta.ids.slice(start, end));
    if (advantage > 0 && (forB === null || advantage > forB.advantage)) forB = { document, text: text(), advantage, better: 'b' };
    if (advantage < 0 && (forA === null || -advantage > forA.advantage))
      forA = { document, text: text(), advantage: -advantage, better: 'a' };
  }
  return { forB, forA };
}

export function mergeBlackBoxPartials(parts: BlackBoxPartial[]): BlackBoxPartial {
  if (parts.length === 0) throw new Error('mergeBlackBoxPartials: nothing to merge');
  const [first] = parts;
  const signature = (p: BlackBoxPartial) => JSON.stringify([p.formatVersion, p.a, p.b, p.options, p.sameVocabulary]);
  for (const p of parts) {
    if (p.kind !== 'black-box-partial') throw new Error(`mergeBlackBoxPartials: not a black-box partial (${String(p.kind)})`);
    if (signature(p) !== signature(first))
      throw new Error('mergeBlackBoxPartials: partials of different models, options or format versions');
  }
  const documents = parts.flatMap((p) => p.documents).sort((x, y) => x.first - y.first);
  for (let i = 1; i < documents.length; i++) {
    if (documents[i].first < documents[i - 1].first + documents[i - 1].count) {
      throw new Error(`mergeBlackBoxPartials: document ${documents[i].first} is in two partials`);
    }
  }
  const topForB = new TopK<DiffContext>(first.options.topK, forB);
  const topForA = new TopK<DiffContext>(first.options.topK, forA);
  const sums = new ExactSums(3);
  const totals = { characters: 0, tokensA: 0, tokensB: 0, segments: 0, alignment: { tokens: 0, characters: 0, document: 0 } };
  let bestTextForB: PatchingTextChoice | null = null;
  let bestTextForA: PatchingTextChoice | null = null;
  for (const p of parts) {
    p.topForB.forEach((c) => topForB.push(c));
    p.topForA.forEach((c) => topForA.push(c));
    sums.merge(ExactSums.fromJSON(p.totals.sums));
    for (const k of ['characters', 'tokensA', 'tokensB', 'segments'] as const) totals[k] += p.totals[k];
    for (const m of ['tokens', 'characters', 'document'] as const) totals.alignment[m] += p.totals.alignment[m];
    bestTextForB = betterChoice(bestTextForB, p.bestTextForB);
    bestTextForA = betterChoice(bestTextForA, p.bestTextForA);
  }
  return {
    ...first,
    documents,
    totals: { ...totals, sums: sums.toJSON() },
    topForB: topForB.items,
    topForA: topForA.items,
    bestTextForB,
    bestTextForA,
  };
}

export function finalizeBlackBox(
  partial: BlackBoxPartial,
  extras: { continuations?: ContinuationPair[]; tasks?: TaskMetricDiff[] } = {},
): BlackBoxDiff {
  const merged = mergeBlackBoxPartials([partial]);
  const { characters, tokensA, tokensB, segments, alignment: counts } = merged.totals;
  const sums = ExactSums.fromJSON(merged.totals.sums);
  const [nllA, nllB, sumAbs] = [sums.value(0), sums.value(1), sums.value(2)];
  const methods = (Object.keys(counts) as AlignmentMethod[]).filter((m) => counts[m] > 0);
  const loss = (nll: number, tokens: number): ModelLossSummary => ({
    tokens,
    lossPerToken: tokens === 0 ? 0 : nll / tokens,
    natsPerCharacter: characters === 0 ? 0 : nll / characters,
  });
  return {
    kind: 'black-box',
    formatVersion: merged.formatVersion,
    a: merged.a,
    b: merged.b,
    options: merged.options,
    alignment: {
      method: methods.length === 1 ? methods[0] : methods.length === 0 ? 'tokens' : methods.includes('document') ? 'mixed' : 'characters',
      description: describeAlignment(counts, merged.sameVocabulary),
      sameVocabulary: merged.sameVocabulary,
      documents: counts,
      segments,
    },
    documents: merged.documents.reduce((n, d) => n + d.count, 0),
    characters,
    lossA: loss(nllA, tokensA),
    lossB: loss(nllB, tokensB),
    // Σ over segments of (lpB − lpA) = Σ lpB − Σ lpA: the total log-likelihood difference.
    meanSegmentDiff: segments === 0 ? 0 : (nllA - nllB) / segments,
    meanAbsSegmentDiff: segments === 0 ? 0 : sumAbs / segments,
    topForB: merged.topForB,
    topForA: merged.topForA,
    continuations: extras.continuations ?? [],
    tasks: extras.tasks ?? [],
    bestTextForB: merged.bestTextForB,
    bestTextForA: merged.bestTextForA,
  };
}
