import net from 'node:net';

/**
 * A TCP port free right now on 127.0.0.1, for an engine that must take a known port (a restart
 * on the same one, a second engine on it). An ephemeral port the kernel picks on bind (port 0)
 * is not shareable through SO_REUSEPORT, so tests of sharing need a port chosen in advance.
 */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((r) => server.close(r));
  return port;
}
