import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { silentLogger } from '@app/core';
import { createTesseractEngine, languageFolderOf } from './tesseract-engine';
import { renderTextImage } from '../../../../test/support/render-text-image';

/** Black text on a transparent background (the harder case), rendered with the bundled DejaVu font. */
function renderText(lines: string[]): Promise<Buffer> {
  return renderTextImage(lines, { background: 'transparent' });
}

describe('createTesseractEngine (the real engine, offline)', () => {
  jest.setTimeout(60_000);
  const engine = createTesseractEngine({ workers: 1, languages: ['eng'] }, silentLogger);
  afterAll(() => engine.close());

  it('reads rendered text back', async () => {
    const image = await renderText(['Invoice 4711', 'Total: 129.50 EUR']);
    const text = await engine.recognize(image, 'messages[0].content[0]', new AbortController().signal);
    expect(text).toContain('Invoice 4711');
    expect(text).toContain('Total: 129.50 EUR');
  });

  it('reuses its worker for a second image and writes no cache file into the working directory', async () => {
    const text = await engine.recognize(await renderText(['Second page']), 'p', new AbortController().signal);
    expect(text.trim()).toBe('Second page');
    expect(existsSync(join(process.cwd(), 'eng.traineddata'))).toBe(false);
  });

  it('answers 400 for bytes that are not an image, without touching the worker', async () => {
    await expect(
      engine.recognize(Buffer.from('nope'), 'p', new AbortController().signal),
    ).rejects.toMatchObject({
      status: 400,
    });
  });
});

describe('languageFolderOf', () => {
  it('uses the package folder itself for one language', () => {
    expect(languageFolderOf(['/a/eng.traineddata.gz'])).toBe('/a');
  });
});
