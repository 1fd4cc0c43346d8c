import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { GatewayError } from '@app/core';

/** The backend options the `local-ocr` provider understands (`backend.options`). */
export interface LocalOcrOptions {
  /** Tesseract worker threads (each holds the language model in memory, ~30-60 MB): started lazily, reused. */
  workers: number;
  /** Tesseract language codes; each needs its `@tesseract.js-data/<code>` package installed. */
  languages: readonly string[];
}

const KNOWN_OPTIONS = new Set(['workers', 'languages']);
const MAX_WORKERS = 16;

/** One worker on small machines, two where there are cores to spare. */
export function defaultWorkerCount(cores = availableParallelism()): number {
  return cores >= 4 ? 2 : 1;
}

function invalidOption(message: string): GatewayError {
  return new GatewayError(500, `local-ocr backend configuration: ${message}`, {
    code: 'invalid_configuration',
  });
}

/** Validates `backend.options` at boot (unknown keys are errors, not silently ignored). */
export function parseLocalOcrOptions(options: Record<string, unknown>): LocalOcrOptions {
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(key)) throw invalidOption(`unknown option '${key}' (known: workers, languages).`);
  }
  const workers = options.workers ?? defaultWorkerCount();
  if (typeof workers !== 'number' || !Number.isInteger(workers) || workers < 1 || workers > MAX_WORKERS) {
    throw invalidOption(`'workers' must be an integer from 1 to ${MAX_WORKERS}.`);
  }
  const languages = options.languages ?? ['eng'];
  if (
    !Array.isArray(languages) ||
    languages.length === 0 ||
    !languages.every((code): code is string => typeof code === 'string' && /^[a-z]{3}(_[a-z]+)?$/i.test(code))
  ) {
    throw invalidOption(
      `'languages' must be a non-empty list of Tesseract language codes, e.g. ['eng', 'deu'].`,
    );
  }
  return { workers, languages: [...new Set(languages)] };
}

/** Finds a file in an installed package; undefined when the package is not installed. */
export type PackageResolver = (request: string) => string | undefined;

/**
 * Resolves from this file when compiled to CommonJS; from the working directory where `__filename` does not
 * exist (the test runner loads the sources as ES modules).
 */
const requireHere = createRequire(
  typeof __filename === 'string' ? __filename : join(process.cwd(), 'index.js'),
);

const resolveInstalled: PackageResolver = (request) => {
  try {
    return requireHere.resolve(request);
  } catch {
    return undefined;
  }
};

/**
 * The local file of a language's traineddata: the LSTM-only "best_int" model of `@tesseract.js-data/<code>`
 * (what tesseract.js would otherwise download from a CDN for the LSTM engine we use). Never a URL.
 */
export function traineddataFileOf(code: string, resolve: PackageResolver = resolveInstalled): string {
  const manifest = resolve(`@tesseract.js-data/${code}/package.json`);
  if (manifest === undefined) {
    throw invalidOption(
      `language '${code}' needs its traineddata package: npm install @tesseract.js-data/${code}`,
    );
  }
  for (const folder of ['4.0.0_best_int', '4.0.0']) {
    const file = join(dirname(manifest), folder, `${code}.traineddata.gz`);
    if (existsSync(file)) return file;
  }
  throw invalidOption(`the package @tesseract.js-data/${code} holds no ${code}.traineddata.gz.`);
}
