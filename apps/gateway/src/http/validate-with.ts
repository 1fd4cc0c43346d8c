import { validateSync, type ValidationError } from 'class-validator';
import { GatewayError } from '@app/core';
import { cacheValidationMetadata, validationClassFor } from './validation-metadata-cache';

cacheValidationMetadata();

type DtoClass<T> = new () => T;

/** `messages` + `1` → `messages[1]`; `messages[1]` + `content` → `messages[1].content`. */
export function joinPath(prefix: string, key: string | number): string {
  if (typeof key === 'number' || /^\d+$/.test(key)) return `${prefix}[${key}]`;
  return prefix ? `${prefix}.${key}` : key;
}

/**
 * Validates a plain object against a class-validator DTO without copying it into the DTO: only the
 * properties are referenced (no copy of large strings), unknown fields are allowed and kept, and the first
 * error becomes a 400 whose `param` is the full path of the offending field.
 */
export function validateWith<T extends object>(dto: DtoClass<T>, value: unknown, path: string): T {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw GatewayError.invalidRequest(`${path || 'The request body'} must be an object.`, path || null);
  }
  // Rules of optional properties the value does not have are left out (same result, less work).
  const instance = new (validationClassFor(dto, value))() as Record<string, unknown>;
  for (const key of Object.keys(value)) {
    // A JSON `__proto__` key must never become the instance's prototype.
    if (key !== '__proto__' && key !== 'constructor') instance[key] = (value as Record<string, unknown>)[key];
  }
  const errors = validateSync(instance, { forbidUnknownValues: false, stopAtFirstError: true });
  if (errors.length > 0) throw toGatewayError(errors[0], path);
  return instance as T;
}

function toGatewayError(error: ValidationError, prefix: string): GatewayError {
  const path = joinPath(prefix, error.property);
  if (error.children && error.children.length > 0) return toGatewayError(error.children[0], path);
  const message = Object.values(error.constraints ?? {})[0] ?? 'is invalid';
  return GatewayError.invalidRequest(`Invalid '${path}': ${message.replace(/^\S+ /, '')}`, path);
}
