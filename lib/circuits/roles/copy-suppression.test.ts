import { describe, expect, it } from 'vitest';
import { ReferenceRunner } from '../../engine/reference';
import { IOI_NAMES } from '../tasks/ioi';
import { singleToken } from '../tasks/words';
import { buildPlantedContrastiveModel, PLANTED_CONTRASTIVE_HEADS } from '../../testing/planted-contrastive';
import { copySuppressionScores } from './copy-suppression';

describe("copy suppression's effective embeddings (McDougall et al. 2023: the token through block 0, no positional embedding)", () => {
  it('ignore what the first position adds: a W_pos[0] pointing at one name does not drown every token’s own name', async () => {
    const { model, tokenizer } = buildPlantedContrastiveModel();
    const names = IOI_NAMES.map((n) => singleToken(tokenizer, n)!);
    // In a model trained with BOS first, position 0's embedding is the BOS slot's signal, not the token's: plant a
    // strong one along the first name (NAME block is the residual's first 20 dimensions).
    const W_pos = model.weights.get('pos_embed.W_pos')!.data;
    W_pos[0] = 5;
    const { layer, head } = PLANTED_CONTRASTIVE_HEADS.sSuppression;
    const scores = await copySuppressionScores(new ReferenceRunner(model), model, names);
    expect(scores.ov[layer][head]).toBe(1); // its own name is the most lowered for every name
    expect(scores.qk[layer][head]).toBe(0); // its query reads a constant: ties count against the token
    const additive = PLANTED_CONTRASTIVE_HEADS.additive;
    expect(scores.ov[additive.layer][additive.head]).toBe(0); // it raises its own token
  });
});
