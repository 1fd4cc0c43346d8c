import { createRequire } from 'node:module';
import path from 'node:path';
import sharp from 'sharp';

/** DejaVu Sans from the `dejavu-fonts-ttf` dev dependency: tests need no system fonts. */
const fontfile = path.join(
  path.dirname(
    createRequire(path.join(process.cwd(), 'package.json')).resolve('dejavu-fonts-ttf/package.json'),
  ),
  'ttf/DejaVuSans.ttf',
);

/**
 * A PNG of black text lines, rendered by sharp (Pango) with the bundled font file, on white or on a
 * transparent background (the harder case for OCR).
 */
export async function renderTextImage(
  lines: string[],
  options: { background?: 'white' | 'transparent' } = {},
): Promise<Buffer> {
  const escaped = lines.join('\n').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const text = await sharp({
    text: {
      text: `<span foreground="black">${escaped}</span>`,
      font: 'DejaVu Sans 30',
      fontfile,
      dpi: 72,
      rgba: true,
    },
  })
    .png()
    .toBuffer();
  const { width = 0, height = 0 } = await sharp(text).metadata();
  const transparent = options.background === 'transparent';
  return sharp({
    create: {
      width: width + 32,
      height: height + 32,
      channels: 4,
      background: transparent ? { r: 0, g: 0, b: 0, alpha: 0 } : { r: 255, g: 255, b: 255, alpha: 1 },
    },
  })
    .composite([{ input: text, left: 16, top: 16 }])
    .png()
    .toBuffer();
}
