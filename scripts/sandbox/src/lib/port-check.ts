/**
 * Whether a fixed port is free, checked before the sandbox touches its state dir (the HTTPS server itself needs
 * the certificates from there, so it binds later; the window between the two is a few milliseconds).
 */
import net from 'node:net';

export class PortInUseError extends Error {
  readonly code = 'PORT_IN_USE';
}

export function checkPortFree(host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', (e: NodeJS.ErrnoException) =>
      reject(
        e.code === 'EADDRINUSE'
          ? new PortInUseError(
              `port ${port} on ${host} is in use (another sandbox?): stop it or give another --port. Nothing was changed.`,
            )
          : e,
      ),
    );
    probe.listen(port, host, () => probe.close(() => resolve()));
  });
}
