/** A loopback server that answers manifest requests the way a misbehaving registry might. */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Decides the answer to the n-th request (0-based). */
export type FaultHandler = (request: IncomingMessage, response: ServerResponse, attempt: number) => void;

/** A running fault server. */
export interface FaultRegistry {
  readonly host: string;
  /** Requests seen so far, with their Authorization header kept only as a yes/no. */
  readonly requests: { method: string; url: string; authorized: boolean }[];
  stop(): Promise<void>;
}

/** Starts a server on 127.0.0.1 that answers with `handler`. */
export async function startFaultRegistry(handler: FaultHandler): Promise<FaultRegistry> {
  const requests: FaultRegistry['requests'] = [];
  const server = createServer((request, response) => {
    requests.push({ method: request.method ?? '', url: request.url ?? '', authorized: Boolean(request.headers.authorization) });
    handler(request, response, requests.length - 1);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    requests,
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
