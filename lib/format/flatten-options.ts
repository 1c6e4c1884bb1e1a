/**
 * A run's nested options as `a.b = value` lines for the run page: objects flattened into dotted keys,
 * arrays and scalars written as JSON (strings as they are), in the object's key order.
 */
export function flattenOptions(value: unknown, prefix = ''): [string, string][] {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0) return prefix ? [[prefix, '{}']] : [];
    return entries.flatMap(([k, v]) => flattenOptions(v, prefix ? `${prefix}.${k}` : k));
  }
  return [[prefix, typeof value === 'string' ? value : JSON.stringify(value)]];
}
