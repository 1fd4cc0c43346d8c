import { getMetadataStorage } from 'class-validator';

type Storage = ReturnType<typeof getMetadataStorage>;
type Metadata = ReturnType<Storage['getTargetValidationMetadatas']>;
type Grouped = ReturnType<Storage['groupByPropertyName']>;

let installed = false;

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
  let byTarget = new Map<unknown, Record<string, Metadata>>();
  let byMetadata = new WeakMap<Metadata, Grouped>();

  storage.addValidationMetadata = (metadata) => {
    byTarget = new Map();
    byMetadata = new WeakMap();
    add(metadata);
  };
  storage.getTargetValidationMetadatas = (target, schema, always, strictGroups, groups) => {
    if ((groups && groups.length > 0) || schema) return lookup(target, schema, always, strictGroups, groups);
    const key = `${always ? 1 : 0}${strictGroups ? 1 : 0}`;
    let perTarget = byTarget.get(target);
    if (!perTarget) byTarget.set(target, (perTarget = {}));
    return (perTarget[key] ??= lookup(target, schema, always, strictGroups, groups));
  };
  storage.groupByPropertyName = (metadata) => {
    let grouped = byMetadata.get(metadata);
    if (!grouped) byMetadata.set(metadata, (grouped = group(metadata)));
    return grouped;
  };
}
