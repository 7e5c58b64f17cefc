/**
 * A small OCI distribution client: resolves a tag to the digest a registry serves for it (HEAD with
 * every manifest type, GET + sha256 as fallback), with the Bearer/Basic handshake, retries with
 * backoff on 429 and 5xx (honouring Retry-After), timeouts, and errors that never show a secret.
 */
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { ImageRef } from '@manifold/constructs/core';
import { OperationalError } from '../errors/manifold-error.ts';
import { parseAuthChallenges } from './auth-challenge.ts';
import { type CredentialLookup, credentialVariable, type RegistryCredentials } from './registry-credentials.ts';
import { type RegistryReference, registryBaseUrl, toRegistryReference } from './registry-reference.ts';
import { requestId, serverText } from './server-text.ts';

/** Every manifest type: a registry only serves an OCI index or manifest to a client that accepts it. */
const MANIFEST_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

const DIGEST = /^sha256:[a-f0-9]{64}$/;
/** Largest manifest or index read (Docker Hub's limit is 4 MiB). */
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
/** Largest token or error answer read. */
const MAX_SMALL_BODY_BYTES = 64 * 1024;
/** Token services of well-known registries that live on another origin than the registry. */
const BUILT_IN_TOKEN_REALMS: Readonly<Record<string, string>> = { 'docker.io': 'https://auth.docker.io' };

