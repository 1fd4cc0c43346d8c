import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Test support: checks a value against a schema of the official OpenAI OpenAPI document (the Responses
 * subset kept in `__fixtures__/openai-responses.schemas.json`). Follows $ref/allOf/anyOf/oneOf (with the
 * `type` discriminator), checks type, enum, required and, strictly, that objects carry no property the
 * schema does not define (catches typos in produced objects).
 */
type Schema = {
  $ref?: string;
  allOf?: Schema[];
  anyOf?: Schema[];
  oneOf?: Schema[];
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  required?: string[];
  properties?: Record<string, Schema>;
  additionalProperties?: boolean | Schema;
  items?: Schema;
  discriminator?: { propertyName: string };
};

// Resolved from the repository root: jest and the e2e tests run there (and as ES modules, without __dirname).
const document = JSON.parse(
  readFileSync(
    join(process.cwd(), 'libs/core/src/responses/__fixtures__/openai-responses.schemas.json'),
    'utf8',
  ),
) as {
  components: { schemas: Record<string, Schema> };
};

export function schemaErrors(value: unknown, schemaName: string): string[] {
  const schema = document.components.schemas[schemaName];
  if (!schema) throw new Error(`No schema named ${schemaName}`);
  return check(value, schema, '$');
}

function resolve(schema: Schema): Schema {
  let current = schema;
  while (current.$ref) current = document.components.schemas[current.$ref.split('/').pop() as string];
  return current;
}

/** Merges allOf parts into one object schema (properties and required lists). */
function flatten(schema: Schema): Schema {
  const resolved = resolve(schema);
  if (!resolved.allOf) return resolved;
  const merged: Schema = {
    ...resolved,
    allOf: undefined,
    properties: { ...resolved.properties },
    required: [...(resolved.required ?? [])],
  };
  for (const part of resolved.allOf.map(flatten)) {
    Object.assign(merged.properties as object, part.properties);
    merged.required?.push(...(part.required ?? []));
    merged.type ??= part.type;
  }
  return merged;
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function check(value: unknown, raw: Schema, path: string): string[] {
  const schema = flatten(raw);
  const branches = schema.anyOf ?? schema.oneOf;
  if (branches) return checkBranches(value, branches, path, schema.discriminator?.propertyName ?? 'type');
  const errors: string[] = [];
  if (schema.type) {
    const allowed = Array.isArray(schema.type) ? schema.type : [schema.type];
    const actual = typeOf(value);
    if (!allowed.includes(actual) && !(actual === 'integer' && allowed.includes('number'))) {
      return [`${path}: expected ${allowed.join('|')}, got ${actual}`];
    }
  }
  if (schema.enum && !schema.enum.includes(value))
    errors.push(`${path}: ${JSON.stringify(value)} not in ${JSON.stringify(schema.enum)}`);
  if ('const' in schema && schema.const !== value)
    errors.push(`${path}: expected const ${JSON.stringify(schema.const)}`);
  if (typeOf(value) === 'object' && (schema.properties || schema.required)) {
    const object = value as Record<string, unknown>;
    for (const key of schema.required ?? [])
      if (!(key in object)) errors.push(`${path}: missing required '${key}'`);
    for (const [key, entry] of Object.entries(object)) {
      const property = schema.properties?.[key];
      if (property) errors.push(...check(entry, property, `${path}.${key}`));
      else if (schema.additionalProperties === undefined || schema.additionalProperties === false) {
        errors.push(`${path}: unknown property '${key}'`);
      }
    }
  }
  if (Array.isArray(value) && schema.items)
    value.forEach((entry, index) =>
      errors.push(...check(entry, schema.items as Schema, `${path}[${index}]`)),
    );
  return errors;
}

function checkBranches(value: unknown, branches: Schema[], path: string, discriminator: string): string[] {
  const results = branches.map((branch) => check(value, branch, path));
  if (results.some((errors) => errors.length === 0)) return [];
  // Report the branch the value claims to be (its discriminator), else the closest one.
  const tag = typeOf(value) === 'object' ? (value as Record<string, unknown>)[discriminator] : undefined;
  const claimed = branches.findIndex((branch) => {
    const property = flatten(branch).properties?.[discriminator];
    return property !== undefined && tag !== undefined && (resolve(property).enum ?? []).includes(tag);
  });
  if (claimed >= 0) return results[claimed];
  return results.reduce((best, errors) => (errors.length < best.length ? errors : best));
}
