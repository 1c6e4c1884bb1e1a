/**
 * The embed snippet offered on a head page: an absolute `src` (a relative one breaks once pasted into slides or
 * another site) and a height that fits the embed card (HeadEmbedCard keeps itself within EMBED_HEIGHT).
 */
import { siteOrigin } from '../site-origin';

/** Height in px of the iframe offered; the embed card is laid out to fit it (checked in e2e/embeds.spec.ts). */
export const EMBED_HEIGHT = 520;
export const EMBED_WIDTH = 760;

export async function EmbedSnippet({ path, title }: { path: string; title: string }) {
  const origin = await siteOrigin();
  const snippet = `<iframe src="${origin}${path}" title="${title.replace(/"/g, '&quot;')} · headwiki" width="${EMBED_WIDTH}" height="${EMBED_HEIGHT}" style="border:0;max-width:100%"></iframe>`;
  return (
    <div className="embed-snippet">
      <p className="small">
        Embed this head in slides, a notebook or a paper&apos;s web page (<a href={path}>preview</a>):
      </p>
      <pre className="small" data-testid="embed-snippet">
        {snippet}
      </pre>
    </div>
  );
}
