import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** A real HTTP listener on a loopback address that counts TCP connections: zero proves a refusal never connected. */
export interface LoopbackListener {
  host: string;
  port: number;
  /** `http://host:port` (IPv6 hosts bracketed). */
  origin: string;
  connections: number;
  requests: string[];
  /** Sockets the server saw closed by the client while a response was still being written. */
  closedEarly: number;
  setHandler(handler: (request: IncomingMessage, response: ServerResponse) => void): void;
  close(): Promise<void>;
}

export async function startLoopbackListener(
  host: string,
  handler: (request: IncomingMessage, response: ServerResponse) => void = (_request, response) => response.end('ok'),
): Promise<LoopbackListener> {
  let current = handler;
  const sockets = new Set<Socket>();
  const server: Server = createServer((request, response) => {
    listener.requests.push(request.url ?? '');
    response.on('close', () => {
      if (!response.writableFinished) listener.closedEarly++;
    });
    current(request, response);
  });
  server.on('connection', (socket: Socket) => {
    listener.connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const listener: LoopbackListener = {
    host,
    port,
    origin: host.includes(':') ? `http://[${host}]:${port}` : `http://${host}:${port}`,
    connections: 0,
    requests: [],
    closedEarly: 0,
    setHandler: (next) => {
      current = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  return listener;
}
