/** Corpora: named, ordered document collections that runs sample their texts from. */
import { z } from 'zod';
import { getPrisma } from './client';
import { LONG_TRANSACTION } from './run-lock';
import { parseInput, slugSchema } from './validate';

const corpusInput = z.object({
  slug: slugSchema,
  name: z.string().min(1, 'must not be empty'),
  source: z.string(),
  license: z.string(),
  // Postgres text cannot hold NUL characters.
  documents: z.array(z.string().refine((t) => !t.includes('\u0000'), 'contains a NUL character')),
});

const INSERT_CHUNK = 1000;

/**
 * Creates the corpus, or updates its name/source/license while no published run uses it (after that they stay as
 * they are). Its documents may only change while no run uses the corpus: results of runs refer to documents by position.
 */
export async function upsertCorpus(c: { slug: string; name: string; source: string; license: string; documents: string[] }): Promise<void> {
  const input = parseInput(corpusInput, c, 'upsertCorpus');
  await getPrisma().$transaction(async (tx) => {
    const meta = { name: input.name, source: input.source, license: input.license };
    const before = await tx.corpus.findUnique({ where: { slug: input.slug }, select: { id: true } });
    // A corpus a published run used keeps its name, source and license (the database refuses changes too).
    const frozen = before !== null && (await tx.run.count({ where: { corpusId: before.id, status: 'published' } })) > 0;
    const corpus = await tx.corpus.upsert({
      where: { slug: input.slug },
      create: { slug: input.slug, ...meta },
      update: frozen ? {} : meta,
      select: { id: true, _count: { select: { runs: true } } },
    });
    const existing = await tx.document.findMany({
      where: { corpusId: corpus.id },
      orderBy: { index: 'asc' },
      select: { text: true },
    });
    const unchanged = existing.length === input.documents.length && existing.every((d, i) => d.text === input.documents[i]);
    if (unchanged) return;
    if (corpus._count.runs > 0) {
      throw new Error(
        `upsertCorpus: corpus "${input.slug}" is used by ${corpus._count.runs} run(s) and its documents differ from the ` +
          'ones given; documents of a used corpus cannot change (give the new documents a new slug)',
      );
    }
    await tx.document.deleteMany({ where: { corpusId: corpus.id } });
    for (let start = 0; start < input.documents.length; start += INSERT_CHUNK) {
      await tx.document.createMany({
        data: input.documents.slice(start, start + INSERT_CHUNK).map((text, i) => ({ corpusId: corpus.id, index: start + i, text })),
      });
    }
  }, LONG_TRANSACTION);
}

export interface CorpusInfo {
  slug: string;
  name: string;
  source: string;
  license: string;
  documents: string[];
}

/** The corpus with its documents in order; null when unknown. */
export async function getCorpus(slug: string): Promise<CorpusInfo | null> {
  const corpus = await getPrisma().corpus.findUnique({
    where: { slug },
    include: { documents: { orderBy: { index: 'asc' }, select: { text: true } } },
  });
  if (!corpus) return null;
  return {
    slug: corpus.slug,
    name: corpus.name,
    source: corpus.source,
    license: corpus.license,
    documents: corpus.documents.map((d) => d.text),
  };
}