/** A registry answered, or failed to answer, in a way that stops the command; safe to print. */
export class RegistryError extends OperationalError {
  constructor(
    message: string,
    hint: string,
    /** The HTTP status, when there was one. */
    readonly status?: number,
  ) {
    super(message, hint);
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
  /** Most time all retries of one command may wait in total. @default 120 s */
  readonly maxTotalRetryMs?: number;
  /**
   * Token services trusted with credentials besides the registry's own origin (e.g.
   * `https://auth.example.com`); Docker Hub's is built in. @default none
   */
  readonly trustedTokenRealms?: readonly string[];
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
  private retryWaitedMs = 0;

  constructor(private readonly options: RegistryClientOptions = {}) {
    this.insecure = new Set(options.insecureRegistries ?? []);
  }

  /**
   * The digest the registry serves for `ref`'s tag (the index digest for multi-arch images), always
   * confirmed against the sha256 of the manifest bytes: a HEAD answer alone is never trusted.
   */
  async resolveDigest(ref: ImageRef): Promise<string> {
    const target = toRegistryReference(ref);
    this.options.onProgress?.(`resolving ${ref.value}`);
    const head = await this.request('HEAD', this.manifestUrl(target, target.tag), target, ref.value);
    const claimed = head.headers.get('docker-content-digest');
    if (claimed === null) return this.manifestDigest(target, target.tag, ref.value);
    if (!DIGEST.test(claimed))
      throw new RegistryError(`${ref.value}: the registry sent a malformed digest`, 'check that the address is an OCI registry', head.status);
    const confirmed = await this.manifestDigest(target, claimed, ref.value);
    if (confirmed !== claimed) {
      throw new RegistryError(
        `${ref.value}: the manifest the registry serves does not hash to the digest it claims`,
        'the registry or a proxy is not trustworthy; nothing was pinned',
      );
    }
    return confirmed;
  }

  /**
   * Checks `ref`'s digest: that its tag resolves to exactly that digest, or with `digestOnly`, that
   * the registry holds content with that digest (the tag may have moved since). Resolves to it.
   */
  async verifyDigest(ref: ImageRef, digestOnly = false): Promise<string> {
    if (!ref.digest) throw new Error(`${ref.value} has no digest to verify`);
    if (digestOnly) {
      this.options.onProgress?.(`verifying ${ref.value}`);
      const digest = await this.manifestDigest(toRegistryReference(ref), ref.digest, ref.value);
      if (digest !== ref.digest)
        throw new RegistryError(`${ref.value}: the registry's manifest hashes to ${digest}`, 'the registry does not serve the pinned content');
      return digest;
    }
    const current = await this.resolveDigest(ImageRef.parse(ref.value.slice(0, ref.value.lastIndexOf('@'))));
    if (current !== ref.digest) {
      throw new RegistryError(
        `${ref.value}: tag ${ref.tag} now resolves to ${current}, not to the given digest`,
        'pin the tag alone to take its current digest, or pass --digest-only to pin the given digest as long as the registry has it',
      );
    }
    return current;
  }

  /**
   * The descriptors of the manifests that refer to `digest` in `ref`'s repository (signatures,
   * attestations): the OCI referrers API, else the tag-schema fallback (`sha256-<hex>`, for registries
   * without the API), else none.
   */
  async referrers(ref: ImageRef, digest: string): Promise<Descriptor[]> {
    const target = toRegistryReference(ref);
    const shown = `${target.registry}/${target.repository}@${digest}`;
    this.options.onProgress?.(`looking for signatures of ${shown}`);
    const base = `${registryBaseUrl(target.registry, this.insecure)}/v2/${target.repository}`;
    for (const url of [`${base}/referrers/${digest}`, `${base}/manifests/${digest.replace(':', '-')}`]) {
      let response: Response;
      try {
        response = await this.request('GET', url, target, shown);
      } catch (error) {
        // No referrers API (404, or 400/405 from older registries), or no fallback tag: try the next way, then none.
        if (error instanceof RegistryError && (error.status === 404 || error.status === 400 || error.status === 405)) continue;
        throw error;
      }
      const index = parseJson(await readBody(response, MAX_MANIFEST_BYTES, shown, 'referrers index')) as { manifests?: unknown };
      if (!Array.isArray(index?.manifests))
        throw new RegistryError(`${shown}: the referrers answer is not an OCI index`, 'check that the address is an OCI registry');
      return index.manifests.filter(isDescriptor);
    }
    return [];
  }

  /** The manifest tagged `tag` in `ref`'s repository, parsed; undefined when there is none (cosign's `sha256-<hex>.sig`). */
  async taggedManifest(ref: ImageRef, tag: string): Promise<unknown> {
    const target = toRegistryReference(ref);
    const shown = `${target.registry}/${target.repository}:${tag}`;
    let response: Response;
    try {
      response = await this.request('GET', this.manifestUrl(target, tag), target, shown);
    } catch (error) {
      if (error instanceof RegistryError && error.status === 404) return undefined;
      throw error;
    }
    return parseJson(await readBody(response, MAX_MANIFEST_BYTES, shown, 'manifest'));
  }

  /** The manifest `digest` of `ref`'s repository, parsed, its bytes checked against the digest. */
  async manifest(ref: ImageRef, digest: string): Promise<unknown> {
    const target = toRegistryReference(ref);
    const shown = `${target.registry}/${target.repository}@${digest}`;
    const body = await readBody(await this.request('GET', this.manifestUrl(target, digest), target, shown), MAX_MANIFEST_BYTES, shown, 'manifest');
    checkDigest(body, digest, shown);
    return parseJson(body);
  }

  /** The blob `digest` of `ref`'s repository, at most `limit` bytes, checked against the digest. */
  async blob(ref: ImageRef, digest: string, limit: number): Promise<Buffer> {
    const target = toRegistryReference(ref);
    const shown = `${target.registry}/${target.repository}@${digest}`;
    const url = `${registryBaseUrl(target.registry, this.insecure)}/v2/${target.repository}/blobs/${digest}`;
    const body = await readBody(await this.request('GET', url, target, shown), limit, shown, 'blob');
    checkDigest(body, digest, shown);
    return body;
  }

  private manifestUrl(target: RegistryReference, reference: string): string {
    return `${registryBaseUrl(target.registry, this.insecure)}/v2/${target.repository}/manifests/${reference}`;
  }

  /** GETs the manifest at `reference` and returns the sha256 of its exact bytes (never re-serialised). */
  private async manifestDigest(target: RegistryReference, reference: string, shown: string): Promise<string> {
    const get = await this.request('GET', this.manifestUrl(target, reference), target, shown);
    const body = await readBody(get, MAX_MANIFEST_BYTES, shown, 'manifest');
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
      let answeredBy: string;
      try {
        ({ response, origin: answeredBy } = await this.fetchFollowingRedirects(method, url, authorization, shown));
      } catch (error) {
        if (error instanceof RegistryError) throw error;
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
      // Only the registry itself may ask for credentials; a redirect target's challenge is not followed.
      if (response.status === 401 && !authenticated && answeredBy === new URL(url).origin) {
        authorization = await this.authenticate(response, target, shown);
        authenticated = true;
        continue;
      }
      if ((response.status === 429 || response.status >= 500) && attempt < retries) {
        await this.backoff(attempt, response.headers.get('retry-after'), shown, String(response.status));
        continue;
      }
      throw await this.failure(response, target, shown, method, authorization);
    }
  }

  /** Follows up to five redirects, never from https down to http and never sending credentials to another origin. */
  private async fetchFollowingRedirects(
    method: string,
    url: string,
    authorization: string | undefined,
    shown: string,
  ): Promise<{ response: Response; origin: string }> {
    let current = new URL(url);
    const visited = new Set<string>();
    for (let hop = 0; hop <= 5; hop++) {
      if (visited.has(current.href)) throw new RegistryError(`${shown}: redirect loop at ${current.host}`, 'check the registry address');
      visited.add(current.href);
      const headers: Record<string, string> = { Accept: MANIFEST_TYPES };
      if (authorization && current.origin === new URL(url).origin) headers.Authorization = authorization;
      const response = await fetch(current, { method, headers, redirect: 'manual', signal: AbortSignal.timeout(this.options.timeoutMs ?? 15_000) });
      const location = response.headers.get('location');
      if (response.status >= 300 && response.status < 400 && location) {
        await response.body?.cancel();
        const next = new URL(location, current);
        if (next.protocol !== 'https:' && !(next.protocol === 'http:' && current.protocol === 'http:')) {
          throw new RegistryError(
            `${shown}: ${current.host} redirects to ${next.protocol}//${next.host}, which is not HTTPS`,
            'a registry must not redirect to plain HTTP',
          );
        }
        current = next;
        continue;
      }
      return { response, origin: current.origin };
    }
    throw new RegistryError(`${shown}: too many redirects from ${new URL(url).host}`, 'check the registry address');
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
    if (bearer?.params.realm) {
      const realm = this.tokenRealm(bearer.params.realm, target, shown);
      const trusted = this.trustsRealm(realm, target);
      if (credentials && !trusted) {
        throw new RegistryError(
          `${shown}: ${target.registry} sends clients to the token service ${realm.origin}, which is not its own; the credentials were not sent`,
          `if ${realm.origin} is the registry's real token service, trust it: MANIFOLD_TRUSTED_TOKEN_REALMS=${realm.origin}`,
          401,
        );
      }
      return `Bearer ${await this.fetchToken(realm, bearer.params, target, trusted ? credentials : undefined, shown)}`;
    }
    if (challenges.some((challenge) => challenge.scheme === 'basic') && credentials) {
      return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
    }
    throw new RegistryError(
      `${shown}: ${target.registry} requires authentication`,
      `configure credentials: docker login ${target.registry}, or ${credentialVariable(target.registry)}=<user>:<password>`,
      401,
    );
  }

  /** The realm of a Bearer challenge as a URL, refusing what is not http(s). */
  private tokenRealm(realm: string, target: RegistryReference, shown: string): URL {
    let url: URL;
    try {
      url = new URL(realm);
    } catch {
      throw new RegistryError(`${shown}: ${target.registry} named a token service that is not a URL`, 'check that the address is an OCI registry');
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw new RegistryError(`${shown}: ${target.registry} named a token service that is not HTTP(S)`, 'check that the address is an OCI registry');
    }
    return url;
  }

  /**
   * Credentials go to the registry's own origin (same scheme, host and port), to a built-in token
   * service of a well-known registry, or to one the user trusts; never from HTTPS down to HTTP.
   */
  private trustsRealm(realm: URL, target: RegistryReference): boolean {
    const registry = new URL(registryBaseUrl(target.registry, this.insecure));
    if (registry.protocol === 'https:' && realm.protocol !== 'https:') return false;
    const trusted = [registry.origin, BUILT_IN_TOKEN_REALMS[target.registry], ...(this.options.trustedTokenRealms ?? [])];
    return trusted.includes(realm.origin);
  }

  private async fetchToken(
    realm: URL,
    params: Readonly<Record<string, string>>,
    target: RegistryReference,
    credentials: RegistryCredentials | undefined,
    shown: string,
  ): Promise<string> {
    if (params.service) realm.searchParams.set('service', params.service);
    realm.searchParams.set('scope', params.scope ?? `repository:${target.repository}:pull`);
    const headers: Record<string, string> = {};
    if (credentials) headers.Authorization = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
    let response: Response;
    try {
      response = await fetch(realm, { headers, redirect: 'error', signal: AbortSignal.timeout(this.options.timeoutMs ?? 15_000) });
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
      body = JSON.parse((await readBody(response, MAX_SMALL_BODY_BYTES, shown, 'token answer')).toString('utf8')) as typeof body;
    } catch (error) {
      if (error instanceof RegistryError) throw error;
      throw new RegistryError(`${shown}: the token service answered with something that is not JSON`, 'check the registry address', response.status);
    }
    const token = typeof body?.token === 'string' ? body.token : typeof body?.access_token === 'string' ? body.access_token : undefined;
    if (!response.ok || !token)
      throw new RegistryError(
        `${shown}: the token service gave no token (HTTP ${response.status})`,
        'check the registry address and credentials',
        response.status,
      );
    if (!/^[\x21-\x7e]+$/.test(token))
      throw new RegistryError(`${shown}: the token service gave a malformed token`, 'check the registry address', response.status);
    const seconds = typeof body.expires_in === 'number' && body.expires_in > 0 ? Math.min(body.expires_in, 3600) : 60;
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
    const budget = this.options.maxTotalRetryMs ?? 120_000;
    if (this.retryWaitedMs + delay > budget) {
      throw new RegistryError(
        `${shown}: still failing (${reason}) after retrying for ${Math.round(this.retryWaitedMs / 1000)} s`,
        'the registry is overloaded or down; try again later',
      );
    }
    this.retryWaitedMs += delay;
    this.options.onProgress?.(`retrying ${shown} in ${(delay / 1000).toFixed(1)} s (${reason})`);
    await sleep(delay);
  }

  /** The error for a refused request; nothing the server echoes of `authorization` (the header sent) is printed. */
  private async failure(response: Response, target: RegistryReference, shown: string, method: string, authorization?: string): Promise<RegistryError> {
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
      const remaining = serverText(response.headers.get('ratelimit-remaining') ?? '', credentialParts(authorization), 40);
      return new RegistryError(
        `${shown}: ${target.registry} rate limit reached${remaining ? ` (ratelimit-remaining: ${remaining})` : ''}`,
        'wait and try again, or authenticate for a higher limit',
        status,
      );
    }
    const request = requestId(response.headers.get('x-request-id') ?? response.headers.get('x-pulumi-request-id'), credentialParts(authorization));
    return new RegistryError(`${shown}: ${target.registry} answered HTTP ${status}${request ? ` (request ${request})` : ''}`, 'try again later', status);
  }
}

