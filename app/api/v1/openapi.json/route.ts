import { withApiErrors } from '@/lib/api/errors';
import { buildOpenApiDocument } from '@/lib/api/openapi';
import { rejectUnknownParams } from '@/lib/api/query-guard';
import { sendJson } from '@/lib/api/respond';

export const dynamic = 'force-dynamic';

/** GET /api/v1/openapi.json → the OpenAPI 3.1 document (lib/api/openapi/). */
export const GET = withApiErrors(async (request: Request) => {
  rejectUnknownParams(new URL(request.url).searchParams, []);
  // Relative server URL: the document is right wherever the site is served.
  return sendJson(request, buildOpenApiDocument(), { pinned: false });
});
