/**
 * fast-check arbitraries from the JSON Schemas of the API document (what zod's toJSONSchema
 * writes: type, properties, required, additionalProperties, propertyNames, items, enum, const,
 * anyOf/oneOf, string lengths and patterns, number bounds, date-time). Most values fit the
 * schema, so the route's own logic runs; the rest are near misses (a field of the wrong type,
 * a required field left out, an unknown field, a string just past its length), which must be
 * refused with a 4xx.
 */
import fc from 'fast-check';

type Schema = Record<string, unknown>;

/**
 * Values that exist in the fuzzed gateway, by property name (areas, flows, languages...): a
 * property of that name takes one of them half the time, so cases get past "unknown area".
 */
export const HINTS: Record<string, string[]> = {};

/** Strings that tend to break parsers and databases. */
const NASTY = [
  '', ' ', '\u0000', '%00', "'; DROP TABLE \"Message\"; --", '"', '\\', '../../etc/passwd', '<script>alert(1)</script>',
  '\u202e', '\ud800', '😀', 'مرحبا', '9'.repeat(400), '-1', 'NaN', 'null', '{}', '[]', '__proto__', 'constructor',
];

const nasty = fc.constantFrom(...NASTY);
const anyString = fc.oneof({ weight: 4, arbitrary: fc.string({ maxLength: 40 }) }, { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) }, { weight: 1, arbitrary: nasty });

/** Any JSON value, small, with a few hostile strings and numbers. */
export const anyJson: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: nasty },
  { weight: 1, arbitrary: fc.constantFrom(Number.MAX_SAFE_INTEGER, -1, 0, 1e308, -0.5) },
);

function stringFor(schema: Schema, mutate: boolean): fc.Arbitrary<string> {
  const min = typeof schema.minLength === 'number' ? schema.minLength : 0;
  const max = typeof schema.maxLength === 'number' ? schema.maxLength : Math.max(min, 40);
  if (schema.format === 'date-time') {
    return fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString());
  }
  if (typeof schema.pattern === 'string') {
    const fitting = fc.stringMatching(new RegExp(schema.pattern)).filter((s) => s.length >= min && s.length <= max);
    return mutate ? fc.oneof({ weight: 5, arbitrary: fitting }, { weight: 1, arbitrary: anyString }) : fitting;
  }
  const bounded = fc.string({ minLength: min, maxLength: Math.min(max, min + 60) });
  const near = fc.constantFrom('x'.repeat(max + 1), min > 0 ? 'x'.repeat(min - 1) : '');
  const hostile = nasty.filter((value) => value.length >= min && value.length <= max);
  return mutate ? fc.oneof({ weight: 8, arbitrary: bounded }, { weight: 1, arbitrary: near }, { weight: 1, arbitrary: nasty }) : fc.oneof({ weight: 8, arbitrary: bounded }, { weight: 1, arbitrary: hostile });
}

function numberFor(schema: Schema, integer: boolean, mutate: boolean): fc.Arbitrary<number> {
  const min = typeof schema.minimum === 'number' ? schema.minimum : typeof schema.exclusiveMinimum === 'number' ? schema.exclusiveMinimum + 1 : -1e6;
  const max = typeof schema.maximum === 'number' ? schema.maximum : typeof schema.exclusiveMaximum === 'number' ? schema.exclusiveMaximum - 1 : 1e6;
  const inside = integer ? fc.integer({ min: Math.ceil(Math.max(min, -(2 ** 31))), max: Math.floor(Math.min(max, 2 ** 31)) }) : fc.double({ min, max, noNaN: true });
  return mutate ? fc.oneof({ weight: 8, arbitrary: inside }, { weight: 1, arbitrary: fc.constantFrom(min - 1, max + 1, 0.5, -0) }) : inside;
}

/**
 * Values for `schema`: fitting ones mostly; with `mutate`, near misses too. `depth` stops
 * recursive schemas.
 */
