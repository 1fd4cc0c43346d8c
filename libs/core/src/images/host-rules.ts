import { inPrefix, parseIpAddress } from './ip-address';

/**
 * One entry of `allowedHosts` / `deniedHosts`: an exact host name (`images.example.com`), a domain with its
 * subdomains (`*.example.com` or `.example.com`), an IP address, or a CIDR range (`10.0.0.0/8`, `fd00::/8`).
 * Names match the URL's host; addresses and ranges match every address the host resolves to.
 */
type HostRule =
  | { kind: 'name'; name: string }
  | { kind: 'domain'; domain: string }
  | { kind: 'range'; network: Uint8Array; prefix: number };

export class HostRules {
  private readonly rules: HostRule[];

  /** @throws Error on an entry that is none of the forms above (the app validates config at boot). */
  constructor(entries: readonly string[]) {
    this.rules = entries.map(parseRule);
  }

  get isEmpty(): boolean {
    return this.rules.length === 0;
  }

  get hasAddressRules(): boolean {
    return this.rules.some((rule) => rule.kind === 'range');
  }

  matchesName(hostname: string): boolean {
    const host = normalizeHost(hostname);
    return this.rules.some(
      (rule) =>
        (rule.kind === 'name' && rule.name === host) ||
        (rule.kind === 'domain' && (host === rule.domain || host.endsWith(`.${rule.domain}`))),
    );
  }

  matchesAddress(address: string): boolean {
    const bytes = parseIpAddress(address);
    if (!bytes) return false;
    return this.rules.some(
      (rule) =>
        rule.kind === 'range' &&
        rule.network.length === bytes.length &&
        inPrefix(bytes, rule.network, rule.prefix),
    );
  }
}

function normalizeHost(hostname: string): string {
  const lower = hostname.toLowerCase();
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

function parseRule(entry: string): HostRule {
  const text = entry.trim().toLowerCase();
  const [addressText, prefixText] = text.split('/');
  const network = parseIpAddress(addressText);
  if (network) {
    const prefix = prefixText === undefined ? network.length * 8 : Number(prefixText);
    if (!Number.isInteger(prefix) || prefix < 0 || prefix > network.length * 8) {
      throw new Error(`Invalid CIDR range in image host list: ${entry}`);
    }
    return { kind: 'range', network, prefix };
  }
  if (text.startsWith('*.') || text.startsWith('.')) {
    return { kind: 'domain', domain: normalizeHost(text.slice(text.indexOf('.') + 1)) };
  }
  if (!/^[a-z0-9.-]+$/.test(text) || prefixText !== undefined) {
    throw new Error(`Invalid host in image host list: ${entry}`);
  }
  return { kind: 'name', name: normalizeHost(text) };
}
