/**
 * The embed snippet offered on a head page: an absolute `src` (a relative one breaks once pasted into slides or
 * another site) and a height that fits the embed card (HeadEmbedCard keeps itself within EMBED_HEIGHT).
 */
import { siteOrigin } from '../site-origin';

/** Heights in px of the iframes offered; the embed cards are laid out to fit them at EMBED_WIDTH (e2e/reader-pass.spec.ts). */
export const EMBED_HEIGHT = { head: 600, neuron: 420 } as const;
export const EMBED_WIDTH = 760;

export async function EmbedSnippet({ path, title, kind = 'head' }: { path: string; title: string; kind?: keyof typeof EMBED_HEIGHT }) {
  const origin = await siteOrigin();
  const snippet = `<iframe src="${origin}${path}" title="${title.replace(/"/g, '&quot;')} · headwiki" width="${EMBED_WIDTH}" height="${EMBED_HEIGHT[kind]}" style="border:0;max-width:100%"></iframe>`;
  return (
    <div className="embed-snippet">
      <p className="small">
        Embed this {kind} in slides, a notebook or a paper&apos;s web page (<a href={path}>preview</a>):
      </p>
      <pre className="small" data-testid="embed-snippet">
        {snippet}
      </pre>
    </div>
  );
}
