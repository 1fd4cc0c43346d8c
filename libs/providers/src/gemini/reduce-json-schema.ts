import { Type, type Schema } from '@google/genai';
import { GatewayError } from '@app/core';

type JsonSchema = Record<string, unknown>;

const TYPES: Record<string, Type> = {
  string: Type.STRING,
  number: Type.NUMBER,
  integer: Type.INTEGER,
  boolean: Type.BOOLEAN,
  array: Type.ARRAY,
  object: Type.OBJECT,
};

/** Formats Gemini accepts per type; any other `format` is dropped (the API rejects it). */
const FORMATS: Partial<Record<Type, readonly string[]>> = {
  [Type.STRING]: ['enum', 'date-time'],
  [Type.NUMBER]: ['float', 'double'],
  [Type.INTEGER]: ['int32', 'int64'],
};

const MAX_DEPTH = 64;

function isObject(value: unknown): value is JsonSchema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isNullSchema(value: unknown): boolean {
  return isObject(value) && value.type === 'null';
}

function nonNegativeInteger(value: unknown): string | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? String(value) : undefined;
}

class SchemaReducer {
  private readonly resolving = new Set<string>();

  constructor(
    private readonly root: JsonSchema,
    private readonly param: string,
  ) {}

  /** `#/$defs/X` and `#/definitions/X` are inlined; recursion cannot be expressed in Gemini's Schema. */
  private resolveReference(reference: string): JsonSchema {
    const match = /^#\/(\$defs|definitions)\/(.+)$/.exec(reference);
    const definitions = match ? this.root[match[1]] : undefined;
    const target = match && isObject(definitions) ? definitions[decodeURIComponent(match[2])] : undefined;
    if (!isObject(target)) {
      throw GatewayError.invalidRequest(
        `Schema reference '${reference}' cannot be resolved (only local $defs are supported).`,
        this.param,
      );
    }
    if (this.resolving.has(reference)) {
      throw GatewayError.invalidRequest(
        `Recursive schema reference '${reference}' is not supported by Gemini.`,
        this.param,
      );
    }
    return target;
  }

