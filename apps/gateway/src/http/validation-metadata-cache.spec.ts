import {
  IsDefined,
  IsInt,
  IsOptional,
  IsString,
  Max,
  ValidateIf,
  getMetadataStorage,
  registerDecorator,
  validateSync,
} from 'class-validator';
import { ChatRequestDto } from '../chat/chat-request.dto';
import { cacheValidationMetadata, validationClassFor } from './validation-metadata-cache';

class First {
  @IsString()
  name!: unknown;
}

describe('cacheValidationMetadata', () => {
  cacheValidationMetadata();
  const storage = getMetadataStorage();

  it('returns the same rules as class-validator, once computed', () => {
    const first = storage.getTargetValidationMetadatas(First, '', false, false);
    expect(first.map((rule) => rule.propertyName)).toEqual(['name']);
    expect(storage.getTargetValidationMetadatas(First, '', false, false)).toBe(first);
    expect(storage.groupByPropertyName(first)).toBe(storage.groupByPropertyName(first));
  });

  it('still validates, and failing values still fail', () => {
    expect(validateSync(Object.assign(new First(), { name: 'x' }))).toHaveLength(0);
    expect(validateSync(Object.assign(new First(), { name: 1 }))[0].property).toBe('name');
  });

  it('sees rules added after the first lookup (a class defined later, a subclass)', () => {
    expect(validateSync(Object.assign(new First(), { name: 'x' }))).toHaveLength(0);
    class Second extends First {
      @IsInt()
      @Max(3)
      count!: unknown;
    }
    const errors = validateSync(Object.assign(new Second(), { name: 'x', count: 9 }));
    expect(errors.map((error) => error.property)).toEqual(['count']);
    expect(validateSync(Object.assign(new Second(), { name: 2, count: 1 }))[0].property).toBe('name');
    // A rule added to an already looked-up class is seen too.
    registerDecorator({
      target: First,
      propertyName: 'extra',
      validator: { validate: (value: unknown) => value === undefined || value === 1 },
    });
    expect(validateSync(Object.assign(new First(), { name: 'x', extra: 2 }))[0].property).toBe('extra');
  });

  it('leaves grouped lookups to class-validator', () => {
    const grouped = storage.getTargetValidationMetadatas(First, '', false, false, ['a']);
    expect(storage.getTargetValidationMetadatas(First, '', false, false, ['a'])).not.toBe(grouped);
  });
});

describe('validationClassFor', () => {
  cacheValidationMetadata();
  const storage = getMetadataStorage();
  const options = { forbidUnknownValues: false, stopAtFirstError: true };

  class Sample {
    @IsString() name!: unknown;
    @IsOptional() @IsInt() @Max(3) count?: unknown;
    @IsOptional() @IsString() note?: unknown;
    @ValidateIf((sample: { name?: unknown }) => sample.name === 'x') @IsInt() when?: unknown;
    @IsDefined() @IsOptional() @IsInt() defined?: unknown;
    @IsOptional() @IsString() withDefault?: unknown = 1;
  }

  const propertiesOf = (type: new () => object) =>
    new Set(storage.getTargetValidationMetadatas(type, '', false, false).map((rule) => rule.propertyName));
  const validate = (type: new () => object, value: object) =>
    validateSync(Object.assign(new type(), value), options).map((error) => ({
      property: error.property,
      constraints: error.constraints,
    }));

  it('leaves out the rules of the optional properties the value does not have, and only those', () => {
    const shape = validationClassFor(Sample, { name: 'a', note: null });
    expect(shape).not.toBe(Sample);
    expect(new shape()).toBeInstanceOf(Sample);
    expect([...propertiesOf(shape)].sort()).toEqual(['defined', 'name', 'when', 'withDefault']);
    // The same set of absent properties is the same class.
    expect(validationClassFor(Sample, { name: 'b', other: 1 })).toBe(shape);
    expect(validationClassFor(Sample, { name: 'a', count: 1, note: 'n' })).toBe(Sample);
  });

  it('gives the same errors as validating as the DTO itself', () => {
    const values: object[] = [
      {},
      { name: 'a' },
      { name: 1 },
      { name: 'a', count: 9 },
      { name: 'a', count: null, note: 2 },
      { name: 'x' },
      { name: 'x', when: 'no' },
      { name: 'a', defined: 'no' },
      { name: 'a', withDefault: 5 },
      { name: 'a', unknown: { deep: true } },
    ];
    for (const value of values) {
      expect(validate(validationClassFor(Sample, value), value)).toEqual(validate(Sample, value));
    }
  });

  it('gives the same first error as the chat request DTO for absent, null and wrong optional fields', () => {
    const values: object[] = [
      { model: 'm', messages: [{}] },
      { model: 'm', messages: [{}], temperature: null, stream: true },
      { model: 'm', messages: [{}], temperature: 3 },
      { model: 'm', messages: [{}], n: 0, stop: ['a', 'b', 'c', 'd', 'e'] },
      { model: '', messages: [] },
      { messages: [{}], tool_choice: 'sometimes' },
      { model: 'm', messages: [{}], logit_bias: { 1: 200 }, user: 3 },
    ];
    for (const value of values) {
      expect(validate(validationClassFor(ChatRequestDto, value), value)).toEqual(
        validate(ChatRequestDto, value),
      );
    }
  });
});
