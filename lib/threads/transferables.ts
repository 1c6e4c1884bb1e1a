/** Every typed array's buffer in a value, once each: what postMessage can move to another thread instead of copying. */
export function transferables(value: unknown, found = new Set<ArrayBuffer>()): ArrayBuffer[] {
  if (ArrayBuffer.isView(value)) found.add(value.buffer as ArrayBuffer);
  else if (Array.isArray(value)) for (const v of value) transferables(v, found);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) transferables(v, found);
  return [...found];
}
