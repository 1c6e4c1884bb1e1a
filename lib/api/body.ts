/**
 * Reading a JSON request body with a size limit: over MAX_BODY_BYTES is a 413 whether or not the client sent a
 * Content-Length (proxy.ts refuses the declared ones before the handler runs); malformed JSON is a 400.
 */
import { ApiError, badRequest } from './errors';
import { MAX_BODY_BYTES } from './request-guard';

export async function readJsonBody(request: Request, example: string, maxBytes = MAX_BODY_BYTES): Promise<unknown> {
  const tooLarge = () =>
    new ApiError(413, `request body too large: the API reads at most ${maxBytes.toLocaleString('en-US')} bytes`, { limitBytes: maxBytes });
  const declared = request.headers.get('content-length');
  if (declared !== null && Number(declared) > maxBytes) throw tooLarge();
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (request.body) {
    const reader = request.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel().catch(() => {});
        throw tooLarge();
      }
      chunks.push(value);
    }
  }
  const text = new TextDecoder('utf-8', { fatal: false }).decode(Buffer.concat(chunks));
  try {
    return JSON.parse(text);
  } catch {
    throw badRequest(`body: expected JSON such as ${example}`);
  }
}
