/**
 * The site's public base URL, for permalinks and citations: `HEADWIKI_PUBLIC_URL` (e.g.
 * `https://headwiki.example.org` or `https://example.org/headwiki`), else `http://localhost:<PORT>` —
 * never the request's Host or X-Forwarded-Host, which any client can set (a forged Host header used to be
 * printed into the page's permalink and citation, and into caches serving it to everyone else).
 */

let cached: { spec: string | undefined; port: string | undefined; url: string } | null = null;

/** Normalised: scheme, host, optional path, no trailing slash. Throws on a malformed HEADWIKI_PUBLIC_URL. */
export function publicBaseUrl(): string {
  const spec = process.env.HEADWIKI_PUBLIC_URL?.trim() || undefined;
  const port = process.env.PORT;
  if (cached && cached.spec === spec && cached.port === port) return cached.url;
  let url: string;
  if (spec === undefined) {
    url = `http://localhost:${port && /^\d+$/.test(port) ? port : '3000'}`;
  } else {
    let parsed: URL;
    try {
      parsed = new URL(spec);
    } catch {
      throw new Error(`HEADWIKI_PUBLIC_URL: "${spec}" is not a URL; give the site's address, e.g. https://headwiki.example.org`);
    }
    if (!/^https?:$/.test(parsed.protocol) || parsed.search || parsed.hash || parsed.username || parsed.password) {
      throw new Error(`HEADWIKI_PUBLIC_URL: "${spec}" must be an http(s) address without query, fragment or credentials`);
    }
    url = `${parsed.origin}${parsed.pathname.replace(/\/+$/, '')}`;
  }
  cached = { spec, port, url };
  return url;
}
