import type { BackendSettings } from '@app/core';
import type { ImageSettings } from '@app/core/images';

/** A model clients can name, configured explicitly (listed in /v1/models). */
export interface ConfiguredModel {
  /** The name clients send. */
  id: string;
  backend: string;
  /** The name sent upstream. */
  upstreamModel: string;
}

export interface BackendConfig extends BackendSettings {
  /** Glob patterns (`*` wildcard) routed to this backend, e.g. `claude-*`. */
  modelPatterns: string[];
  /** Model names listed in /v1/models for this backend. */
  models: string[];
  /** Ask the upstream for its model list (cached) when listing models. */
  discoverModels: boolean;
}

/** The image layer's settings (libs/core/src/images), every field set. */
export type ImageConfig = Required<ImageSettings>;

export interface OcrConfig {
  /** The analysing model when a request names none. */
  defaultModel: string;
  /** Images analysed at once per request. */
  concurrency: number;
  /** Entries kept in the in-memory analysis cache. */
  cacheEntries: number;
  /** Tried in order for an image whose analysis failed; empty = the failure is a 502. */
  fallbackModels: string[];
}

/** The whole, validated gateway configuration. */
export interface GatewayConfig {
  host: string;
  port: number;
  /** Bearer keys clients must present; empty = open gateway (a warning is logged at start). */
  gatewayKeys: string[];
  bodyLimitBytes: number;
  /** Admission control: bytes of large bodies in flight at once (0 = unbounded). */
  inFlightBodyBytes: number;
  /** How long a large request may wait for room before a 503. */
  queueTimeoutMs: number;
  /** How long an admitted large body has to arrive in full before its connection is closed. */
  bodyReadTimeoutMs: number;
  /** Time allowed for in-flight requests at shutdown. */
  drainTimeoutMs: number;
  logLevel: string;
  backends: BackendConfig[];
  /** Configured model names and aliases → backend + upstream model. */
  models: ConfiguredModel[];
  images: ImageConfig;
  ocr: OcrConfig;
}

export const MEBIBYTE = 1024 * 1024;
export const DEFAULT_TIMEOUT_MS = 600_000;
