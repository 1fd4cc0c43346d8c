import type { LookupAddress } from 'node:dns';
import type { ServerResponse } from 'node:http';
import { silentLogger } from '../logger';
import { startLoopbackListener, type LoopbackListener } from './__fixtures__/loopback-listener';
import { ImageFetchError, SafeFetcher, type SafeFetchHooks, type SafeFetchSettings } from './safe-fetch';

const BASE: SafeFetchSettings = {
  maxBytes: 64 * 1024,
  timeoutMs: 2_000,
  maxRedirects: 5,
  allowPrivateHosts: false,
  allowedHosts: [],
  deniedHosts: [],
};
const PNG_BYTES = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');

describe('SafeFetcher', () => {
  let first: LoopbackListener; // 127.0.0.1
  let second: LoopbackListener; // 127.0.0.2
  let third: LoopbackListener; // 127.0.0.3
  const fetchers: SafeFetcher[] = [];

  const fetcher = (settings: Partial<SafeFetchSettings> = {}, hooks: SafeFetchHooks = {}): SafeFetcher => {
    const created = new SafeFetcher({ ...BASE, ...settings }, silentLogger, hooks);
    fetchers.push(created);
    return created;
  };
  const failure = async (promise: Promise<unknown>): Promise<ImageFetchError> => {
    const error = await promise.then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ImageFetchError);
    return error as ImageFetchError;
  };
  const signal = () => new AbortController().signal;

  const image = (_request: unknown, response: ServerResponse) => {
    response.writeHead(200, { 'content-type': 'text/html' }); // lies: the layer sniffs the bytes
    response.end(PNG_BYTES);
  };

  beforeAll(async () => {
    first = await startLoopbackListener('127.0.0.1', image);
    second = await startLoopbackListener('127.0.0.2', image);
    third = await startLoopbackListener('127.0.0.3', image);
  });
  beforeEach(() => {
    for (const listener of [first, second, third]) {
      listener.setHandler(image);
      listener.connections = 0;
      listener.requests.length = 0;
      listener.closedEarly = 0;
    }
  });
  afterEach(async () => {
    await Promise.all(fetchers.splice(0).map((created) => created.close()));
  });
  afterAll(async () => {
    await Promise.all([first.close(), second.close(), third.close()]);
  });

  describe('refuses private targets without connecting (allowPrivateHosts false)', () => {
    it.each([
      ['127.0.0.1 dotted quad', (port: number) => `http://127.0.0.1:${port}/a.png`, 'loopback'],
      ['hex 0x7f000001', (port: number) => `http://0x7f000001:${port}/a.png`, 'loopback'],
      ['decimal 2130706433', (port: number) => `http://2130706433:${port}/a.png`, 'loopback'],
      ['short 127.1', (port: number) => `http://127.1:${port}/a.png`, 'loopback'],
      ['octal 0177.0.0.1', (port: number) => `http://0177.0.0.1:${port}/a.png`, 'loopback'],
      ['mixed 0x7f.0.0.1', (port: number) => `http://0x7f.0.0.1:${port}/a.png`, 'loopback'],
      ['trailing dot 127.0.0.1.', (port: number) => `http://127.0.0.1.:${port}/a.png`, 'loopback'],
      ['IPv4-mapped IPv6', (port: number) => `http://[::ffff:127.0.0.1]:${port}/a.png`, 'IPv4-mapped'],
      [
        '0.0.0.0 (reaches local listeners on Linux)',
        (port: number) => `http://0.0.0.0:${port}/a.png`,
        'this network',
      ],
      ['localhost (DNS)', (port: number) => `http://localhost:${port}/a.png`, 'loopback'],
      ['https to loopback', (port: number) => `https://127.0.0.1:${port}/a.png`, 'loopback'],
    ])('%s', async (_name, urlFor, reason) => {
      const error = await failure(fetcher().fetch(urlFor(first.port), signal()));
      expect(error.code).toBe('image_url_not_allowed');
      expect(error.message).toContain(reason);
      expect(first.connections).toBe(0);
    });

    it('control: the same listeners are reachable with allowPrivateHosts (the zero counts mean something)', async () => {
      first.setHandler((_request, response) => response.end(PNG_BYTES));
      for (const url of [
        `http://0x7f000001:${first.port}/a.png`,
        `http://127.1:${first.port}/a.png`,
        `http://localhost:${first.port}/a.png`,
      ]) {
        await fetcher({ allowPrivateHosts: true }).fetch(url, signal());
      }
      await fetcher({ allowPrivateHosts: true }).fetch(`${second.origin}/a.png`, signal());
      expect(first.connections).toBeGreaterThanOrEqual(2);
      expect(second.connections).toBe(1);
    });

    it('another loopback address (127.0.0.2)', async () => {
      const error = await failure(fetcher().fetch(`${second.origin}/a.png`, signal()));
      expect(error.message).toContain('loopback');
      expect(second.connections).toBe(0);
    });

    it('IPv6 loopback [::1], and a name resolving to it', async () => {
      const ipv6 = await startLoopbackListener('::1');
      try {
        const direct = await failure(fetcher().fetch(`${ipv6.origin}/a.png`, signal()));
        expect(direct.message).toContain('loopback');
        const resolve = async (): Promise<LookupAddress[]> => [{ address: '::1', family: 6 }];
        const named = await failure(
          fetcher({}, { resolve }).fetch(`http://v6.example:${ipv6.port}/a.png`, signal()),
        );
        expect(named.message).toContain('loopback');
        expect(ipv6.connections).toBe(0);
        // and it is reachable when private hosts are allowed: the listener is real
        await fetcher({ allowPrivateHosts: true }).fetch(`${ipv6.origin}/a.png`, signal());
        expect(ipv6.connections).toBe(1);
      } finally {
        await ipv6.close();
      }
    });

    it('a name that resolves to a private address', async () => {
      const resolve = jest.fn(async (): Promise<LookupAddress[]> => [{ address: '127.0.0.2', family: 4 }]);
      const error = await failure(
        fetcher({}, { resolve }).fetch(`http://images.example:${second.port}/a.png`, signal()),
      );
      expect(error.message).toContain('loopback');
      expect(resolve).toHaveBeenCalledTimes(1);
      expect(second.connections).toBe(0);
    });

    it('a name with one public and one private address (every address is checked)', async () => {
      const resolve = async (): Promise<LookupAddress[]> => [
        { address: '127.0.0.1', family: 4 },
        { address: '127.0.0.2', family: 4 },
      ];
      const treatAsPublic = (address: string) => address === '127.0.0.1';
      const error = await failure(
        fetcher({}, { resolve, treatAsPublic }).fetch(`http://mixed.example:${first.port}/a.png`, signal()),
      );
      expect(error.code).toBe('image_url_not_allowed');
      expect(first.connections + second.connections).toBe(0);
    });

    it.each([
      ['http://169.254.169.254/latest/meta-data/', 'cloud metadata'],
      ['http://10.0.0.1/a.png', 'private'],
      ['http://172.16.5.4/a.png', 'private'],
      ['http://192.168.1.1/a.png', 'private'],
      ['http://100.64.0.1/a.png', 'carrier-grade NAT'],
      ['http://169.254.1.1/a.png', 'link-local'],
      ['http://224.0.0.1/a.png', 'multicast'],
      ['http://255.255.255.255/a.png', 'broadcast'],
      ['http://[::1]/a.png', 'loopback'],
      ['http://[fd00:ec2::254]/a.png', 'unique local'],
      ['http://[fe80::1]/a.png', 'link-local'],
      ['http://[ff02::1]/a.png', 'multicast'],
      ['http://[::ffff:a9fe:a9fe]/a.png', 'IPv4-mapped'],
      ['http://[64:ff9b::7f00:1]/a.png', 'loopback (embedded in IPv6)'],
    ])('%s is refused before any connection (%s)', async (url, reason) => {
      const error = await failure(fetcher({ timeoutMs: 300 }).fetch(url, signal()));
      expect(error.code).toBe('image_url_not_allowed');
      expect(error.message).toContain(reason);
    });

    it.each(['ftp://127.0.0.1/a.png', 'file:///etc/passwd', 'gopher://example.com/'])(
      'refuses the scheme of %s',
      async (url) => {
        const error = await failure(fetcher({ allowPrivateHosts: true }).fetch(url, signal()));
        expect(error.message).toContain('only http and https');
      },
    );

    it('refuses URLs with credentials', async () => {
      const error = await failure(
        fetcher({ allowPrivateHosts: true }).fetch(`http://user:pw@127.0.0.1:${first.port}/`, signal()),
      );
      expect(error.message).toContain('credentials');
      expect(error.message).not.toContain('pw');
      expect(first.connections).toBe(0);
    });
  });

  describe('redirects', () => {
    it('refuses a redirect from an allowed (public) host to a private one, without connecting to it', async () => {
      first.setHandler((_request, response) => {
        response.writeHead(302, { location: `${second.origin}/secret.png` });
        response.end();
      });
      const treatAsPublic = (address: string) => address === '127.0.0.1';
      const error = await failure(
        fetcher({}, { treatAsPublic }).fetch(`${first.origin}/start.png`, signal()),
      );
      expect(error.code).toBe('image_url_not_allowed');
      expect(error.message).toContain('loopback');
      expect(first.requests).toEqual(['/start.png']);
      expect(second.connections).toBe(0);
    });

    it('refuses a redirect to a denied address with allowPrivateHosts on', async () => {
      first.setHandler((_request, response) => {
        response.writeHead(307, { location: `${third.origin}/a.png` });
        response.end();
      });
      const error = await failure(
        fetcher({ allowPrivateHosts: true, deniedHosts: ['127.0.0.3'] }).fetch(
          `${first.origin}/start`,
          signal(),
        ),
      );
      expect(error.message).toContain('deny list');
      expect(third.connections).toBe(0);
    });

    it('refuses a redirect to a denied host name, and to a non-http scheme', async () => {
      first.setHandler((request, response) => {
        response.writeHead(301, {
          location: request.url === '/to-name' ? `http://metadata.google.internal/` : 'file:///etc/passwd',
        });
        response.end();
      });
      const guarded = fetcher({ allowPrivateHosts: true, deniedHosts: ['*.internal'] });
      expect((await failure(guarded.fetch(`${first.origin}/to-name`, signal()))).message).toContain(
        'deny list',
      );
      expect((await failure(guarded.fetch(`${first.origin}/to-file`, signal()))).message).toContain(
        'only http',
      );
    });

    it('follows up to maxRedirects hops, each one checked, and refuses one more', async () => {
      first.setHandler((request, response) => {
        const hop = Number((request.url ?? '/0').slice(1));
        if (hop < 5) {
          response.writeHead(302, { location: `/${hop + 1}` });
          response.end();
          return;
        }
        response.end(PNG_BYTES);
      });
      const result = await fetcher({ allowPrivateHosts: true }).fetch(`${first.origin}/0`, signal());
      expect(result.redirects).toBe(5);
      expect(result.bytes.equals(PNG_BYTES)).toBe(true);
      const error = await failure(
        fetcher({ allowPrivateHosts: true, maxRedirects: 4 }).fetch(`${first.origin}/0`, signal()),
      );
      expect(error.message).toContain('more than 4 times');
    });
  });

  describe('limits', () => {
    it('fetches an allowed host and ignores the Content-Type (bytes are sniffed later)', async () => {
      const result = await fetcher({ allowPrivateHosts: true }).fetch(`${first.origin}/a.png`, signal());
      expect(result.bytes.equals(PNG_BYTES)).toBe(true);
    });

    it('cuts an endless fast body at the size cap (Content-Length not sent)', async () => {
      first.setHandler((_request, response) => {
        response.writeHead(200);
        const chunk = Buffer.alloc(16 * 1024, 1);
        const pump = () => {
          while (response.write(chunk));
          if (!response.destroyed) response.once('drain', pump);
        };
        pump();
      });
      const started = Date.now();
      const error = await failure(
        fetcher({ allowPrivateHosts: true }).fetch(`${first.origin}/endless`, signal()),
      );
      expect(error.code).toBe('image_too_large');
      expect(Date.now() - started).toBeLessThan(1_500);
      await waitFor(() => first.closedEarly === 1);
    });

    it('refuses a declared Content-Length over the cap before reading the body', async () => {
      first.setHandler((_request, response) => {
        response.writeHead(200, { 'content-length': String(10 * 1024 * 1024) });
        response.write(PNG_BYTES);
      });
      const error = await failure(
        fetcher({ allowPrivateHosts: true }).fetch(`${first.origin}/big`, signal()),
      );
      expect(error.code).toBe('image_too_large');
    });

    it('cuts a slow endless body at the time limit', async () => {
      first.setHandler((_request, response) => {
        response.writeHead(200, { 'content-type': 'image/png' });
        const timer = setInterval(() => response.write(Buffer.from([0])), 20);
        response.on('close', () => clearInterval(timer));
      });
      const started = Date.now();
      const error = await failure(
        fetcher({ allowPrivateHosts: true, timeoutMs: 300 }).fetch(`${first.origin}/slow`, signal()),
      );
      expect(error.code).toBe('image_fetch_timeout');
      expect(Date.now() - started).toBeGreaterThanOrEqual(280);
      expect(Date.now() - started).toBeLessThan(1_500);
      await waitFor(() => first.closedEarly === 1);
    });

    it("aborts with the request's signal", async () => {
      first.setHandler(() => undefined); // never answers
      const controller = new AbortController();
      const pending = fetcher({ allowPrivateHosts: true, timeoutMs: 5_000 }).fetch(
        `${first.origin}/hang`,
        controller.signal,
      );
      setTimeout(() => controller.abort(), 50);
      const error = await failure(pending);
      expect(error.code).toBe('image_fetch_failed');
      expect(controller.signal.aborted).toBe(true);
    });

    it('reports a non-2xx status', async () => {
      first.setHandler((_request, response) => {
        response.writeHead(404);
        response.end('nope');
      });
      const error = await failure(
        fetcher({ allowPrivateHosts: true }).fetch(`${first.origin}/missing`, signal()),
      );
      expect(error.message).toContain('HTTP 404');
    });
  });

  describe('host lists and redaction', () => {
    it('refuses a host that is not on the allow list, and fetches one that is', async () => {
      const guarded = fetcher({ allowPrivateHosts: true, allowedHosts: ['images.example', '127.0.0.1'] });
      first.setHandler((_request, response) => response.end(PNG_BYTES));
      await expect(guarded.fetch(`${first.origin}/ok`, signal())).resolves.toMatchObject({ redirects: 0 });
      const error = await failure(guarded.fetch(`${second.origin}/no`, signal()));
      expect(error.message).toContain('allow list');
      expect(second.connections).toBe(0);
    });

    it('keeps signed-URL query strings out of error messages', async () => {
      first.setHandler((_request, response) => {
        response.writeHead(403);
        response.end();
      });
      const error = await failure(
        fetcher({ allowPrivateHosts: true }).fetch(
          `${first.origin}/img.png?X-Amz-Signature=topsecret&X-Amz-Credential=AKIA123`,
          signal(),
        ),
      );
      expect(error.message).toContain('/img.png?<redacted>');
      expect(error.message).not.toMatch(/topsecret|AKIA123/);
    });

    it('resolves DNS once per connection and pins the connection to the checked address', async () => {
      let calls = 0;
      // A rebinding resolver: public (treated so) first, private afterwards. Only the first answer is used.
      const resolve = async (): Promise<LookupAddress[]> => [
        { address: calls++ === 0 ? '127.0.0.1' : '127.0.0.2', family: 4 },
      ];
      first.setHandler((_request, response) => response.end(PNG_BYTES));
      const result = await fetcher(
        {},
        { resolve, treatAsPublic: (address) => address === '127.0.0.1' },
      ).fetch(`http://rebind.example:${first.port}/a.png`, signal());
      expect(result.bytes.equals(PNG_BYTES)).toBe(true);
      expect(calls).toBe(1);
      expect(first.connections).toBe(1);
      expect(second.connections).toBe(0);
    });
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 1_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
