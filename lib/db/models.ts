/** Models (checkpoints) and, for the index page, each one's latest published run. */
import { z } from 'zod';
import { Prisma } from '../generated/prisma/client';
import type { Model } from '../generated/prisma/client';
import { publicModelSource } from '../format/public-model-source';
import { getPrisma } from './client';
import { runInfoInclude, toRunInfo, type RunInfo } from './runs';
import { nonNegativeInt32, parseInput, slugSchema } from './validate';

export interface ModelInfo {
  slug: string;
  displayName: string;
  architecture: string;
  nLayers: number;
  nHeads: number;
  nKvHeads: number;
  dModel: number;
  dHead: number;
  dMlp: number;
  dVocab: number;
  nCtx: number;
  nParams: number;
  /** Where the checkpoint came from, as the public may see it (lib/format/public-model-source.ts). */
  source: string;
  license: string;
  description: string;
  config: unknown;
}

const positiveInt = nonNegativeInt32.min(1);

const modelInfoInput = z.object({
  slug: slugSchema,
  displayName: z.string().min(1, 'must not be empty'),
  architecture: z.string().min(1, 'must not be empty'),
  nLayers: positiveInt,
  nHeads: positiveInt,
  nKvHeads: positiveInt,
  dModel: positiveInt,
  dHead: positiveInt,
  dMlp: nonNegativeInt32, // 0 for attention-only models
  dVocab: positiveInt,
  nCtx: positiveInt,
  nParams: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  source: z.string(),
  license: z.string(),
  description: z.string(),
  config: z.unknown().refine((v) => v !== undefined, 'is required (the ModelConfig, or null)'),
});

/** Creates the model, or updates its description while none of its runs is published; runs keep pointing at it. */
export async function upsertModel(m: ModelInfo): Promise<void> {
  const input = parseInput(modelInfoInput, m, 'upsertModel');
  if (input.nHeads % input.nKvHeads !== 0) {
    throw new Error(`upsertModel: nHeads (${input.nHeads}) must be a multiple of nKvHeads (${input.nKvHeads})`);
  }
  const data = {
    ...input,
    nParams: BigInt(input.nParams),
    config: input.config === null ? Prisma.JsonNull : (input.config as Prisma.InputJsonValue),
  };
  await getPrisma().$transaction(async (tx) => {
    const existing = await tx.model.findUnique({
      where: { slug: input.slug },
      include: { _count: { select: { runs: true } } },
    });
    if (existing && existing._count.runs > 0) {
      // Results of existing runs are indexed by these dimensions; only the description may change.
      const changed = SHAPE_FIELDS.filter((f) => existing[f] !== input[f]);
      if (changed.length > 0) {
        throw new Error(
          `upsertModel: model "${input.slug}" has runs, so its dimensions cannot change (${changed
            .map((f) => `${f} ${existing[f]} -> ${input[f]}`)
            .join(', ')}); register the new checkpoint under a new slug`,
        );
      }
    }
    // Once a run of it is published, the row is what that run's pages show: it stays as it is (the database refuses
    // changes too). The same checkpoint registered again — with other weight processing, from another folder — keeps it.
    if (existing && (await tx.run.count({ where: { modelId: existing.id, status: 'published' } })) > 0) return;
    await tx.model.upsert({ where: { slug: input.slug }, create: data, update: data });
  });
}

const SHAPE_FIELDS = ['nLayers', 'nHeads', 'nKvHeads', 'dModel', 'dHead', 'dMlp', 'dVocab', 'nCtx'] as const;

/**
 * The checkpoint's recorded location (a file system path for local models) for loading it on this server
 * (live inference): never for display, which gets ModelInfo.source.
 */
export async function getModelCheckpointSource(slug: string): Promise<string | null> {
  const model = await getPrisma().model.findUnique({ where: { slug }, select: { source: true } });
  return model ? model.source : null;
}

export async function getModel(slug: string): Promise<ModelInfo | null> {
  const model = await getPrisma().model.findUnique({ where: { slug } });
  return model ? toModelInfo(model) : null;
}

/** All models by slug, each with its latest *published* run (null when none is published yet). */
export async function listModels(): Promise<(ModelInfo & { latestRun: RunInfo | null })[]> {
  const models = await getPrisma().model.findMany({
    orderBy: { slug: 'asc' },
    include: {
      runs: {
        where: { status: 'published' },
        orderBy: [{ publishedAt: 'desc' }, { id: 'desc' }],
        take: 1,
        include: runInfoInclude,
      },
    },
  });
  return models.map(({ runs, ...model }) => ({
    ...toModelInfo(model),
    latestRun: runs[0] ? toRunInfo(runs[0]) : null,
  }));
}

function toModelInfo(m: Model): ModelInfo {
  return {
    slug: m.slug,
    displayName: m.displayName,
    architecture: m.architecture,
    nLayers: m.nLayers,
    nHeads: m.nHeads,
    nKvHeads: m.nKvHeads,
    dModel: m.dModel,
    dHead: m.dHead,
    dMlp: m.dMlp,
    dVocab: m.dVocab,
    nCtx: m.nCtx,
    nParams: Number(m.nParams),
    source: publicModelSource(m.source),
    license: m.license,
    description: m.description,
    config: m.config,
  };
}
