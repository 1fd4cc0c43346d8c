import { isCheckedDataUri, markCheckedDataUri } from './checked-data-uris';

describe('checked data URIs', () => {
  const uri = 'data:image/png;base64,iVBORw0KGgo=';

  it.each([
    ['the recorded holder and string', true, (holder: object) => [holder, uri]],
    ['another string on the same holder', false, (holder: object) => [holder, `${uri}AAAA`]],
    ['the same string on another holder', false, () => [{}, uri]],
    ['no holder', false, () => [undefined, uri]],
  ])('%s → %s', (_label, expected, args) => {
    const holder = { url: uri };
    markCheckedDataUri(holder, uri);
    const [on, value] = args(holder) as [unknown, string];
    expect(isCheckedDataUri(on, value)).toBe(expected);
  });
});