  reduce(input: JsonSchema, depth = 0): Schema {
    if (depth > MAX_DEPTH)
      throw GatewayError.invalidRequest('Schema is nested too deeply for Gemini.', this.param);
    if (typeof input.$ref === 'string') {
      const reference = input.$ref;
      const { $ref: _ignored, ...siblings } = input;
      const target = this.resolveReference(reference);
      this.resolving.add(reference);
      try {
        return this.reduce({ ...target, ...siblings }, depth + 1);
      } finally {
        this.resolving.delete(reference);
      }
    }
    const schema: Schema = {};
    let source = input;

    // Nullable the Gemini way: `anyOf/oneOf: [X, {type:null}]` → X + nullable; `type: [X, "null"]` → X + nullable.
    const alternatives = Array.isArray(input.anyOf)
      ? input.anyOf
      : Array.isArray(input.oneOf)
        ? input.oneOf
        : undefined;
    if (alternatives) {
      const rest = alternatives.filter((item) => !isNullSchema(item));
      if (rest.length < alternatives.length) schema.nullable = true;
      const { anyOf: _anyOf, oneOf: _oneOf, ...siblings } = input;
      if (rest.length === 1 && isObject(rest[0])) {
        const merged = this.reduce(rest[0], depth + 1);
        source = siblings;
        Object.assign(schema, merged, schema.nullable ? { nullable: true } : {});
      } else {
        schema.anyOf = rest.filter(isObject).map((item) => this.reduce(item, depth + 1));
        source = siblings;
      }
    }
    if (Array.isArray(input.allOf)) {
      const { allOf: _allOf, ...siblings } = input;
      source = siblings;
      for (const part of input.allOf.filter(isObject)) mergeInto(schema, this.reduce(part, depth + 1));
    }

    let type: Type | undefined;
    if (Array.isArray(source.type)) {
      const names = source.type.filter((name): name is string => typeof name === 'string');
      if (names.includes('null')) schema.nullable = true;
      const rest = names.filter((name) => name !== 'null');
      if (rest.length === 1) type = TYPES[rest[0]];
      else if (rest.length > 1)
        schema.anyOf = rest.filter((name) => TYPES[name]).map((name) => ({ type: TYPES[name] }));
    } else if (typeof source.type === 'string') {
      if (source.type === 'null') {
        type = Type.STRING;
        schema.nullable = true;
      } else type = TYPES[source.type];
    }

    // `const` → a one-value enum (Gemini enums are strings only).
    let enumValues: unknown[] | undefined = Array.isArray(source.enum) ? source.enum : undefined;
    if (source.const !== undefined) enumValues = [source.const];
    let description = typeof source.description === 'string' ? source.description : undefined;
    if (enumValues) {
      const present = enumValues.filter((value) => value !== null);
      if (present.length < enumValues.length) schema.nullable = true;
      if (present.every((value) => typeof value === 'string')) {
        schema.enum = present as string[];
        type = Type.STRING;
      } else {
        // Numeric/boolean enums cannot be expressed: keep the type, say the allowed values in words.
        const allowed = `Allowed values: ${present.map((value) => JSON.stringify(value)).join(', ')}.`;
        description = description ? `${description} ${allowed}` : allowed;
        type ??= inferTypeOfValue(present[0]);
      }
    }

    if (type === undefined && schema.type === undefined && !schema.anyOf) {
      if (isObject(source.properties)) type = Type.OBJECT;
      else if (source.items !== undefined) type = Type.ARRAY;
    }
    if (type !== undefined) schema.type = type;
    if (typeof source.title === 'string') schema.title = source.title;
    if (description !== undefined) schema.description = description;
    if (typeof source.format === 'string' && schema.type && FORMATS[schema.type]?.includes(source.format)) {
      schema.format = source.format;
    }
    if (typeof source.pattern === 'string') schema.pattern = source.pattern;
    if (typeof source.minimum === 'number') schema.minimum = source.minimum;
    if (typeof source.maximum === 'number') schema.maximum = source.maximum;
    const counts = [
      ['minLength', 'minLength'],
      ['maxLength', 'maxLength'],
      ['minItems', 'minItems'],
      ['maxItems', 'maxItems'],
      ['minProperties', 'minProperties'],
      ['maxProperties', 'maxProperties'],
    ] as const;
    for (const [from, to] of counts) {
      const value = nonNegativeInteger(source[from]);
      if (value !== undefined) schema[to] = value;
    }
    if (source.default !== undefined) schema.default = source.default;
    if (source.example !== undefined) schema.example = source.example;
    else if (Array.isArray(source.examples) && source.examples.length > 0)
      schema.example = source.examples[0];

    if (isObject(source.items)) schema.items = this.reduce(source.items, depth + 1);
    else if (Array.isArray(source.items) && isObject(source.items[0]))
      schema.items = this.reduce(source.items[0], depth + 1);
    if (isObject(source.properties)) {
      const properties: Record<string, Schema> = {};
      for (const [name, property] of Object.entries(source.properties)) {
        if (isObject(property)) properties[name] = this.reduce(property, depth + 1);
        else if (property === true) properties[name] = {};
      }
      if (Object.keys(properties).length > 0)
        schema.properties = { ...(schema.properties ?? {}), ...properties };
      const ordering = Object.keys(properties);
      if (ordering.length > 1) schema.propertyOrdering = ordering;
    }
    if (Array.isArray(source.required)) {
      const known = schema.properties ?? {};
      const required = source.required.filter(
        (name): name is string => typeof name === 'string' && name in known,
      );
      if (required.length > 0) schema.required = [...new Set([...(schema.required ?? []), ...required])];
    }
    // Dropped on purpose (Gemini's Schema has no field for them): $schema, $id, $comment, $defs, definitions,
    // additionalProperties, patternProperties, unevaluatedProperties, exclusiveMinimum/Maximum, multipleOf,
    // uniqueItems, not, if/then/else, dependencies, readOnly, writeOnly, deprecated, contentEncoding, strict.
    return schema;
  }
}

function inferTypeOfValue(value: unknown): Type | undefined {
  if (typeof value === 'number') return Number.isInteger(value) ? Type.INTEGER : Type.NUMBER;
  if (typeof value === 'boolean') return Type.BOOLEAN;
  if (typeof value === 'string') return Type.STRING;
  return undefined;
}

function mergeInto(target: Schema, addition: Schema): void {
  const properties =
    target.properties || addition.properties ? { ...target.properties, ...addition.properties } : undefined;
  const required =
    target.required || addition.required
      ? [...new Set([...(target.required ?? []), ...(addition.required ?? [])])]
      : undefined;
  Object.assign(target, addition);
  if (properties) target.properties = properties;
  if (required) target.required = required;
}

/**
 * JSON Schema (as OpenAI tools and `response_format` carry it) → the OpenAPI-subset `Schema` Gemini accepts:
 * types upper-cased, nullable as `nullable: true`, `const` → one-value enum, local `$ref`s inlined, keywords
 * Gemini has no field for removed.
 * @see https://ai.google.dev/api/caching#Schema
 * @see https://ai.google.dev/gemini-api/docs/structured-output
 * @param param the request path, for 400s (e.g. `tools[0].function.parameters`)
 */
export function reduceJsonSchema(schema: unknown, param: string): Schema {
  if (!isObject(schema)) throw GatewayError.invalidRequest('Schema must be a JSON object.', param);
  return new SchemaReducer(schema, param).reduce(schema);
}

/** Function parameters: an object without properties is sent as no parameters at all (Gemini rejects empty OBJECTs). */
export function reduceParametersSchema(schema: unknown, param: string): Schema | undefined {
  if (schema === undefined) return undefined;
  const reduced = reduceJsonSchema(schema, param);
  if (reduced.type === Type.OBJECT && !reduced.properties && !reduced.anyOf) return undefined;
  return reduced;
}
