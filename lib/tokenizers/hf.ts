import fs from 'node:fs/promises';
import path from 'node:path';
import { Tokenizer as HfTokenizerImpl } from '@huggingface/tokenizers';
import type { Tokenizer } from './types';

/**
 * Hugging Face `tokenizer.json` tokenizers (BPE, byte-level BPE, SentencePiece-style BPE, WordPiece, Unigram)
 * through @huggingface/tokenizers, the pure-JS port maintained by Hugging Face. encode() never adds the
 * tokenizer's own special tokens: headwiki decides about BOS itself (`bos: true`), as TransformerLens does.
 */
export interface HfTokenizerOptions {
  /** tokenizer_config.json contents (names bos/eos tokens, clean-up options). */
  config?: Record<string, unknown>;
  /** Used when neither the config nor the vocabulary names a BOS / EOS token (e.g. GPT-2: <|endoftext|> is both). */
  bosId?: number;
  eosId?: number;
  /** For error messages. */
  source?: string;
}

export class HfTokenizer implements Tokenizer {
  readonly vocabSize: number;
  readonly bosId: number;
  readonly eosId: number;
  readonly specialIds: ReadonlySet<number>;
  private readonly impl: HfTokenizerImpl;
  private readonly pieces: Map<number, string>;

  constructor(tokenizerJson: Record<string, unknown>, opts: HfTokenizerOptions = {}) {
    const source = opts.source ?? 'tokenizer.json';
    if (!tokenizerJson || typeof tokenizerJson.model !== 'object')
      throw new Error(`${source}: not a Hugging Face tokenizer.json (no "model" object)`);
    const config = opts.config ?? {};
    try {
      this.impl = new HfTokenizerImpl(tokenizerJson, config);
    } catch (e) {
      throw new Error(`${source}: cannot build the tokenizer (${(e as Error).message})`, { cause: e });
    }
    const vocab = this.impl.get_vocab(true);
    this.pieces = new Map([...vocab].map(([piece, id]) => [id, piece]));
    this.vocabSize = Math.max(-1, ...vocab.values()) + 1;
    const idOf = (key: string): number | undefined => {
      const v = config[key];
      const content = typeof v === 'string' ? v : (v as { content?: string } | undefined)?.content;
      return content === undefined ? undefined : this.impl.token_to_id(content);
    };
    const endOfText = this.impl.token_to_id('<|endoftext|>');
    this.bosId = idOf('bos_token') ?? opts.bosId ?? this.impl.token_to_id('<s>') ?? endOfText ?? 0;
    this.eosId = idOf('eos_token') ?? opts.eosId ?? this.impl.token_to_id('</s>') ?? endOfText ?? 0;
    this.specialIds = new Set([...this.impl.get_added_tokens_decoder()].filter(([, t]) => t.special).map(([id]) => id));
  }

  encode(text: string, opts: { bos?: boolean } = {}): number[] {
    const ids = this.impl.encode(text, { add_special_tokens: false }).ids;
    return opts.bos ? [this.bosId, ...ids] : ids;
  }

  decode(ids: number[]): string {
    if (ids.length === 0) return ''; // the library refuses an empty list
    return this.impl.decode(ids, { skip_special_tokens: false, clean_up_tokenization_spaces: false });
  }

  piece(id: number): string {
    return this.pieces.get(id) ?? `<unknown ${id}>`;
  }
}

/** A folder's tokenizer.json (+ tokenizer_config.json when present). */
export async function loadHfTokenizer(dir: string, opts: Omit<HfTokenizerOptions, 'config' | 'source'> = {}): Promise<HfTokenizer> {
  const file = path.join(dir, 'tokenizer.json');
  const json = await readJsonObject(file);
  const configFile = path.join(dir, 'tokenizer_config.json');
  const config = await fs.stat(configFile).then(
    () => readJsonObject(configFile),
    () => ({}),
  );
  return new HfTokenizer(json, { ...opts, config, source: file });
}

async function readJsonObject(file: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    throw new Error(`${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { cause: e });
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`${file}: not valid JSON (${(e as Error).message})`, { cause: e });
  }
}