export function fromSchema(schema: Schema | undefined, mutate = true, depth = 0): fc.Arbitrary<unknown> {
  if (!mutate) return fitFor(schema ?? {}, false, depth);
  if (depth === 0) {
    // At the top: half the bodies fit the schema throughout, half carry near misses somewhere.
    return fc.oneof({ weight: 6, arbitrary: fitFor(schema ?? {}, false, depth) }, { weight: 6, arbitrary: fitFor(schema ?? {}, true, depth) }, { weight: 1, arbitrary: anyJson });
  }
  return fc.oneof({ weight: 20, arbitrary: fitFor(schema ?? {}, true, depth) }, { weight: 1, arbitrary: anyJson });
}

function fitFor(schema: Schema, mutate: boolean, depth: number): fc.Arbitrary<unknown> {
  if (depth > 4) return fc.constant(null);
  if ('const' in schema) return fc.constant(schema.const);
  if (Array.isArray(schema.enum)) {
    const values = fc.constantFrom(...(schema.enum as unknown[]));
    return mutate ? fc.oneof({ weight: 8, arbitrary: values }, { weight: 1, arbitrary: anyString }) : values;
  }
  const choices = (schema.anyOf ?? schema.oneOf) as Schema[] | undefined;
  if (Array.isArray(choices) && choices.length > 0) return fc.oneof(...choices.map((choice) => fromSchema(choice, mutate, depth + 1)));
  const type = Array.isArray(schema.type) ? (schema.type[0] as string) : (schema.type as string | undefined);
  switch (type) {
    case 'string':
      return stringFor(schema, mutate);
    case 'integer':
      return numberFor(schema, true, mutate);
    case 'number':
      return numberFor(schema, false, mutate);
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array': {
      const minLength = typeof schema.minItems === 'number' ? schema.minItems : 0;
      const maxLength = Math.min(typeof schema.maxItems === 'number' ? schema.maxItems : 4, minLength + 4);
      return fc.array(fromSchema(schema.items as Schema | undefined, mutate, depth + 1), { minLength, maxLength });
    }
    case 'object':
      return objectFor(schema, mutate, depth);
    default:
      return schema.properties ? objectFor(schema, mutate, depth) : anyJson;
  }
}

function objectFor(schema: Schema, mutate: boolean, depth: number): fc.Arbitrary<unknown> {
  const properties = (schema.properties ?? {}) as Record<string, Schema>;
  const required = new Set((schema.required ?? []) as string[]);
  const field = (name: string, child: Schema) => {
    const generated = fromSchema(child, mutate, depth + 1);
    const hinted = HINTS[name];
    return hinted && hinted.length > 0 ? fc.oneof(fc.constantFrom(...hinted), generated) : generated;
  };
  const fields = Object.fromEntries(Object.entries(properties).map(([name, child]) => [name, field(name, child)]));
  // Fitting values carry every required field; near misses may leave any out.
  const requiredKeys = mutate ? [] : [...required].filter((name) => name in properties);
  const base = fc.record(fields, { requiredKeys });
  // A map (propertyNames / additionalProperties): a few entries.
  const extra =
    schema.additionalProperties && typeof schema.additionalProperties === 'object' && Object.keys(properties).length === 0
      ? fc.dictionary(
          schema.propertyNames ? (fitFor(schema.propertyNames as Schema, false, depth + 1) as fc.Arbitrary<string>) : fc.string({ maxLength: 8 }),
          fromSchema(schema.additionalProperties as Schema, mutate, depth + 1),
          { maxKeys: 4 },
        )
      : fc.constant({});
  const full = fc.tuple(base, extra).map(([a, b]) => ({ ...b, ...a }) as Record<string, unknown>);
  if (!mutate) return full;
  // Mostly every required field is present; sometimes one is missing or an unknown one is added.
  const withRequired = fc
    .tuple(full, fc.record(Object.fromEntries([...required].filter((name) => name in properties).map((name) => [name, field(name, properties[name]!)]))))
    .map(([value, needed]) => ({ ...value, ...needed }));
  const withUnknown = fc.tuple(withRequired, fc.string({ minLength: 1, maxLength: 10 }), anyJson).map(([value, key, junk]) => ({ ...value, [key]: junk }));
  return fc.oneof({ weight: 8, arbitrary: withRequired }, { weight: 1, arbitrary: full }, { weight: 1, arbitrary: withUnknown });
}
