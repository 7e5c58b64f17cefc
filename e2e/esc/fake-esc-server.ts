/**
 * A local Pulumi ESC service for tests, faithful to the parts of the API Manifold uses: token auth,
 * environment definitions with revisions and ETags, `fn::secret` (plaintext in, ciphertext out of a
 * definition read), opening with imports and `${path}` interpolation, values as nested `Value`s with
 * `secret` flags, listing, and injected 404/409/429/500 answers.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse, stringify } from 'yaml';

/** A running fake ESC service. */
export interface FakeEsc {
  /** API URL to configure, e.g. http://127.0.0.1:PORT (the SDK appends /api/esc). */
  readonly url: string;
  readonly token: string;
  /** Every request: method, path and whether the token was right. */
  readonly requests: { method: string; path: string; authorized: boolean; etag?: string }[];
  /** Sets an environment's definition (a new revision). */
  define(name: string, yaml: string): void;
  /** The current definition YAML of `org/project/env` as stored (secrets in plaintext). */
  definition(name: string): string | undefined;
  /** Answers the next `method` request to a path containing `part` with `status` (once). */
  failNext(method: string, part: string, status: number, headers?: Record<string, string>): void;
  stop(): Promise<void>;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const CIPHER_PREFIX = 'fake-cipher:';

/** Starts the service on 127.0.0.1 for organization `org`. */
export async function startFakeEsc(org = 'acme', token = 'pul-test-token-0123456789'): Promise<FakeEsc> {
  const environments = new Map<string, string[]>();
  const opened = new Map<string, { name: string; revision: number }>();
  const failures: { method: string; part: string; status: number; headers: Record<string, string> }[] = [];
  const requests: FakeEsc['requests'] = [];
  let sessions = 0;

  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://esc');
    const path = url.pathname.replace(/\/{2,}/g, '/');
    const authorized = request.headers.authorization === `token ${token}`;
    const etagHeader = request.headers.etag;
    requests.push({ method: request.method ?? '', path, authorized, ...(typeof etagHeader === 'string' ? { etag: etagHeader } : {}) });
    const failure = failures.findIndex((entry) => entry.method === request.method && path.includes(entry.part));
    if (failure >= 0) {
      const [entry] = failures.splice(failure, 1);
      return json(
        response,
        entry?.status ?? 500,
        { code: entry?.status, message: 'injected failure' },
        { 'X-Pulumi-Request-ID': 'req-fake-1', ...entry?.headers },
      );
    }
    if (!authorized) return json(response, 401, { code: 401, message: 'Unauthorized: No credentials provided or are invalid.' });
    let body = '';
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    request.on('end', () => route(request, response, path, body));
  });

  function route(request: IncomingMessage, response: ServerResponse, path: string, body: string) {
    const list = new RegExp(`^/api/esc/environments/${org}$`).exec(path);
    if (list && request.method === 'GET') {
      const names = [...environments.keys()].map((name) => ({ organization: org, project: name.split('/')[1], name: name.split('/')[2] }));
      return json(response, 200, { environments: names, nextToken: '' });
    }
    const match = new RegExp(`^/api/esc/environments/(${org}/[^/]+/[^/]+)(?:/(open)(?:/([^/]+))?)?$`).exec(path);
    if (!match) return json(response, 404, { code: 404, message: 'Not found' });
    const [, name = '', open, session] = match;
    const revisions = environments.get(name);
    if (!revisions) return json(response, 404, { code: 404, message: `Environment '${name}' not found` });
    const revision = revisions.length;
    const current = revisions[revision - 1] ?? '';
    if (!open && request.method === 'GET') {
      response.writeHead(200, { 'Content-Type': 'application/x-yaml', ETag: `"${name}@${revision}"`, 'Pulumi-ESC-Revision': String(revision) });
      return void response.end(encryptSecrets(current));
    }
    if (!open && request.method === 'PATCH') {
      const etag = request.headers.etag;
      if (typeof etag === 'string' && etag !== `"${name}@${revision}"`)
        return json(response, 409, { code: 409, message: 'Conflict: environment was modified' });
      try {
        parse(body);
      } catch (error) {
        return json(response, 400, { diagnostics: [{ summary: (error as Error).message.split('\n')[0] }] });
      }
      revisions.push(body);
      response.setHeader('Pulumi-ESC-Revision', String(revisions.length));
      return json(response, 200, {});
    }
    if (open && !session && request.method === 'POST') {
      try {
        evaluate(name, new Set());
      } catch (error) {
        return json(response, 400, { diagnostics: [{ summary: (error as Error).message }] });
      }
      const id = String(++sessions);
      opened.set(id, { name, revision });
      return json(response, 200, { id });
    }
    if (open && session && request.method === 'GET') {
      const entry = opened.get(session);
      if (!entry || entry.name !== name) return json(response, 404, { code: 404, message: 'open session not found' });
      const { values, secrets } = evaluate(name, new Set());
      return json(response, 200, { properties: wrapProperties(values, secrets, name) });
    }
    return json(response, 405, { code: 405, message: 'Method not allowed' });
  }

  /** An environment's values after imports and interpolation, and the paths that are secret. */
  function evaluate(name: string, seen: Set<string>): { values: Record<string, Json>; secrets: Set<string> } {
    if (seen.has(name)) throw new Error(`cyclic import of ${name}`);
    const definition = (parse(environments.get(name)?.at(-1) ?? '') ?? {}) as { imports?: string[]; values?: Record<string, Json> };
    let merged: Record<string, Json> = {};
    const secrets = new Set<string>();
    for (const imported of definition.imports ?? []) {
      const full = `${org}/${imported}`;
      if (!environments.has(full)) throw new Error(`unknown environment "${imported}"`);
      const result = evaluate(full, new Set([...seen, name]));
      merged = deepMerge(merged, result.values);
      for (const path of result.secrets) secrets.add(path);
    }
    const own = unwrapSecrets(definition.values ?? {}, '', secrets) as Record<string, Json>;
    merged = deepMerge(merged, own);
    return { values: interpolate(merged, merged) as Record<string, Json>, secrets };
  }

  const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
  return {
    url: `http://127.0.0.1:${port}`,
    token,
    requests,
    define: (name, yaml) => environments.set(name, [...(environments.get(name) ?? []), yaml]),
    definition: (name) => environments.get(name)?.at(-1),
    failNext: (method, part, status, headers = {}) => failures.push({ method, part, status, headers }),
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function json(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  response.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
}

/** `fn::secret: plaintext` becomes its value, and the path is remembered as secret. */
function unwrapSecrets(value: Json, path: string, secrets: Set<string>): Json {
  if (Array.isArray(value)) return value.map((item, index) => unwrapSecrets(item, `${path}[${index}]`, secrets));
  if (value && typeof value === 'object') {
    if ('fn::secret' in value) {
      secrets.add(path);
      const secret = value['fn::secret'];
      return secret && typeof secret === 'object' && !Array.isArray(secret) && typeof secret.ciphertext === 'string'
        ? decrypt(secret.ciphertext)
        : (secret ?? null);
    }
    return Object.fromEntries(Object.entries(value).map(([key, child]) => [key, unwrapSecrets(child, path ? `${path}.${key}` : key, secrets)]));
  }
  return value;
}

function interpolate(value: Json, root: Record<string, Json>): Json {
  if (typeof value === 'string') {
    return value.replace(/\$\{([A-Za-z0-9_.]+)\}/g, (_, path: string) => {
      const found = path
        .split('.')
        .reduce<Json | undefined>((node, key) => (node && typeof node === 'object' && !Array.isArray(node) ? node[key] : undefined), root);
      if (found === undefined || (found !== null && typeof found === 'object')) throw new Error(`unknown property "${path}"`);
      return String(found);
    });
  }
  if (Array.isArray(value)) return value.map((item) => interpolate(item, root));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, child]) => [key, interpolate(child, root)]));
  return value;
}

