/**
 * A small OCI distribution client: resolves a tag to the digest a registry serves for it (HEAD with
 * every manifest type, GET + sha256 as fallback), with the Bearer/Basic handshake, retries with
 * backoff on 429 and 5xx (honouring Retry-After), timeouts, and errors that never show a secret.
 */
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ImageRef } from '@manifold/constructs';
import { parseAuthChallenges } from './auth-challenge.ts';
import type { CredentialLookup, RegistryCredentials } from './registry-credentials.ts';
import { type RegistryReference, registryBaseUrl, toRegistryReference } from './registry-reference.ts';

/** Every manifest type: a registry only serves an OCI index or manifest to a client that accepts it. */
const MANIFEST_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

const DIGEST = /^sha256:[a-f0-9]{64}$/;

/** A registry answered, or failed to answer, in a way that stops the command; safe to print. */
export class RegistryError extends Error {
  constructor(
    message: string,
    /** What the user can do about it. */
    readonly hint: string,
    /** The HTTP status, when there was one. */
    readonly status?: number,
  ) {
    super(message);
    this.name = 'RegistryError';
  }
}

/** Options of {@link RegistryClient}. */
export interface RegistryClientOptions {
  /** Registries reached over plain HTTP (loopback test registries). @default none */
  readonly insecureRegistries?: readonly string[];
  /** Credentials per registry host. @default none (anonymous) */
  readonly credentials?: CredentialLookup;
  /** Time allowed for one request. @default 15 s */
  readonly timeoutMs?: number;
  /** Attempts after the first for 429, 5xx, timeouts and network errors. @default 4 */
  readonly retries?: number;
  /** First backoff delay, doubled each attempt, when the registry gives no Retry-After. @default 500 ms */
  readonly backoffMs?: number;
  /** Longest wait honoured from a Retry-After header. @default 60 s */
  readonly maxRetryAfterMs?: number;
  /** Called with a short line before each request and retry. */
  readonly onProgress?: (message: string) => void;
}

interface CachedToken {
  readonly token: string;
  readonly expiresAt: number;
}

/** Resolves and verifies image digests against real registries. */
export class RegistryClient {
  private readonly insecure: ReadonlySet<string>;
  private readonly tokens = new Map<string, CachedToken>();

  constructor(private readonly options: RegistryClientOptions = {}) {
    this.insecure = new Set(options.insecureRegistries ?? []);
  }

  /** The digest the registry serves for `ref`'s tag (the index digest for multi-arch images). */
  async resolveDigest(ref: ImageRef): Promise<string> {
    const target = toRegistryReference(ref);
    return this.manifestDigest(target, target.tag, ref.value);
  }

  /** Checks that the registry has `ref`'s digest; resolves to it. */
  async verifyDigest(ref: ImageRef): Promise<string> {
    if (!ref.digest) throw new Error(`${ref.value} has no digest to verify`);
    const digest = await this.manifestDigest(toRegistryReference(ref), ref.digest, ref.value);
    if (digest !== ref.digest) {
      throw new RegistryError(`${ref.value}: the registry answered with digest ${digest}`, 'check the registry; it does not serve the pinned content');
    }
    return digest;
  }

  private async manifestDigest(target: RegistryReference, reference: string, shown: string): Promise<string> {
    const url = `${registryBaseUrl(target.registry, this.insecure)}/v2/${target.repository}/manifests/${reference}`;
    this.options.onProgress?.(`resolving ${shown}`);
    const head = await this.request('HEAD', url, target, shown);
    const header = head.headers.get('docker-content-digest');
    if (header !== null) {
      if (!DIGEST.test(header))
        throw new RegistryError(`${shown}: the registry sent a malformed digest`, 'check that the address is an OCI registry', head.status);
      return header;
    }
    // No digest header: hash the exact manifest bytes (never re-serialised).
    const get = await this.request('GET', url, target, shown);
    const body = Buffer.from(await get.arrayBuffer());
    const digest = `sha256:${createHash('sha256').update(body).digest('hex')}`;
    const claimed = get.headers.get('docker-content-digest');
    if (claimed !== null && claimed !== digest) {
      throw new RegistryError(
        `${shown}: the manifest does not match its Docker-Content-Digest`,
        'the registry or a proxy changed the manifest; try again later',
        get.status,
      );
    }
    try {
      const manifest = JSON.parse(body.toString('utf8')) as { schemaVersion?: unknown };
      if (typeof manifest.schemaVersion !== 'number') throw new Error('no schemaVersion');
    } catch {
      throw new RegistryError(`${shown}: the registry answered with something that is not a manifest`, 'check that the address is an OCI registry', get.status);
    }
    return digest;
  }

