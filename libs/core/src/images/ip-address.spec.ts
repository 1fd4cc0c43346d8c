import { parseIpAddress, parseLenientIpv4, refusedAddressReason } from './ip-address';

describe('refusedAddressReason', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.0.1', 'private'],
    ['169.254.169.254', 'cloud metadata'],
    ['169.254.0.1', 'link-local'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['100.127.255.255', 'carrier-grade NAT'],
    ['0.0.0.0', '"this network" (0.0.0.0/8)'],
    ['0.1.2.3', '"this network" (0.0.0.0/8)'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['240.0.0.1', 'reserved'],
    ['192.0.2.10', 'documentation'],
    ['198.18.0.1', 'benchmarking'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fc00::1', 'unique local (ULA)'],
    ['fd00:ec2::254', 'unique local (ULA)'],
    ['fe80::1%eth0', 'link-local'],
    ['fec0::1', 'site-local'],
    ['ff02::1', 'multicast'],
    ['::ffff:127.0.0.1', 'IPv4-mapped IPv6'],
    ['::ffff:8.8.8.8', 'IPv4-mapped IPv6'],
    ['::ffff:7f00:1', 'IPv4-mapped IPv6'],
    ['::127.0.0.1', 'IPv4-compatible IPv6'],
    ['64:ff9b::a9fe:a9fe', 'cloud metadata (embedded in IPv6)'],
    ['2002:7f00:1::1', 'loopback (embedded in IPv6)'],
    ['2001:db8::1', 'documentation'],
    ['2001::1', 'Teredo'],
    ['[::1]', 'loopback'],
    ['not-an-ip', 'unparseable'],
  ])('%s → %s', (address, reason) => {
    expect(refusedAddressReason(address)).toBe(reason);
  });

  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '172.32.0.1',
    '100.128.0.1',
    '169.255.0.1',
    '2606:4700::1111',
    '64:ff9b::808:808',
    '2002:808:808::1',
  ])('%s is public', (address) => {
    expect(refusedAddressReason(address)).toBeUndefined();
  });
});

describe('parseLenientIpv4 (inet_aton forms)', () => {
  it.each([
    ['0x7f000001', '127.0.0.1'],
    ['2130706433', '127.0.0.1'],
    ['127.1', '127.0.0.1'],
    ['127.0.1', '127.0.0.1'],
    ['0177.0.0.1', '127.0.0.1'],
    ['0x7f.0.0.1', '127.0.0.1'],
    ['0x7F.1', '127.0.0.1'],
    ['017700000001', '127.0.0.1'],
    ['169.254.43518', '169.254.169.254'],
    ['0', '0.0.0.0'],
    ['0x', '0.0.0.0'], // as glibc and the WHATWG parser read it
    ['127.0.0.1.', '127.0.0.1'],
  ])('%s → %s', (text, dotted) => {
    expect(parseLenientIpv4(text)).toBe(dotted);
  });

  it.each(['example.com', '256.1.1.1', '1.2.3.4.5', '09.1.1.1', '4294967296', ''])(
    '%s is not an address',
    (text) => {
      expect(parseLenientIpv4(text)).toBeUndefined();
    },
  );
});

describe('parseIpAddress', () => {
  it('parses IPv6 with an embedded dotted quad', () => {
    expect(Array.from(parseIpAddress('::ffff:1.2.3.4')!)).toEqual([
      0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 255, 255, 1, 2, 3, 4,
    ]);
  });
  it('parses a full IPv6', () => {
    expect(Array.from(parseIpAddress('2001:db8:0:0:0:0:2:1')!).slice(0, 4)).toEqual([0x20, 0x01, 0x0d, 0xb8]);
  });
  it('rejects lenient forms (only canonical text)', () => {
    expect(parseIpAddress('127.1')).toBeUndefined();
  });
});
