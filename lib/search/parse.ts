/**
 * The search box's little language. A query is a list of terms, separated by spaces:
 *
 *   stories260K            a word: model names, metric names, and token text in top examples
 *   model:stories260K      restrict to one model
 *   L9H6  9.6  L9 H6       a head (TransformerLens name or URL form; "layer 9 head 6" too)
 *   L3N123  L3 N123        a neuron (layer 3, neuron 123)
 *   /models/m/heads/L9H6   a pasted page address (or full URL): that model's head, neuron or layer
 *   induction > 0.5        heads whose metric passes a threshold (>, >=, <, <=, =; spaces optional)
 *   "once upon"            a phrase, searched as token text in top examples
 *
 * Parsing never fails: a malformed term becomes a problem message and the rest still runs.
 */

export type Comparison = '>' | '>=' | '<' | '<=' | '=';

export interface Threshold {
  metric: string;
  op: Comparison;
  value: number;
}

export interface ParsedQuery {
  model: string | null;
  heads: { layer: number; head: number }[];
  neurons: { layer: number; neuron: number }[];
  thresholds: Threshold[];
  /** Free words and quoted phrases, in order. */
  text: string[];
  problems: string[];
}

export const MAX_QUERY_LENGTH = 200;

const INDEX = '(0|[1-9]\\d{0,5})';
const HEAD_NAME = new RegExp(`^[Ll]${INDEX}[Hh]${INDEX}$`);
const HEAD_SLUG = new RegExp(`^${INDEX}\\.${INDEX}$`);
const NEURON = new RegExp(`^[Ll]${INDEX}[Nn]${INDEX}$`);
const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
const METRIC = /^[A-Za-z][A-Za-z0-9_-]*$/;
const MODEL = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
// `metric op number`, with or without spaces around op.
const THRESHOLD = /([A-Za-z][A-Za-z0-9_-]*)\s*(>=|<=|>|<|==?)\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)/g;

/** Splits into raw tokens, keeping "quoted phrases" whole. */
function tokenize(q: string): { token: string; quoted: boolean }[] {
  const out: { token: string; quoted: boolean }[] = [];
  const re = /"([^"]*)"?|(\S+)/g;
  for (let m = re.exec(q); m; m = re.exec(q)) {
    if (m[1] !== undefined) {
      const phrase = m[1].trim();
      if (phrase) out.push({ token: phrase, quoted: true });
    } else out.push({ token: m[2], quoted: false });
  }
  return out;
}

export function parseSearchQuery(raw: string): ParsedQuery {
  const parsed: ParsedQuery = { model: null, heads: [], neurons: [], thresholds: [], text: [], problems: [] };
  let q = raw.normalize('NFC').trim();
  if (q.length > MAX_QUERY_LENGTH) {
    parsed.problems.push(`the query is longer than ${MAX_QUERY_LENGTH} characters; only the start was used`);
    q = q.slice(0, MAX_QUERY_LENGTH);
  }
  // Thresholds first (outside quotes), since they may contain spaces: `induction > 0.5`.
  const parts = q.split('"');
  for (let i = 0; i < parts.length; i += 2) {
    parts[i] = parts[i].replace(THRESHOLD, (_all, metric: string, op: string, value: string) => {
      parsed.thresholds.push({ metric: metric.toLowerCase(), op: (op === '==' ? '=' : op) as Comparison, value: Number(value) });
      return ' ';
    });
  }
  q = parts.join('"');

  for (const { token, quoted } of tokenize(joinSpacedNames(q))) {
    if (quoted) {
      parsed.text.push(token);
      continue;
    }
    let m: RegExpExecArray | null;
    if (/\/models\//.test(token) && readPageAddress(token, parsed)) {
      continue;
    } else if ((m = HEAD_NAME.exec(token)) || (m = HEAD_SLUG.exec(token))) {
      parsed.heads.push({ layer: Number(m[1]), head: Number(m[2]) });
    } else if ((m = NEURON.exec(token))) {
      parsed.neurons.push({ layer: Number(m[1]), neuron: Number(m[2]) });
    } else if (/^model:/i.test(token)) {
      const name = token.slice(6);
      if (!MODEL.test(name)) parsed.problems.push(`model: "${name}" is not a model name`);
      else if (parsed.model && parsed.model !== name)
        parsed.problems.push(`model: given twice ("${parsed.model}", "${name}"); the first is used`);
      else parsed.model = name;
    } else if (/^[<>=]/.test(token) || /[<>=]$/.test(token)) {
      parsed.problems.push(`"${token}": a threshold is written "metric > number", e.g. "induction > 0.5"`);
    } else if (NUMBER.test(token)) {
      parsed.problems.push(
        `"${token}": a number alone matches nothing; write a head as L9H6 or 9.6, a threshold as "induction > ${token}"`,
      );
    } else {
      parsed.text.push(token);
    }
  }
  return parsed;
}

/** `L1 H3`, `L1 N3` and `layer 1 head 3` / `layer 1 neuron 3` (outside quotes) → `L1H3`, `L1N3`. */
function joinSpacedNames(q: string): string {
  const parts = q.split('"');
  for (let i = 0; i < parts.length; i += 2) {
    parts[i] = parts[i]
      .replace(
        /\blayer\s*(\d{1,6})\s*,?\s*(head|neuron)\s*(\d{1,6})\b/gi,
        (_a, l: string, kind: string, n: string) => `L${l}${kind.toLowerCase() === 'head' ? 'H' : 'N'}${n}`,
      )
      .replace(/\b([Ll]\d{1,6})\s+([HhNn]\d{1,6})\b/g, '$1$2');
  }
  return parts.join('"');
}

const ADDRESS = /(?:^|\/)models\/([^/?#\s]+)(?:\/(heads)\/([^/?#\s]+)|\/(neurons)\/(\d{1,6})\/(\d{1,6})|\/(layers)\/(\d{1,6}))?/;

/**
 * A pasted page address (`/models/m/heads/1.3`, `https://host/runs/r…/models/m/neurons/0/5`): scopes the search to the
 * model and reads the head or neuron it names. False when the token is not such an address.
 */
function readPageAddress(token: string, parsed: ParsedQuery): boolean {
  const m = ADDRESS.exec(token);
  if (!m) return false;
  let model: string;
  try {
    model = decodeURIComponent(m[1]);
  } catch {
    return false;
  }
  if (!MODEL.test(model)) return false;
  if (parsed.model && parsed.model !== model) parsed.problems.push(`model: given twice ("${parsed.model}", "${model}"); the first is used`);
  else parsed.model = model;
  if (m[2]) {
    const slug = decodeURIComponent(m[3]);
    const head = HEAD_NAME.exec(slug) ?? HEAD_SLUG.exec(slug);
    if (head) parsed.heads.push({ layer: Number(head[1]), head: Number(head[2]) });
    else parsed.problems.push(`"${slug}": not a head; write it as L9H6 or 9.6`);
  } else if (m[4]) {
    parsed.neurons.push({ layer: Number(m[5]), neuron: Number(m[6]) });
  }
  return true;
}

export function passes(value: number, t: Threshold): boolean {
  switch (t.op) {
    case '>':
      return value > t.value;
    case '>=':
      return value >= t.value;
    case '<':
      return value < t.value;
    case '<=':
      return value <= t.value;
    case '=':
      return value === t.value;
  }
}

/** True when a word could be a metric name (used to suggest one). */
export function looksLikeMetric(word: string): boolean {
  return METRIC.test(word);
}
