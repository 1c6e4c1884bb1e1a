/**
 * What a model's `source` shows the public (model pages, run pages, the API). The Model row keeps the
 * checkpoint's real location — live inference and workers load the model from it — but a model published
 * from a local file or folder must not print this server's file system layout (`/home/alice/ckpt/...`).
 * Applied when a row is read, so rows written before this existed are shown the same way.
 *
 *   hf:owner/name, https://...                  shown as they are (public names)
 *   data/models/stories260K/stories260K.bin     shown as it is (a path inside the headwiki repository)
 *   /srv/models/my-gpt2, ./ckpt/model.bin, C:\m  `local checkpoint "my-gpt2"` (the last path segment only)
 */
export function publicModelSource(source: string): string {
  const s = source.trim();
  if (s === '') return '';
  if (/^hf:/i.test(s) || /^https?:\/\//i.test(s)) return s.replace(/^(https?:\/\/)[^/@]*@/i, '$1');
  // Bundled checkpoints are recorded relative to the repository (lib/models/registry.ts).
  if (/^data\/[A-Za-z0-9._/-]+$/.test(s) && !s.split('/').includes('..')) return s;
  if (!/[\\/]/.test(s) && !s.startsWith('~') && !/^[A-Za-z]:/.test(s)) return s; // a bare name
  const name = s
    .split(/[\\/]+/)
    .filter((part) => part !== '' && part !== '.' && part !== '..' && part !== '~')
    .pop();
  return name ? `local checkpoint "${name}"` : 'local checkpoint';
}
