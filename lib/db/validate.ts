import { z } from 'zod';

/** Parses data-layer input, throwing one Error that names every bad field and the function called. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, fn: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const where = issue.path.length > 0 ? issue.path.map(String).join('.') : 'input';
    return `${where}: ${issue.message}`;
  });
  throw new Error(`${fn}: invalid input: ${problems.join('; ')}`);
}

/** URL-safe identifiers: model slugs (`gpt2-small`, `stories15M`), corpus slugs. */
export const slugSchema = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/,
    'must be 1-100 characters of letters, digits, ".", "_" or "-", starting with a letter or digit',
  );

/** Run ids as createRun makes them, 'r' + 10 base32 characters; also accepts other short URL-safe ids. */
export const runIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be a run id like "r0123456789"');

export const int32 = z.number().int().min(-2147483648).max(2147483647);
export const nonNegativeInt32 = int32.min(0);
