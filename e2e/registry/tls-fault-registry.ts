/** A loopback HTTPS server with a certificate made for it, for tests of what a client does over TLS. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A running HTTPS server and the certificate a client must trust (NODE_EXTRA_CA_CERTS). */
export interface TlsFaultRegistry {
  readonly host: string;
  readonly certificate: string;
  /** Requests seen, with their Authorization header kept only as a yes/no. */
  readonly requests: { url: string; authorized: boolean }[];
  stop(): Promise<void>;
}

/** Starts an HTTPS server on 127.0.0.1 that answers with `handler`. */
export async function startTlsFaultRegistry(handler: (request: IncomingMessage, response: ServerResponse) => void): Promise<TlsFaultRegistry> {
  const dir = mkdtempSync(join(tmpdir(), 'manifold-tls-'));
  const key = join(dir, 'key.pem');
  const certificate = join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      key,
      '-out',
      certificate,
      '-days',
      '2',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { stdio: 'pipe' },
  );
  const requests: TlsFaultRegistry['requests'] = [];
  const server = createServer({ key: readFileSync(key), cert: readFileSync(certificate) }, (request, response) => {
    requests.push({ url: request.url ?? '', authorized: Boolean(request.headers.authorization) });
    handler(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    certificate,
    requests,
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
