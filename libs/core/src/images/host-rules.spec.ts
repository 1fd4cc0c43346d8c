import { HostRules } from './host-rules';

describe('HostRules', () => {
  const rules = new HostRules([
    'images.example.com',
    '*.cdn.example',
    '.static.example',
    '10.0.0.0/8',
    '192.168.1.7',
    'fd00::/8',
  ]);

  it.each([
    ['images.example.com', true],
    ['IMAGES.example.com.', true],
    ['other.example.com', false],
    ['a.cdn.example', true],
    ['deep.a.cdn.example', true],
    ['cdn.example', true],
    ['evilcdn.example', false],
    ['static.example', true],
    ['x.static.example', true],
  ])('name %s → %s', (host, expected) => {
    expect(rules.matchesName(host)).toBe(expected);
  });

  it.each([
    ['10.2.3.4', true],
    ['11.0.0.1', false],
    ['192.168.1.7', true],
    ['192.168.1.8', false],
    ['fd12::1', true],
    ['fe80::1', false],
    ['not-an-ip', false],
  ])('address %s → %s', (address, expected) => {
    expect(rules.matchesAddress(address)).toBe(expected);
  });

  it('knows whether it is empty and whether it has address rules', () => {
    expect(new HostRules([]).isEmpty).toBe(true);
    expect(new HostRules(['a.example']).hasAddressRules).toBe(false);
    expect(rules.hasAddressRules).toBe(true);
  });

  it.each(['10.0.0.0/33', 'bad host!', 'a.example/8'])('rejects the entry %s', (entry) => {
    expect(() => new HostRules([entry])).toThrow();
  });
});