  /** One manifest request, with authentication, redirects and retries. Resolves only to 2xx answers. */
  private async request(method: 'HEAD' | 'GET', url: string, target: RegistryReference, shown: string): Promise<Response> {
    const retries = this.options.retries ?? 4;
    let authorization = this.cachedAuthorization(target);
    let authenticated = false;
    for (let attempt = 0; ; attempt++) {
      let response: Response;
      try {
        response = await this.fetchFollowingRedirects(method, url, authorization);
      } catch (error) {
        // An unknown host will not appear by waiting; other network failures may pass.
        const unknownHost = (error as { cause?: { code?: string } }).cause?.code === 'ENOTFOUND';
        if (attempt >= retries || unknownHost) {
          const timedOut = (error as Error).name === 'TimeoutError';
          throw new RegistryError(
            `${shown}: ${timedOut ? `no answer from ${target.registry} within ${(this.options.timeoutMs ?? 15_000) / 1000} s` : `cannot reach ${target.registry} (${(error as Error).message})`}`,
            'check the registry address and your network, then try again',
          );
        }
        await this.backoff(attempt, undefined, shown, 'no answer');
        continue;
      }
      if (response.ok) return response;
      if (response.status === 401 && !authenticated) {
        authorization = await this.authenticate(response, target, shown);
        authenticated = true;
        continue;
      }
      if ((response.status === 429 || response.status >= 500) && attempt < retries) {
        await this.backoff(attempt, response.headers.get('retry-after'), shown, String(response.status));
        continue;
      }
      throw await this.failure(response, target, shown, method);
    }
  }

  private async fetchFollowingRedirects(method: string, url: string, authorization: string | undefined): Promise<Response> {
    let current = url;
    for (let hop = 0; hop < 5; hop++) {
      const sameOrigin = new URL(current).origin === new URL(url).origin;
      const headers: Record<string, string> = { Accept: MANIFEST_TYPES };
      // fetch would drop Authorization across origins anyway; never send it to a redirect target.
      if (authorization && sameOrigin) headers.Authorization = authorization;
      const response = await fetch(current, { method, headers, redirect: 'manual', signal: AbortSignal.timeout(this.options.timeoutMs ?? 15_000) });
      const location = response.headers.get('location');
      if (response.status >= 300 && response.status < 400 && location) {
        current = new URL(location, current).toString();
        continue;
      }
      return response;
    }
    throw new RegistryError(`too many redirects from ${new URL(url).host}`, 'check the registry address');
  }

  private cachedAuthorization(target: RegistryReference): string | undefined {
    const cached = this.tokens.get(`${target.registry}/${target.repository}`);
    return cached && cached.expiresAt > Date.now() ? `Bearer ${cached.token}` : undefined;
  }

  /** Answers a 401: a Bearer token from the realm, or Basic credentials. */
  private async authenticate(response: Response, target: RegistryReference, shown: string): Promise<string> {
    const challenges = parseAuthChallenges(response.headers.get('www-authenticate'));
    const credentials = this.options.credentials?.(target.registry);
    const bearer = challenges.find((challenge) => challenge.scheme === 'bearer');
    if (bearer?.params.realm) return `Bearer ${await this.fetchToken(bearer.params, target, credentials, shown)}`;
    if (challenges.some((challenge) => challenge.scheme === 'basic') && credentials) {
      return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
    }
    throw new RegistryError(
      `${shown}: ${target.registry} requires authentication`,
      `configure credentials: docker login ${target.registry}, or MANIFOLD_REGISTRY_AUTH_${target.registry.toUpperCase().replace(/[^A-Z0-9]/g, '_')}=<user>:<password>`,
      401,
    );
  }

