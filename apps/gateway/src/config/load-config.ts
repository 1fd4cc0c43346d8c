import { readFileSync } from 'node:fs';
import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import { parse as parseYaml } from 'yaml';
import type { ProviderDefinition } from '@app/core';
import { ConfigFile } from './config-file.dto';
import {
  DEFAULT_TIMEOUT_MS,
  MEBIBYTE,
  type BackendConfig,
  type ConfiguredModel,
  type GatewayConfig,
} from './gateway-config';

export type Environment = Readonly<Record<string, string | undefined>>;

export class ConfigError extends Error {
  constructor(message: string) {
    super(`Invalid configuration: ${message}`);
    this.name = 'ConfigError';
  }
}

/** `${NAME}` and `${NAME:-default}` from the environment; a missing variable without default is an error. */
export function interpolateEnvironment(text: string, environment: Environment): string {
  return text.replace(
    /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g,
    (_match, name: string, fallback?: string) => {
      const value = environment[name];
      if (value !== undefined && value !== '') return value;
      if (fallback !== undefined) return fallback;
      throw new ConfigError(`environment variable ${name} is referenced in the config file but not set`);
    },
  );
}

function flattenValidationErrors(errors: ValidationError[], prefix = ''): string[] {
  return errors.flatMap((error) => {
    const path = /^\d+$/.test(error.property)
      ? `${prefix}[${error.property}]`
      : prefix
        ? `${prefix}.${error.property}`
        : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => `${path}: ${message}`);
    return [...own, ...flattenValidationErrors(error.children ?? [], path)];
  });
}

function parseBoolean(value: string | undefined): boolean | undefined {
  if (value === undefined || value === '') return undefined;
  return /^(1|true|yes|on)$/i.test(value);
}

function parseInteger(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0)
    throw new ConfigError(`${name} must be a whole number, got "${value}"`);
  return number;
}

function splitList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