/** An OCI content descriptor, as an index or a referrers answer lists them. */
export interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly artifactType?: string;
  readonly annotations?: Readonly<Record<string, string>>;
}

function isDescriptor(value: unknown): value is Descriptor {
  const descriptor = value as Partial<Descriptor> | null;
  return (
    typeof descriptor === 'object' &&
    descriptor !== null &&
    typeof descriptor.mediaType === 'string' &&
    typeof descriptor.digest === 'string' &&
    DIGEST.test(descriptor.digest) &&
    typeof descriptor.size === 'number'
  );
}

function checkDigest(body: Buffer, digest: string, shown: string): void {
  if (`sha256:${createHash('sha256').update(body).digest('hex')}` !== digest) {
    throw new RegistryError(`${shown}: the content does not hash to its digest`, 'the registry or a proxy changed it; nothing was pinned');
  }
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}

async function errorCode(response: Response): Promise<string | undefined> {
  try {
    const body = JSON.parse((await readBody(response, MAX_SMALL_BODY_BYTES, '', 'error')).toString('utf8')) as { errors?: { code?: string }[] };
    const code = body?.errors?.[0]?.code;
    return typeof code === 'string' && /^[A-Z_]{1,40}$/.test(code) ? code : undefined;
  } catch {
    return undefined;
  }
}

