import fs from 'node:fs/promises';
import path from 'node:path';

/** A corpus shipped with (or given to) headwiki: where its text lives and what may be done with it. */
export interface CorpusSource {
  slug: string;
  name: string;
  path: string;
  source: string;
  license: string;
}

/** Corpora bundled in the repository (data/corpora), so the demo works on a fresh clone. */
export function bundledCorpora(repoRoot: string): CorpusSource[] {
  return [
    {
      slug: 'tinystories-sample',
      name: 'TinyStories validation sample',
      path: path.join(repoRoot, 'data/corpora/tinystories-sample.txt'),
      source: 'TinyStories validation split, first stories (Eldan & Li 2023)',
      license: 'CDLA-Sharing-1.0',
    },
    {
      // The neuron explorer's second dataset (stories vs code, open problem 6.37).
      slug: 'python-stdlib-sample',
      name: 'CPython 3.11 standard library sample',
      path: path.join(repoRoot, 'data/corpora/python-stdlib-sample.txt'),
      source: 'CPython 3.11 Lib/: 15 whole modules (data/corpora/README.md)',
      license: 'PSF-2.0',
    },
    {
      // The bundled IOI model's corpus (data/models/ioi-4l): its own synthetic sentences.
      slug: 'ioi-sample',
      name: 'Synthetic IOI sentences',
      path: path.join(repoRoot, 'data/corpora/ioi-sample.txt'),
      source: 'scripts/dev/train-ioi-model.py (Wang et al. 2022 templates and names)',
      license: 'MIT',
    },
  ];
}

/** Documents of a plain-text corpus: blank-line separated, trimmed, empty ones dropped. */
export async function readDocuments(file: string, limit = Infinity): Promise<string[]> {
  const text = await fs.readFile(file, 'utf8');
  return text
    .split(/\r?\n\s*\r?\n/)
    .map((d) => d.trim())
    .filter((d) => d.length > 0)
    .slice(0, limit);
}
