import { createServer, connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A TCP proxy on loopback between clients and a server, which can cut connections the way a
 * flaky network does: both sides see the socket die mid-stream, with frames in flight lost.
 */
export class FlakyProxy {
  readonly #pairs = new Set<[Socket, Socket]>();
  readonly #server = createServer((client) => {
    const upstream = connect(this.targetPort, '127.0.0.1');
    const pair: [Socket, Socket] = [client, upstream];
    this.#pairs.add(pair);
    const drop = () => {
      this.#pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  cuts = 0;

  private constructor(private readonly targetPort: number) {}

  static async start(targetPort: number): Promise<FlakyProxy> {
    const proxy = new FlakyProxy(targetPort);
    await new Promise<void>((done) => proxy.#server.listen(0, '127.0.0.1', done));
    return proxy;
  }

  get port(): number {
    return (this.#server.address() as AddressInfo).port;
  }

  get openConnections(): number {
    return this.#pairs.size;
  }

  /** Cuts one connection picked by `pick` (0 ≤ pick < 1), if any is open. */
  cutOne(pick: number): void {
    const pairs = [...this.#pairs];
    const pair = pairs[Math.floor(pick * pairs.length)];
    if (pair === undefined) return;
    this.cuts++;
    pair[0].destroy();
    pair[1].destroy();
  }

  async stop(): Promise<void> {
    for (const [a, b] of this.#pairs) {
      a.destroy();
      b.destroy();
    }
    await new Promise<void>((done) => this.#server.close(() => done()));
  }
}
