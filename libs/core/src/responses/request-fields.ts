import { GatewayError } from '../gateway-error';

/** Small readers for an untrusted JSON body: each throws a 400 naming the parameter path. */

export type JsonObject = Record<string, unknown>;

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function requireObject(value: unknown, param: string): JsonObject {
  if (!isJsonObject(value)) throw GatewayError.invalidRequest(`'${param}' must be an object.`, param);
  return value;
}

export function requireArray(value: unknown, param: string): unknown[] {
  if (!Array.isArray(value)) throw GatewayError.invalidRequest(`'${param}' must be an array.`, param);
  return value;
}

export function requireString(value: unknown, param: string): string {
  if (typeof value !== 'string') throw GatewayError.invalidRequest(`'${param}' must be a string.`, param);
  return value;
}

export function optionalString(value: unknown, param: string): string | undefined {
  return value === undefined || value === null ? undefined : requireString(value, param);
}

export function optionalBoolean(value: unknown, param: string): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw GatewayError.invalidRequest(`'${param}' must be a boolean.`, param);
  return value;
}

export function optionalNumber(
  value: unknown,
  param: string,
  range: { min?: number; max?: number; integer?: boolean } = {},
): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || (range.integer && !Number.isInteger(value))) {
    throw GatewayError.invalidRequest(
      `'${param}' must be ${range.integer ? 'an integer' : 'a number'}.`,
      param,
    );
  }
  if ((range.min !== undefined && value < range.min) || (range.max !== undefined && value > range.max)) {
    const bounds = `${range.min ?? '-∞'} and ${range.max ?? '∞'}`;
    throw GatewayError.invalidRequest(`'${param}' must be between ${bounds}.`, param);
  }
  return value;
}

export function requireOneOf<T extends string>(value: unknown, allowed: readonly T[], param: string): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw GatewayError.invalidRequest(`'${param}' must be one of: ${allowed.join(', ')}.`, param);
  }
  return value as T;
}

/** 400 for a Responses feature Iris does not implement: never ignored silently. */
export function notSupported(param: string, why: string): GatewayError {
  return GatewayError.invalidRequest(
    `'${param}' is not supported by this gateway: ${why}`,
    param,
    'unsupported_parameter',
  );
}

/** Rejects fields of an object that the bridge does not know (a typo or a newer feature must not vanish). */
export function rejectUnknownFields(object: JsonObject, known: ReadonlySet<string>, prefix: string): void {
  for (const key of Object.keys(object)) {
    if (known.has(key)) continue;
    const param = prefix ? `${prefix}.${key}` : key;
    throw GatewayError.invalidRequest(`Unknown parameter: '${param}'.`, param, 'unknown_parameter');
  }
}

/** Whether an optional field was actually given (null counts as absent, as in the OpenAI API). */
export function isSet(value: unknown): boolean {
  return value !== undefined && value !== null;
}