/** Reads and validates the YAML file; the error names the bad field. */
export function readConfigFile(text: string, environment: Environment): ConfigFile {
  let raw: unknown;
  try {
    raw = parseYaml(interpolateEnvironment(text, environment)) ?? {};
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(`the config file is not valid YAML: ${(error as Error).message}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new ConfigError('the config file must be a mapping');
  const file = plainToInstance(ConfigFile, raw);
  const errors = validateSync(file, { whitelist: true, forbidNonWhitelisted: true });
  if (errors.length > 0) throw new ConfigError(flattenValidationErrors(errors).join('; '));
  return file;
}

/**
 * The whole configuration from the environment (simple case) and an optional YAML file (full case).
 * Only the given environment is read, so tests and the app start from exactly what they pass.
 */
export function loadConfig(
  environment: Environment,
  providers: readonly ProviderDefinition[],
  configYaml?: string,
): GatewayConfig {
  const yamlText =
    configYaml ?? (environment.IRIS_CONFIG ? readFileOrThrow(environment.IRIS_CONFIG) : undefined);
  const file = yamlText !== undefined ? readConfigFile(yamlText, environment) : new ConfigFile();
  const kinds = new Map(providers.map((provider) => [provider.kind, provider]));

  const backends: BackendConfig[] = [];
  for (const [index, entry] of (file.backends ?? []).entries()) {
    const kind = entry.provider ?? (kinds.has(entry.name) ? entry.name : 'openai');
    const definition = kinds.get(kind);
    if (!definition) {
      throw new ConfigError(
        `backends[${index}].provider: unknown provider "${kind}" (known: ${[...kinds.keys()].join(', ')})`,
      );
    }
    if (backends.some((backend) => backend.name === entry.name)) {
      throw new ConfigError(`backends[${index}].name: "${entry.name}" is used twice`);
    }
    const modelOptions: Record<string, Record<string, unknown>> = {};
    const models: string[] = [];
    for (const model of entry.models ?? []) {
      if (typeof model === 'string') models.push(model);
      else if (model && typeof model.id === 'string') {
        models.push(model.id);
        if (model.options) modelOptions[model.upstream ?? model.id] = model.options;
      } else
        throw new ConfigError(
          `backends[${index}].models: each model is a name or { id, upstream?, options? }`,
        );
    }
    backends.push({
      name: entry.name,
      provider: kind,
      baseUrl:
        entry.baseUrl ??
        (entry.name === kind ? envOf(environment, definition.environment?.baseUrl) : undefined),
      apiKey:
        entry.apiKey ??
        (entry.name === kind ? envOf(environment, definition.environment?.apiKey) : undefined),
      headers: entry.headers ?? {},
      timeoutMs: entry.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      options: entry.options ?? {},
      modelOptions,
      modelPatterns: entry.patterns ?? (entry.name === kind ? [...definition.defaultModelPatterns] : []),
      models: models.length > 0 ? models : [...(definition.defaultModels ?? [])],
      discoverModels: entry.discoverModels ?? false,
    });
  }

  // The simple case: one default backend per provider whose key or base URL is in the environment
  // (or that needs neither, like the built-in OCR engine), unless the file already defines it.
  for (const definition of providers) {
    if (backends.some((backend) => backend.name === definition.kind)) continue;
    const apiKey = envOf(environment, definition.environment?.apiKey);
    const baseUrl = envOf(environment, definition.environment?.baseUrl);
    if (!apiKey && !baseUrl && !definition.worksWithoutKey) continue;
    backends.push({
      name: definition.kind,
      provider: definition.kind,
      baseUrl,
      apiKey,
      headers: {},
      timeoutMs:
        parseInteger(environment.IRIS_UPSTREAM_TIMEOUT_MS, 'IRIS_UPSTREAM_TIMEOUT_MS') ?? DEFAULT_TIMEOUT_MS,
      options: {},
      modelOptions: {},
      modelPatterns: [...definition.defaultModelPatterns],
      models: [...(definition.defaultModels ?? [])],
      discoverModels: false,
    });
  }

  const models: ConfiguredModel[] = [];
  for (const backend of backends) {
    for (const id of backend.models) models.push({ id, backend: backend.name, upstreamModel: id });
  }
  for (const backend of file.backends ?? []) {
    for (const model of backend.models ?? []) {
      if (typeof model === 'object' && model.upstream) {
        const configured = models.find((entry) => entry.id === model.id && entry.backend === backend.name);
        if (configured) configured.upstreamModel = model.upstream;
      }
    }
  }
  for (const [alias, target] of Object.entries(file.aliases ?? {})) {
    if (typeof target !== 'string' || target.length === 0)
      throw new ConfigError(`aliases.${alias}: must name a model`);
    const slash = target.indexOf('/');
    const backendName = slash > 0 ? target.slice(0, slash) : undefined;
    if (backendName && backends.some((backend) => backend.name === backendName)) {
      models.push({ id: alias, backend: backendName, upstreamModel: target.slice(slash + 1) });
    } else {
      const configured = models.find((entry) => entry.id === target);
      const patterned = backends.find((backend) =>
        backend.modelPatterns.some((pattern) => globMatches(pattern, target)),
      );
      const backend = configured?.backend ?? patterned?.name;
      if (!backend)
        throw new ConfigError(`aliases.${alias}: "${target}" is not routable to any configured backend`);
      models.push({ id: alias, backend, upstreamModel: configured?.upstreamModel ?? target });
    }
  }

  const gatewayKeys = file.gatewayKeys ?? splitList(environment.GATEWAY_API_KEYS);
  const allowPrivate = parseBoolean(environment.IRIS_ALLOW_PRIVATE_IMAGE_HOSTS);
  return {
    host: environment.HOST || file.host || '0.0.0.0',
    port: parseInteger(environment.PORT, 'PORT') ?? file.port ?? 8080,
    gatewayKeys,
    bodyLimitBytes:
      parseInteger(environment.IRIS_BODY_LIMIT_BYTES, 'IRIS_BODY_LIMIT_BYTES') ??
      file.limits?.bodyLimitBytes ??
      64 * MEBIBYTE,
    inFlightBodyBytes:
      parseInteger(environment.IRIS_INFLIGHT_BODY_BYTES, 'IRIS_INFLIGHT_BODY_BYTES') ??
      file.limits?.inFlightBodyBytes ??
      64 * MEBIBYTE,
    queueTimeoutMs:
      parseInteger(environment.IRIS_QUEUE_TIMEOUT_MS, 'IRIS_QUEUE_TIMEOUT_MS') ??
      file.limits?.queueTimeoutMs ??
      30_000,
    bodyReadTimeoutMs:
      parseInteger(environment.IRIS_BODY_READ_TIMEOUT_MS, 'IRIS_BODY_READ_TIMEOUT_MS') ??
      file.limits?.bodyReadTimeoutMs ??
      120_000,
    drainTimeoutMs:
      parseInteger(environment.IRIS_DRAIN_TIMEOUT_MS, 'IRIS_DRAIN_TIMEOUT_MS') ??
      file.limits?.drainTimeoutMs ??
      30_000,
    logLevel: environment.LOG_LEVEL || file.logLevel || 'info',
    backends,
    models,
    images: {
      maxImageBytes: file.images?.maxImageBytes ?? 20 * MEBIBYTE,
      maxImagesPerRequest: file.images?.maxImagesPerRequest ?? 50,
      fetchTimeoutMs: file.images?.fetchTimeoutMs ?? 15_000,
      maxRedirects: file.images?.maxRedirects ?? 5,
      allowPrivateHosts: allowPrivate ?? file.images?.allowPrivateHosts ?? false,
      allowedHosts: file.images?.allowedHosts ?? [],
      deniedHosts: file.images?.deniedHosts ?? [],
      alwaysInlineUrls: file.images?.alwaysInlineUrls ?? false,
      cacheMaxBytes: file.images?.cacheMaxBytes ?? 64 * MEBIBYTE,
      cacheTtlMs: file.images?.cacheTtlMs ?? 60_000,
      extraFormats: file.images?.extraFormats ?? [],
    },
    ocr: {
      defaultModel: environment.IRIS_OCR_MODEL || file.ocr?.defaultModel || 'local-ocr',
      concurrency: file.ocr?.concurrency ?? 4,
      cacheEntries: file.ocr?.cacheEntries ?? 1000,
      fallbackModels: environment.IRIS_OCR_FALLBACK_MODELS
        ? splitList(environment.IRIS_OCR_FALLBACK_MODELS)
        : (file.ocr?.fallbackModels ?? []),
    },
  };
}

function envOf(environment: Environment, name: string | undefined): string | undefined {
  const value = name ? environment[name] : undefined;
  return value === undefined || value === '' ? undefined : value;
}

function readFileOrThrow(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`IRIS_CONFIG: cannot read ${path}: ${(error as Error).message}`);
  }
}

/** `*` matches any run of characters; everything else is literal. */
export function globMatches(pattern: string, name: string): boolean {
  if (!pattern.includes('*')) return pattern === name;
  const parts = pattern.split('*');
  if (!name.startsWith(parts[0])) return false;
  let position = parts[0].length;
  for (let index = 1; index < parts.length - 1; index++) {
    const found = name.indexOf(parts[index], position);
    if (found < 0) return false;
    position = found + parts[index].length;
  }
  const last = parts[parts.length - 1];
  return name.length - position >= last.length && name.endsWith(last);
}
