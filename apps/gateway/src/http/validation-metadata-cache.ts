import { getMetadataStorage, IS_OPTIONAL, ValidationTypes } from 'class-validator';

type Storage = ReturnType<typeof getMetadataStorage>;
type Metadata = ReturnType<Storage['getTargetValidationMetadatas']>;
type Grouped = ReturnType<Storage['groupByPropertyName']>;
type DtoClass<T> = new () => T;

/** Different sets of absent optional properties remembered per DTO; past that a DTO is checked in full. */
const MAX_SHAPES_PER_DTO = 256;
/** Optional properties a shape can leave out (bits of a number). */
const MAX_SKIPPABLE_PROPERTIES = 30;

/** A DTO's subclass whose rules leave out some of its optional properties (see `validationClassFor`). */
interface Shape {
  dto: DtoClass<object>;
  absent: ReadonlySet<string>;
}

/** Per DTO: the optional properties a shape may leave out, and its shapes by bit mask of absent ones. */
interface ShapesOfDto {
  skippable: readonly string[];
  byMask: Map<number, DtoClass<object>>;
}

let installed = false;
let byTarget = new Map<unknown, Record<string, Metadata>>();
let byMetadata = new WeakMap<Metadata, Grouped>();
let shapesByDto = new Map<DtoClass<object>, ShapesOfDto>();
let shapes = new WeakMap<object, Shape>();

/**
 * class-validator looks a class's rules up again on every `validateSync`: it scans every registered class
 * for inheritance, filters and regroups the rules (about a tenth of a small request's CPU here). The rules
 * only change when a decorator runs, i.e. while modules load, so this memoises both lookups on the shared
 * metadata storage and forgets everything whenever a rule is added. Results are identical; callers only
 * read them. Only the ungrouped lookup (no validation groups, which Iris never uses) is memoised.
 */
export function cacheValidationMetadata(): void {
  if (installed) return;
  installed = true;
  const storage = getMetadataStorage();
  const lookup = storage.getTargetValidationMetadatas.bind(storage);
  const group = storage.groupByPropertyName.bind(storage);
  const add = storage.addValidationMetadata.bind(storage);

  storage.addValidationMetadata = (metadata) => {
    byTarget = new Map();
    byMetadata = new WeakMap();
    shapesByDto = new Map();
    shapes = new WeakMap();
    add(metadata);
  };
  storage.getTargetValidationMetadatas = (target, schema, always, strictGroups, groups) => {
    if ((groups && groups.length > 0) || schema) return lookup(target, schema, always, strictGroups, groups);
    const key = `${always ? 1 : 0}${strictGroups ? 1 : 0}`;
    let perTarget = byTarget.get(target);
    if (!perTarget) byTarget.set(target, (perTarget = {}));
    let rules = perTarget[key];
    if (!rules) {
      const shape = shapes.get(target);
      rules = lookup(shape?.dto ?? target, schema, always, strictGroups, groups);
      if (shape) rules = rules.filter((rule) => !shape.absent.has(rule.propertyName));
      perTarget[key] = rules;
    }
    return rules;
  };
  storage.groupByPropertyName = (metadata) => {
    let grouped = byMetadata.get(metadata);
    if (!grouped) byMetadata.set(metadata, (grouped = group(metadata)));
    return grouped;
  };
}

/**
 * The class to validate `value` as: a subclass of `dto` whose rules leave out the `@IsOptional()`
 * properties that `value` does not have (undefined or null). class-validator otherwise visits every
 * property a DTO declares on every call, building and then discarding an error object for each absent one;
 * a chat request declares 27 and usually sends 2 or 3. The result is the same: `@IsOptional()` skips every
 * rule of a property whose value is undefined or null. A property with another condition (`@ValidateIf`),
 * an `@IsDefined()`, or a default value is always checked. Unknown properties of `value` play no part.
 */
export function validationClassFor<T extends object>(dto: DtoClass<T>, value: object): DtoClass<T> {
  const ofDto = shapesOf(dto as DtoClass<object>);
  if (ofDto.skippable.length === 0) return dto;
  let mask = 0;
  for (let index = 0; index < ofDto.skippable.length; index++) {
    if ((value as Record<string, unknown>)[ofDto.skippable[index]] == null) mask |= 1 << index;
  }
  if (mask === 0) return dto;
  let shape = ofDto.byMask.get(mask);
  if (!shape) {
    if (ofDto.byMask.size >= MAX_SHAPES_PER_DTO) return dto;
    shape = class extends (dto as DtoClass<object>) {};
    const absent = new Set(ofDto.skippable.filter((_name, index) => (mask & (1 << index)) !== 0));
    shapes.set(shape, { dto: dto as DtoClass<object>, absent });
    ofDto.byMask.set(mask, shape);
  }
  return shape as DtoClass<T>;
}

function shapesOf(dto: DtoClass<object>): ShapesOfDto {
  let ofDto = shapesByDto.get(dto);
  if (!ofDto) {
    shapesByDto.set(dto, (ofDto = { skippable: skippableProperties(dto), byMask: new Map() }));
  }
  return ofDto;
}

/** The properties whose only condition is `@IsOptional()`, with no `@IsDefined()` and no default value. */
function skippableProperties(dto: DtoClass<object>): string[] {
  const storage = getMetadataStorage();
  const byProperty = storage.groupByPropertyName(storage.getTargetValidationMetadatas(dto, '', false, false));
  const blank = new dto() as Record<string, unknown>;
  const skippable: string[] = [];
  for (const [property, list] of Object.entries(byProperty)) {
    const conditions = list.filter((rule) => rule.type === ValidationTypes.CONDITIONAL_VALIDATION);
    if (
      conditions.length > 0 &&
      conditions.every((rule) => rule.name === IS_OPTIONAL) &&
      !list.some((rule) => rule.type === ValidationTypes.IS_DEFINED) &&
      blank[property] === undefined &&
      skippable.length < MAX_SKIPPABLE_PROPERTIES
    ) {
      skippable.push(property);
    }
  }
  return skippable;
}
