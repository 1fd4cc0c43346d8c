import 'reflect-metadata';
import { Type } from 'class-transformer';
import {
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';

/** The YAML file (`IRIS_CONFIG=path`), validated at boot. Every field is optional; env fills the simple case. */
export class BackendFileEntry {
  @IsString()
  @Matches(/^[a-z0-9][a-z0-9._-]*$/i, { message: 'name must be letters, digits, ".", "_" or "-"' })
  name!: string;
  /** Which provider serves it; defaults to the name when that is a provider kind, else `openai` (compatible). */
  @IsOptional() @IsString() provider?: string;
  @IsOptional()
  @IsString()
  @Matches(/^https?:\/\//, { message: 'baseUrl must be an http(s) URL' })
  baseUrl?: string;
  @IsOptional() @IsString() apiKey?: string;
  @IsOptional() @IsObject() headers?: Record<string, string>;
  @IsOptional() @IsInt() @Min(1) timeoutMs?: number;
  /** Model names (listed in /v1/models) or `{ id, upstream, options }`. */
  @IsOptional() @IsArray() models?: Array<
    string | { id: string; upstream?: string; options?: Record<string, unknown> }
  >;
  @IsOptional() @IsArray() @IsString({ each: true }) patterns?: string[];
  @IsOptional() @IsBoolean() discoverModels?: boolean;
  @IsOptional() @IsObject() options?: Record<string, unknown>;
}

export class LimitsFileSection {
  @IsOptional() @IsInt() @Min(1024) bodyLimitBytes?: number;
  @IsOptional() @IsInt() @Min(0) drainTimeoutMs?: number;
  /** Bytes of large request bodies in flight at once (0 = unbounded); see body-memory-budget.ts. */
  @IsOptional() @IsInt() @Min(0) inFlightBodyBytes?: number;
  @IsOptional() @IsInt() @Min(1) queueTimeoutMs?: number;
  @IsOptional() @IsInt() @Min(1) bodyReadTimeoutMs?: number;
}

export class ImagesFileSection {
  @IsOptional() @IsInt() @Min(1) maxImageBytes?: number;
  @IsOptional() @IsInt() @Min(1) maxImagesPerRequest?: number;
  @IsOptional() @IsInt() @Min(1) fetchTimeoutMs?: number;
  @IsOptional() @IsInt() @Min(0) @Max(20) maxRedirects?: number;
  @IsOptional() @IsBoolean() allowPrivateHosts?: boolean;
  @IsOptional() @IsArray() @IsString({ each: true }) allowedHosts?: string[];
  @IsOptional() @IsArray() @IsString({ each: true }) deniedHosts?: string[];
  @IsOptional() @IsBoolean() alwaysInlineUrls?: boolean;
  @IsOptional() @IsInt() @Min(0) cacheMaxBytes?: number;
  @IsOptional() @IsInt() @Min(0) cacheTtlMs?: number;
  @IsOptional() @IsArray() @IsString({ each: true }) extraFormats?: string[];
}

export class OcrFileSection {
  @IsOptional() @IsString() @MinLength(1) defaultModel?: string;
  @IsOptional() @IsInt() @Min(1) @Max(64) concurrency?: number;
  @IsOptional() @IsInt() @Min(0) cacheEntries?: number;
  @IsOptional() @IsArray() @IsString({ each: true }) fallbackModels?: string[];
}

export class ConfigFile {
  @IsOptional() @IsString() host?: string;
  @IsOptional() @IsInt() @Min(0) @Max(65535) port?: number;
  @IsOptional() @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']) logLevel?: string;
  @IsOptional() @IsArray() @IsString({ each: true }) gatewayKeys?: string[];
  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => BackendFileEntry)
  backends?: BackendFileEntry[];
  /** alias → `backend/model` or a routable model name. */
  @IsOptional() @IsObject() aliases?: Record<string, string>;
  @IsOptional() @ValidateNested() @Type(() => LimitsFileSection) limits?: LimitsFileSection;
  @IsOptional() @ValidateNested() @Type(() => ImagesFileSection) images?: ImagesFileSection;
  @IsOptional() @ValidateNested() @Type(() => OcrFileSection) ocr?: OcrFileSection;
}
