import { isIPv4, isIPv6 } from 'node:net';

/**
 * IP address parsing and classification for the SSRF guard. Everything that is not an ordinary public unicast
 * address is refused: a fetch of a user-supplied URL must never reach the gateway's own network.
 */

/** Bytes of a dotted-quad IPv4 or any IPv6 text form (brackets and zone ids allowed); undefined otherwise. */
export function parseIpAddress(text: string): Uint8Array | undefined {
  const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  if (isIPv4(bare)) return Uint8Array.from(bare.split('.').map(Number));
  const withoutZone = bare.split('%')[0];
  if (isIPv6(withoutZone)) return parseIpv6(withoutZone);
  return undefined;
}

function parseIpv6(text: string): Uint8Array {
  let normalized = text;
  const lastColon = text.lastIndexOf(':');
  const last = text.slice(lastColon + 1);
  if (last.includes('.')) {
    // trailing dotted quad (`::ffff:127.0.0.1`) → two hex groups
    const [a, b, c, d] = last.split('.').map(Number);
    normalized = `${text.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const parse = (part: string): number[] => (part ? part.split(':').map((group) => parseInt(group, 16)) : []);
  const doubleColon = normalized.indexOf('::');
  const groups =
    doubleColon < 0
      ? parse(normalized)
      : (() => {
          const head = parse(normalized.slice(0, doubleColon));
          const rest = parse(normalized.slice(doubleColon + 2));
          return [...head, ...new Array<number>(8 - head.length - rest.length).fill(0), ...rest];
        })();
  const bytes = new Uint8Array(16);
  groups.forEach((group, index) => {
    bytes[index * 2] = group >> 8;
    bytes[index * 2 + 1] = group & 0xff;
  });
  return bytes;
}

/**
 * inet_aton's lenient IPv4 forms, which resolvers and some URL parsers accept: `2130706433`, `0x7f000001`, `127.1`,
 * `0177.0.0.1`. Returns the canonical dotted quad, or undefined when the text is not such a number.
 */
export function parseLenientIpv4(text: string): string | undefined {
  const parts = text.endsWith('.') ? text.slice(0, -1).split('.') : text.split('.');
  if (parts.length === 0 || parts.length > 4) return undefined;
  const numbers: number[] = [];
  for (const part of parts) {
    let value: number;
    if (/^0x[0-9a-f]*$/i.test(part)) value = part.length === 2 ? 0 : parseInt(part.slice(2), 16);
    else if (/^0[0-7]+$/.test(part)) value = parseInt(part.slice(1), 8);
    else if (/^(0|[1-9][0-9]*)$/.test(part)) value = Number(part);
    else return undefined;
    numbers.push(value);
  }
  const last = numbers.pop() as number;
  if (numbers.some((value) => value > 255) || last >= 256 ** (4 - numbers.length)) return undefined;
  const bytes = [...numbers];
  for (let index = 3 - numbers.length; index >= 0; index--) bytes.push(Math.floor(last / 256 ** index) % 256);
  return bytes.join('.');
}

interface Range {
  bytes: number[];
  prefix: number;
  reason: string;
}

const V4: Range[] = [
  { bytes: [169, 254, 169, 254], prefix: 32, reason: 'cloud metadata' },
  { bytes: [255, 255, 255, 255], prefix: 32, reason: 'broadcast' },
  { bytes: [0, 0, 0, 0], prefix: 8, reason: '"this network" (0.0.0.0/8)' },
  { bytes: [10, 0, 0, 0], prefix: 8, reason: 'private' },
  { bytes: [100, 64, 0, 0], prefix: 10, reason: 'carrier-grade NAT' },
  { bytes: [127, 0, 0, 0], prefix: 8, reason: 'loopback' },
  { bytes: [169, 254, 0, 0], prefix: 16, reason: 'link-local' },
  { bytes: [172, 16, 0, 0], prefix: 12, reason: 'private' },
  { bytes: [192, 0, 0, 0], prefix: 24, reason: 'reserved (IETF protocol assignments)' },
  { bytes: [192, 0, 2, 0], prefix: 24, reason: 'documentation' },
  { bytes: [192, 88, 99, 0], prefix: 24, reason: 'reserved (6to4 relay)' },
  { bytes: [192, 168, 0, 0], prefix: 16, reason: 'private' },
  { bytes: [198, 18, 0, 0], prefix: 15, reason: 'benchmarking' },
  { bytes: [198, 51, 100, 0], prefix: 24, reason: 'documentation' },
  { bytes: [203, 0, 113, 0], prefix: 24, reason: 'documentation' },
  { bytes: [224, 0, 0, 0], prefix: 4, reason: 'multicast' },
  { bytes: [240, 0, 0, 0], prefix: 4, reason: 'reserved' },
];

const V6: Range[] = [
  { bytes: [], prefix: 128, reason: 'unspecified' }, // ::
  { bytes: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], prefix: 128, reason: 'loopback' },
  { bytes: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff], prefix: 96, reason: 'IPv4-mapped IPv6' },
  { bytes: [], prefix: 96, reason: 'IPv4-compatible IPv6' },
  { bytes: [0, 0x64, 0xff, 0x9b, 0, 1], prefix: 48, reason: 'local-use NAT64' },
  { bytes: [1, 0, 0, 0, 0, 0, 0, 0], prefix: 64, reason: 'discard-only' },
  { bytes: [0x20, 0x01, 0, 0], prefix: 32, reason: 'Teredo' },
  { bytes: [0x20, 0x01, 0, 2, 0, 0], prefix: 48, reason: 'benchmarking' },
  { bytes: [0x20, 0x01, 0x0d, 0xb8], prefix: 32, reason: 'documentation' },
  { bytes: [0xfc], prefix: 7, reason: 'unique local (ULA)' },
  { bytes: [0xfe, 0x80], prefix: 10, reason: 'link-local' },
  { bytes: [0xfe, 0xc0], prefix: 10, reason: 'site-local' },
  { bytes: [0xff], prefix: 8, reason: 'multicast' },
];

export function inPrefix(address: Uint8Array, network: ArrayLike<number>, prefix: number): boolean {
  for (let bit = 0; bit < prefix; bit += 8) {
    const index = bit / 8;
    const mask = prefix - bit >= 8 ? 0xff : (0xff << (8 - (prefix - bit))) & 0xff;
    if ((address[index] & mask) !== ((network[index] ?? 0) & mask)) return false;
  }
  return true;
}

/**
 * Why an address must not be fetched from, or undefined for an ordinary public address. IPv6 forms that embed an
 * IPv4 address (NAT64 64:ff9b::/96, 6to4 2002::/16) are judged by the embedded address.
 */
export function refusedAddressReason(address: string): string | undefined {
  const bytes = parseIpAddress(address);
  if (!bytes) return 'unparseable';
  if (bytes.length === 4) return V4.find((range) => inPrefix(bytes, range.bytes, range.prefix))?.reason;
  const v6 = V6.find((range) => inPrefix(bytes, range.bytes, range.prefix));
  if (v6) return v6.reason;
  if (inPrefix(bytes, [0, 0x64, 0xff, 0x9b], 96)) return embedded(bytes.subarray(12, 16));
  if (inPrefix(bytes, [0x20, 0x02], 16)) return embedded(bytes.subarray(2, 6));
  return undefined;
}

function embedded(v4: Uint8Array): string | undefined {
  const reason = refusedAddressReason(Array.from(v4).join('.'));
  return reason ? `${reason} (embedded in IPv6)` : undefined;
}
