import { publicBaseUrl } from '@/lib/api/public-url';

/**
 * The address visitors reach this site at (for permalinks and citations): the configured
 * HEADWIKI_PUBLIC_URL, never the request's Host header (lib/api/public-url.ts).
 */
export async function siteOrigin(): Promise<string> {
  return publicBaseUrl();
}
