import { IsInt, IsString, Max, getMetadataStorage, registerDecorator, validateSync } from 'class-validator';
import { cacheValidationMetadata } from './validation-metadata-cache';

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
