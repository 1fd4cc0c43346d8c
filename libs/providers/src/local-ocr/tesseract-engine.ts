import { mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { createWorker, OEM } from 'tesseract.js';
import { GatewayError, type Logger } from '@app/core';
import type { LocalOcrOptions } from './local-ocr-options';
import { traineddataFileOf } from './local-ocr-options';
import { OcrWorkerPool, type RecognizerWorker } from './ocr-worker-pool';
import { prepareImageForOcr } from './prepare-image-for-ocr';

/** Reads the text in one image. */
export interface OcrEngine {
  /** @param param the image's path for error messages */
  recognize(image: Buffer, param: string, signal: AbortSignal): Promise<string>;
  close(): Promise<void>;
}

/** A worker that has not started in this time is reported as broken rather than waited on forever. */
const WORKER_START_TIMEOUT_MS = 60_000;

/**
 * tesseract.js reads every language from one folder. With one language (the default) that is the package's
 * own folder; languages from several packages get a temporary folder of symlinks (made once, at boot).
 */
export function languageFolderOf(files: readonly string[]): string {
  const folders = new Set(files.map((file) => dirname(file)));
  if (folders.size === 1) return [...folders][0];
  const folder = mkdtempSync(join(tmpdir(), 'iris-tessdata-'));
  for (const file of files) symlinkSync(file, join(folder, basename(file)));
  return folder;
}

/**
 * The built-in engine: tesseract.js (WebAssembly, in worker threads) with local traineddata only. `langPath` is
 * a local folder and `cacheMethod: 'none'`, so it never downloads a model nor writes a cache file into the
 * working directory.
 */
export function createTesseractEngine(options: LocalOcrOptions, logger: Logger): OcrEngine {
  // Resolved now so a missing language package fails at boot, not on the first request.
  const langPath = languageFolderOf(options.languages.map((code) => traineddataFileOf(code)));
  const languages = options.languages.join('+');
  const pool = new OcrWorkerPool(options.workers, () => startTesseractWorker(languages, langPath, logger));
  return {
    async recognize(image, param, signal) {
      const prepared = await prepareImageForOcr(image, param);
      return pool.recognize(prepared, signal);
    },
    close: () => pool.close(),
  };
}

async function startTesseractWorker(
  languages: string,
  langPath: string,
  logger: Logger,
): Promise<RecognizerWorker> {
  // tesseract.js reports failures twice: by rejecting the job and through `errorHandler` (without one it throws
  // from a message handler and takes the process down). A failure while starting only reaches `errorHandler`.
  let failStart: (error: unknown) => void = () => undefined;
  const startFailed = new Promise<never>((_resolve, reject) => {
    failStart = reject;
  });
  const timer = setTimeout(
    () => failStart(new Error('the OCR worker did not start in time')),
    WORKER_START_TIMEOUT_MS,
  );
  const starting = createWorker(languages, OEM.LSTM_ONLY, {
    langPath,
    gzip: true,
    cacheMethod: 'none',
    logger: () => undefined,
    errorHandler: (error: unknown) => {
      failStart(error);
      logger.debug({ err: String(error) }, 'tesseract worker reported an error');
    },
  });
  try {
    const worker = await Promise.race([starting, startFailed]);
    // Sharp's PNGs carry no resolution; without this Tesseract guesses one and warns on every page.
    await worker.setParameters({ user_defined_dpi: '300' });
    return {
      async recognize(image) {
        try {
          const result = await worker.recognize(image);
          return result.data.text;
        } catch (error) {
          throw new GatewayError(500, `The local OCR engine failed: ${String(error)}`, {
            code: 'ocr_engine_error',
            provider: 'local-ocr',
          });
        }
      },
      terminate: async () => {
        await worker.terminate();
      },
    };
  } catch (error) {
    throw new GatewayError(500, `The local OCR engine could not start: ${String(error)}`, {
      code: 'ocr_engine_error',
      provider: 'local-ocr',
    });
  } finally {
    clearTimeout(timer);
  }
}
