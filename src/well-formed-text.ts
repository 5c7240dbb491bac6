/**
 * Text the databases can store and compare: well-formed Unicode without NUL. JSON's `\uXXXX`
 * escapes can carry half of a surrogate pair (`"\ud800"`), which Prisma's query protocol refuses,
 * and PostgreSQL refuses U+0000 in text (`invalid byte sequence for encoding "UTF8": 0x00`).
 * Both come only from hostile or broken clients; they are refused at the door (400) instead of
 * failing in the database (500).
 */

const ILL_FORMED = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Whether `text` holds a NUL character or an unpaired surrogate. */
export function isIllFormedText(text: string): boolean {
  return ILL_FORMED.test(text);
}

/** The dotted path of the first string (or object key) in `value` that is ill-formed; undefined when none. */
export function illFormedTextPath(value: unknown, path: string[] = []): string | undefined {
  if (typeof value === 'string') return isIllFormedText(value) ? path.join('.') || '(body)' : undefined;
  if (typeof value !== 'object' || value === null) return undefined;
  for (const [key, child] of Object.entries(value)) {
    if (isIllFormedText(key)) return [...path, key].join('.');
    const found = illFormedTextPath(child, [...path, key]);
    if (found !== undefined) return found;
  }
  return undefined;
}
