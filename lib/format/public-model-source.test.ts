import { describe, expect, it } from 'vitest';
import { publicModelSource } from './public-model-source';

describe('publicModelSource', () => {
  it('hides server paths behind the last path segment', () => {
    expect(publicModelSource('/home/alice/secret/ckpts/my-gpt2')).toBe('local checkpoint "my-gpt2"');
    expect(publicModelSource('/srv/models/tiny.bin/')).toBe('local checkpoint "tiny.bin"');
    expect(publicModelSource('./ckpt/model.bin')).toBe('local checkpoint "model.bin"');
    expect(publicModelSource('../../etc/x')).toBe('local checkpoint "x"');
    expect(publicModelSource('~/models/m')).toBe('local checkpoint "m"');
    expect(publicModelSource('C:\\Users\\bob\\model')).toBe('local checkpoint "model"');
    expect(publicModelSource('/')).toBe('local checkpoint');
    expect(publicModelSource('data/../../root/x')).toBe('local checkpoint "x"');
  });

  it('keeps public names and repository paths', () => {
    expect(publicModelSource('hf:openai-community/gpt2')).toBe('hf:openai-community/gpt2');
    expect(publicModelSource('https://huggingface.co/gpt2')).toBe('https://huggingface.co/gpt2');
    expect(publicModelSource('https://user:token@example.org/m')).toBe('https://example.org/m');
    expect(publicModelSource('data/models/stories260K/stories260K.bin')).toBe('data/models/stories260K/stories260K.bin');
    expect(publicModelSource('stories260K')).toBe('stories260K');
    expect(publicModelSource('')).toBe('');
  });
});
