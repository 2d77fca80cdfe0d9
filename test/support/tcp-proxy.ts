import { createConnection, createServer, Server, Socket } from 'node:net';

/**
 * A TCP proxy between the application and a real PostgreSQL or Redis, so a test can make the
 * dependency go down (close the proxy, dropping every connection), hang (stall: connections stay
 * open but nothing flows) and come back (a new proxy listening on the same port).
 */
export class TcpProxy {
  private stalled = false;

  private constructor(
    private readonly server: Server,
    private readonly sockets: Set<Socket>,
    readonly port: number,
  ) {}

  /** Listens on 127.0.0.1 (on `port`, or any free port) and forwards every connection to `target`. */
  static async start(target: { host: string; port: number }, port = 0): Promise<TcpProxy> {
    const sockets = new Set<Socket>();
    const track = (socket: Socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    };
    let proxy: TcpProxy | undefined;
    const server = createServer((client) => {
      track(client);
      client.on('error', () => client.destroy());
      // A stalled proxy accepts connections and never answers, like a hung server.
      if (proxy?.stalled) return;
      const upstream = createConnection({ host: target.host, port: target.port });
      track(upstream);
      upstream.on('error', () => client.destroy());
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
      client.pipe(upstream);
      upstream.pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    proxy = new TcpProxy(server, sockets, (server.address() as { port: number }).port);
    return proxy;
  }

  /** Proxies to the host and port of `url` (PostgreSQL or Redis). */
  static forUrl(url: string, port = 0): Promise<TcpProxy> {
    const parsed = new URL(url);
    const defaultPort = parsed.protocol.startsWith('redis') ? 6379 : 5432;
    return TcpProxy.start({ host: parsed.hostname, port: Number(parsed.port || defaultPort) }, port);
  }

  /** `url` with its host and port pointing at this proxy. */
  urlFor(url: string): string {
    const parsed = new URL(url);
    parsed.hostname = '127.0.0.1';
    parsed.port = String(this.port);
    return parsed.toString();
  }

  /** Keeps every connection open but lets nothing through, in either direction, on old or new connections. */
  stall(): void {
    this.stalled = true;
    for (const socket of this.sockets) {
      socket.unpipe();
      socket.pause();
    }
  }

  /** Stops listening and destroys every open connection, as if the service had died. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    await closed;
  }
}