/** The body of `response`, at most `limit` bytes; a slow or oversized body ends in a RegistryError. */
async function readBody(response: Response, limit: number, shown: string, what: string): Promise<Buffer> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > limit) {
    await response.body?.cancel();
    throw new RegistryError(`${shown}: the ${what} is larger than ${limit} bytes`, 'check that the address is an OCI registry');
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of response.body ?? []) {
      size += chunk.byteLength;
      if (size > limit) {
        await response.body?.cancel().catch(() => undefined);
        throw new RegistryError(`${shown}: the ${what} is larger than ${limit} bytes`, 'check that the address is an OCI registry');
      }
      chunks.push(Buffer.from(chunk));
    }
  } catch (error) {
    if (error instanceof RegistryError) throw error;
    throw new RegistryError(`${shown}: the ${what} did not arrive in time (${(error as Error).name})`, 'check your network, then try again');
  }
  return Buffer.concat(chunks);
}

/** What of an Authorization header must never be printed: the credential, and for Basic the password it encodes. */
function credentialParts(authorization: string | undefined): string[] {
  const credential = authorization?.replace(/^\S+\s+/, '');
  if (!credential) return [];
  const decoded = /^Basic\s/i.test(authorization ?? '') ? Buffer.from(credential, 'base64').toString('utf8') : '';
  return [credential, ...decoded.split(':').slice(1)].filter((part) => part.length >= 4);
}