function deepMerge(base: Record<string, Json>, over: Record<string, Json>): Record<string, Json> {
  const result: Record<string, Json> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const existing = result[key];
    result[key] =
      existing && value && typeof existing === 'object' && typeof value === 'object' && !Array.isArray(existing) && !Array.isArray(value)
        ? deepMerge(existing, value)
        : value;
  }
  return result;
}

/** Every level as a `Value`; secret paths (and everything below them) flagged; null has no `value` key. */
function wrapProperties(values: Record<string, Json>, secrets: Set<string>, name: string): Record<string, unknown> {
  const environment = name.split('/').slice(1).join('/');
  const wrap = (value: Json, path: string, secret: boolean): unknown => {
    const isSecret = secret || secrets.has(path);
    const trace = { def: { environment, begin: { line: 1, column: 1, byte: 0 }, end: { line: 1, column: 1, byte: 0 } } };
    const flags = isSecret ? { secret: true } : {};
    if (value === null) return { ...flags, trace };
    if (Array.isArray(value)) return { value: value.map((item, index) => wrap(item, `${path}[${index}]`, isSecret)), ...flags, trace };
    if (typeof value === 'object')
      return {
        value: Object.fromEntries(Object.entries(value).map(([key, child]) => [key, wrap(child, path ? `${path}.${key}` : key, isSecret)])),
        ...flags,
        trace,
      };
    return { value, ...flags, trace };
  };
  return Object.fromEntries(Object.entries(values).map(([key, value]) => [key, wrap(value, key, false)]));
}

function encrypt(plaintext: Json): string {
  return `${CIPHER_PREFIX}${Buffer.from(JSON.stringify(plaintext)).toString('base64')}`;
}

function decrypt(ciphertext: string): Json {
  return JSON.parse(Buffer.from(ciphertext.slice(CIPHER_PREFIX.length), 'base64').toString('utf8')) as Json;
}

/** A definition as the service returns it: every `fn::secret` plaintext as `{ciphertext}`. */
function encryptSecrets(yaml: string): string {
  const replace = (value: Json): Json => {
    if (Array.isArray(value)) return value.map(replace);
    if (value && typeof value === 'object') {
      if ('fn::secret' in value && !(value['fn::secret'] && typeof value['fn::secret'] === 'object'))
        return { 'fn::secret': { ciphertext: encrypt(value['fn::secret'] ?? null) } };
      return Object.fromEntries(Object.entries(value).map(([key, child]) => [key, replace(child)]));
    }
    return value;
  };
  // Keep the text (comments) when there is no secret; otherwise the service re-renders it.
  return yaml.includes('fn::secret') ? stringify(replace(parse(yaml) as Json)) : yaml;
}