  private async fetchToken(
    params: Readonly<Record<string, string>>,
    target: RegistryReference,
    credentials: RegistryCredentials | undefined,
    shown: string,
  ): Promise<string> {
    const realm = new URL(params.realm ?? '');
    if (params.service) realm.searchParams.set('service', params.service);
    realm.searchParams.set('scope', params.scope ?? `repository:${target.repository}:pull`);
    const headers: Record<string, string> = {};
    if (credentials) headers.Authorization = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
    let response: Response;
    try {
      response = await fetch(realm, { headers, signal: AbortSignal.timeout(this.options.timeoutMs ?? 15_000) });
    } catch (error) {
      throw new RegistryError(`${shown}: cannot reach the token service ${realm.host} (${(error as Error).name})`, 'check your network, then try again');
    }
    if (response.status === 401 || response.status === 403) {
      throw new RegistryError(
        `${shown}: the token service of ${target.registry} refused ${credentials ? 'the configured credentials' : 'anonymous access'}`,
        credentials ? 'check the user name and password or token for this registry' : `the image may be private: configure credentials for ${target.registry}`,
        response.status,
      );
    }
    let body: { token?: unknown; access_token?: unknown; expires_in?: unknown };
    try {
      body = (await response.json()) as typeof body;
    } catch {
      throw new RegistryError(`${shown}: the token service answered with something that is not JSON`, 'check the registry address', response.status);
    }
    const token = typeof body.token === 'string' ? body.token : typeof body.access_token === 'string' ? body.access_token : undefined;
    if (!response.ok || !token)
      throw new RegistryError(
        `${shown}: the token service gave no token (HTTP ${response.status})`,
        'check the registry address and credentials',
        response.status,
      );
    const seconds = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : 60;
    this.tokens.set(`${target.registry}/${target.repository}`, { token, expiresAt: Date.now() + (seconds - 5) * 1000 });
    return token;
  }

  private async backoff(attempt: number, retryAfter: string | null | undefined, shown: string, reason: string): Promise<void> {
    const base = this.options.backoffMs ?? 500;
    let delay = base * 2 ** attempt;
    if (retryAfter) {
      const seconds = Number(retryAfter);
      const fromHeader = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(retryAfter) - Date.now();
      if (Number.isFinite(fromHeader) && fromHeader >= 0) delay = Math.min(fromHeader, this.options.maxRetryAfterMs ?? 60_000);
    }
    this.options.onProgress?.(`retrying ${shown} in ${(delay / 1000).toFixed(1)} s (${reason})`);
    await sleep(delay);
  }

  private async failure(response: Response, target: RegistryReference, shown: string, method: string): Promise<RegistryError> {
    const code = method === 'GET' ? await errorCode(response) : undefined;
    const status = response.status;
    if (status === 404) {
      const what = code === 'NAME_UNKNOWN' ? `repository ${target.repository} does not exist on ${target.registry}` : `${shown} is not in the registry`;
      return new RegistryError(what, 'check the repository, tag and digest; push the image first', status);
    }
    if (status === 401) {
      const scope = /insufficient_scope/.test(response.headers.get('www-authenticate') ?? '');
      return new RegistryError(
        `${shown}: ${scope ? 'the token does not grant pull access' : 'not authorised'}`,
        `check the credentials for ${target.registry}`,
        status,
      );
    }
    if (status === 403)
      return new RegistryError(
        `${shown}: access denied by ${target.registry}`,
        `check that the credentials for ${target.registry} may pull this image`,
        status,
      );
    if (status === 429) {
      const remaining = response.headers.get('ratelimit-remaining');
      return new RegistryError(
        `${shown}: ${target.registry} rate limit reached${remaining ? ` (ratelimit-remaining: ${remaining})` : ''}`,
        'wait and try again, or authenticate for a higher limit',
        status,
      );
    }
    const requestId = response.headers.get('x-request-id') ?? response.headers.get('x-pulumi-request-id');
    return new RegistryError(`${shown}: ${target.registry} answered HTTP ${status}${requestId ? ` (request ${requestId})` : ''}`, 'try again later', status);
  }
}

async function errorCode(response: Response): Promise<string | undefined> {
  try {
    const body = (await response.json()) as { errors?: { code?: string }[] };
    return body.errors?.[0]?.code;
  } catch {
    return undefined;
  }
}
