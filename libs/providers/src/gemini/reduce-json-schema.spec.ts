import { GatewayError } from '@app/core';
import { reduceJsonSchema, reduceParametersSchema } from './reduce-json-schema';

describe('reduceJsonSchema', () => {
  it.each<[string, Record<string, unknown>, Record<string, unknown>]>([
    ['upper-cases simple types', { type: 'string' }, { type: 'STRING' }],
    ['integer', { type: 'integer', minimum: 1, maximum: 9 }, { type: 'INTEGER', minimum: 1, maximum: 9 }],
    ['boolean', { type: 'boolean' }, { type: 'BOOLEAN' }],
    [
      'strips $schema and additionalProperties',
      {
        $schema: 'http://json-schema.org/draft-07/schema#',
        type: 'object',
        properties: { a: { type: 'string' } },
        additionalProperties: false,
      },
      { type: 'OBJECT', properties: { a: { type: 'STRING' } } },
    ],
    ['const → one-value enum', { const: 'fixed' }, { type: 'STRING', enum: ['fixed'] }],
    ['string enum', { type: 'string', enum: ['a', 'b'] }, { type: 'STRING', enum: ['a', 'b'] }],
    ['enum with null → nullable', { enum: ['a', null] }, { type: 'STRING', enum: ['a'], nullable: true }],
    [
      'numeric enum → described',
      { type: 'integer', enum: [1, 2], description: 'Level.' },
      { type: 'INTEGER', description: 'Level. Allowed values: 1, 2.' },
    ],
    ['type array with null → nullable', { type: ['string', 'null'] }, { type: 'STRING', nullable: true }],
    [
      'type array of several → anyOf',
      { type: ['string', 'number'] },
      { anyOf: [{ type: 'STRING' }, { type: 'NUMBER' }] },
    ],
    [
      'anyOf [X, null] → nullable X',
      { anyOf: [{ type: 'array', items: { type: 'string' } }, { type: 'null' }], description: 'Tags.' },
      { type: 'ARRAY', items: { type: 'STRING' }, nullable: true, description: 'Tags.' },
    ],
    [
      'oneOf kept as anyOf',
      { oneOf: [{ type: 'string' }, { type: 'integer' }] },
      { anyOf: [{ type: 'STRING' }, { type: 'INTEGER' }] },
    ],
    [
      'allOf merged',
      {
        allOf: [
          { type: 'object', properties: { a: { type: 'string' } }, required: ['a'] },
          { properties: { b: { type: 'number' } } },
        ],
      },
      { type: 'OBJECT', properties: { a: { type: 'STRING' }, b: { type: 'NUMBER' } }, required: ['a'] },
    ],
    ['unsupported string format dropped', { type: 'string', format: 'email' }, { type: 'STRING' }],
    [
      'date-time format kept',
      { type: 'string', format: 'date-time' },
      { type: 'STRING', format: 'date-time' },
    ],
    [
      'int64 format kept on integers',
      { type: 'integer', format: 'int64' },
      { type: 'INTEGER', format: 'int64' },
    ],
    [
      'counts become int64 strings',
      { type: 'array', items: { type: 'string' }, minItems: 1, maxItems: 3 },
      { type: 'ARRAY', items: { type: 'STRING' }, minItems: '1', maxItems: '3' },
    ],
    [
      'string lengths and pattern',
      { type: 'string', minLength: 2, maxLength: 5, pattern: '^a' },
      { type: 'STRING', minLength: '2', maxLength: '5', pattern: '^a' },
    ],
    [
      'examples[0] → example, default kept',
      { type: 'string', examples: ['x', 'y'], default: 'x' },
      { type: 'STRING', example: 'x', default: 'x' },
    ],
    [
      'unsupported keywords removed',
      {
        type: 'number',
        exclusiveMinimum: 0,
        multipleOf: 2,
        not: { type: 'string' },
        $comment: 'c',
        readOnly: true,
      },
      { type: 'NUMBER' },
    ],
    [
      'tuple items → first item',
      { type: 'array', items: [{ type: 'string' }] },
      { type: 'ARRAY', items: { type: 'STRING' } },
    ],
    [
      'required filtered to known properties',
      { type: 'object', properties: { a: { type: 'string' } }, required: ['a', 'ghost'] },
      { type: 'OBJECT', properties: { a: { type: 'STRING' } }, required: ['a'] },
    ],
    [
      'type inferred from properties',
      { properties: { a: { type: 'string' } } },
      { type: 'OBJECT', properties: { a: { type: 'STRING' } } },
    ],
    [
      'property order kept',
      { type: 'object', properties: { z: { type: 'string' }, a: { type: 'string' } } },
      {
        type: 'OBJECT',
        properties: { z: { type: 'STRING' }, a: { type: 'STRING' } },
        propertyOrdering: ['z', 'a'],
      },
    ],
    [
      'local $ref inlined, $defs removed',
      {
        type: 'object',
        properties: { p: { $ref: '#/$defs/Point' } },
        $defs: { Point: { type: 'object', properties: { x: { type: 'number' } } } },
      },
      { type: 'OBJECT', properties: { p: { type: 'OBJECT', properties: { x: { type: 'NUMBER' } } } } },
    ],
    [
      'definitions $ref inlined',
      {
        type: 'object',
        properties: { c: { $ref: '#/definitions/Color', description: 'Pick one.' } },
        definitions: { Color: { type: 'string', enum: ['red'] } },
      },
      { type: 'OBJECT', properties: { c: { type: 'STRING', enum: ['red'], description: 'Pick one.' } } },
    ],
    ['null type alone → nullable string', { type: 'null' }, { type: 'STRING', nullable: true }],
  ])('%s', (_name, input, expected) => {
    expect(reduceJsonSchema(input, 'p')).toEqual(expected);
  });

  it.each([
    [
      'recursive $ref',
      {
        type: 'object',
        properties: { child: { $ref: '#/$defs/Node' } },
        $defs: { Node: { type: 'object', properties: { next: { $ref: '#/$defs/Node' } } } },
      },
    ],
    ['remote $ref', { $ref: 'https://example.com/schema.json' }],
    ['not an object', 'string'],
  ])('rejects %s with 400 naming the param', (_name, input) => {
    expect(() => reduceJsonSchema(input, 'tools[0].function.parameters')).toThrow(GatewayError);
    try {
      reduceJsonSchema(input, 'tools[0].function.parameters');
    } catch (error) {
      expect(error).toMatchObject({ status: 400, param: 'tools[0].function.parameters' });
    }
  });
});

describe('reduceParametersSchema', () => {
  it.each([
    ['no schema', undefined, undefined],
    ['empty object → no parameters', { type: 'object', properties: {} }, undefined],
    ['bare object → no parameters', { type: 'object', additionalProperties: false }, undefined],
    [
      'object with properties',
      { type: 'object', properties: { q: { type: 'string' } }, required: ['q'] },
      { type: 'OBJECT', properties: { q: { type: 'STRING' } }, required: ['q'] },
    ],
  ])('%s', (_name, input, expected) => {
    expect(reduceParametersSchema(input, 'p')).toEqual(expected);
  });
});
