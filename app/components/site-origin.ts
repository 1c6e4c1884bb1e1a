/**
 * The origin visitors reach this site at (for permalinks and citations): HEADWIKI_PUBLIC_URL when set (behind a
 * proxy, on a public host), else this server's own local address. Never the request's Host header: pages are
 * cached and shared between visitors (lib/serve-cache), so nothing a request says may end up in them.
 */
export async function siteOrigin(): Promise<string> {
  const configured = process.env.HEADWIKI_PUBLIC_URL?.trim();
  if (configured) return configured.replace(/\/+$/, '');
  return `http://localhost:${process.env.PORT ?? 3000}`;
}
