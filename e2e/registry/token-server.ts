/** A minimal registry token service: RS256 JWTs that docker-registry's token auth accepts. */
import { execFileSync } from 'node:child_process';
import { createPrivateKey, createSign, randomUUID, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

/** A running token service. */
export interface TokenServer {
  readonly url: string;
  /** Path of the certificate the registry trusts. */
  readonly certificate: string;
  /** How many tokens it issued. */
  issued(): number;
  stop(): Promise<void>;
}

const base64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

/** Starts the service on 127.0.0.1 with a fresh self-signed key pair in `dir`; it grants pull and push to `user`. */
export async function startTokenServer(dir: string, user: { username: string; password: string }): Promise<TokenServer> {
  const key = join(dir, 'token.key');
  const certificate = join(dir, 'token.crt');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', certificate, '-days', '2', '-subj', '/CN=test'], {
    stdio: 'pipe',
  });
  const privateKey = createPrivateKey(readFileSync(key));
  const der = new X509Certificate(readFileSync(certificate)).raw.toString('base64');
  let issued = 0;
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const expected = `Basic ${Buffer.from(`${user.username}:${user.password}`).toString('base64')}`;
    if (request.headers.authorization !== expected) {
      response.writeHead(401, { 'Content-Type': 'application/json' }).end('{"details":"bad credentials"}');
      return;
    }
    const [, name = '', actions = ''] = (url.searchParams.get('scope') ?? '').split(':');
    const now = Math.floor(Date.now() / 1000);
    const header = base64url(JSON.stringify({ typ: 'JWT', alg: 'RS256', x5c: [der] }));
    const claims = base64url(
      JSON.stringify({
        iss: 'test-issuer',
        aud: url.searchParams.get('service'),
        sub: user.username,
        exp: now + 300,
        nbf: now - 10,
        iat: now,
        jti: randomUUID(),
        access: [{ type: 'repository', name, actions: actions.split(',').filter(Boolean) }],
      }),
    );
    const signature = createSign('RSA-SHA256').update(`${header}.${claims}`).sign(privateKey);
    const token = `${header}.${claims}.${base64url(signature)}`;
    issued++;
    response
      .writeHead(200, { 'Content-Type': 'application/json' })
      .end(JSON.stringify({ token, access_token: token, expires_in: 300, issued_at: new Date().toISOString() }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    certificate,
    issued: () => issued,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
