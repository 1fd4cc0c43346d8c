import { defaultWorkerCount, parseLocalOcrOptions, traineddataFileOf } from './local-ocr-options';

describe('parseLocalOcrOptions', () => {
  it('defaults to English and a small pool', () => {
    const parsed = parseLocalOcrOptions({});
    expect(parsed.languages).toEqual(['eng']);
    expect([1, 2]).toContain(parsed.workers);
  });

  it.each([
    [{ workers: 3 }, { workers: 3, languages: ['eng'] }],
    [
      { workers: 1, languages: ['eng', 'deu', 'eng'] },
      { workers: 1, languages: ['eng', 'deu'] },
    ],
    [
      { workers: 2, languages: ['chi_sim'] },
      { workers: 2, languages: ['chi_sim'] },
    ],
  ])('accepts %j', (options, expected) => {
    expect(parseLocalOcrOptions(options)).toEqual(expected);
  });

  it.each([
    [{ workers: 0 }, "'workers' must be an integer"],
    [{ workers: 1.5 }, "'workers' must be an integer"],
    [{ workers: '2' }, "'workers' must be an integer"],
    [{ workers: 17 }, "'workers' must be an integer"],
    [{ languages: [] }, "'languages' must be a non-empty list"],
    [{ languages: 'eng' }, "'languages' must be a non-empty list"],
    [{ languages: ['../etc'] }, "'languages' must be a non-empty list"],
    [{ language: ['eng'] }, "unknown option 'language'"],
  ])('rejects %j at boot', (options, message) => {
    expect(() => parseLocalOcrOptions(options)).toThrow(message);
  });
});

describe('defaultWorkerCount', () => {
  it.each([
    [1, 1],
    [2, 1],
    [4, 2],
    [64, 2],
  ])('%i cores → %i workers', (cores, workers) => {
    expect(defaultWorkerCount(cores)).toBe(workers);
  });
});

describe('traineddataFileOf', () => {
  it('finds the installed English LSTM model on disk (never a URL)', () => {
    expect(traineddataFileOf('eng')).toMatch(
      /@tesseract\.js-data[\\/]eng[\\/]4\.0\.0_best_int[\\/]eng\.traineddata\.gz$/,
    );
  });

  it('names the package to install for a missing language', () => {
    expect(() => traineddataFileOf('deu', () => undefined)).toThrow('npm install @tesseract.js-data/deu');
  });
});
