/**
 * The one adapter around `@pulumi/esc-sdk` 0.12.4: builds the client from explicit settings and works
 * around the SDK's quirks, each under test —
 * - the `EscApi` constructor drops the port of the API URL: `basePath` is set again afterwards;
 * - `DefaultClient` falls back to `~/.pulumi` credentials and the public service: it is never used,
 *   the token comes from the environment variable the settings name, or the command stops;
 * - the wrappers drop response headers and send no ETag: definitions are read and written through
 *   the raw API, with the ETag, so concurrent writers cannot lose each other's changes;
 * - axios honours proxy variables and has no size bound, and its timeout is an idle timer: proxies are
 *   off, sizes bounded, and every request gets a wall-clock deadline (an abort signal) that covers the body.
 * Errors never contain the token.
 */
import { Configuration, EscApi, type Value } from '@pulumi/esc-sdk';
import type { EscSettings } from '../config/environment-schema.ts';
import { requestId, serverText } from '../registry/server-text.ts';
import { EscError } from './esc-error.ts';

/** An environment's evaluated values (every level a `Value` with its `secret` flag) and its revision. */
export interface OpenedValues {
  readonly properties: Readonly<Record<string, Value>>;
}

/** An environment's definition as YAML, with the ETag and revision it was read at. */
export interface Definition {
  readonly yaml: string;
  readonly etag: string | undefined;
  readonly revision: string;
}

const MAX_ANSWER_BYTES = 8 * 1024 * 1024;
const BASE_OPTIONS = { proxy: false, maxContentLength: MAX_ANSWER_BYTES, maxBodyLength: MAX_ANSWER_BYTES, maxRedirects: 0 } as const;

/** Options of {@link EscClient}. */
export interface EscClientOptions {
  /** Wall-clock limit of one request, answer included (default 30 s). */
  readonly timeoutMs?: number;
}

/** A client for one ESC environment. */
export class EscClient {
  private readonly api: EscApi;
  private readonly timeoutMs: number;
  /** `org/project/environment`, for messages and provenance. */
  readonly name: string;
  /** Kept only to blank it out of any server text a message quotes. */
  private readonly token: string;

  constructor(
    private readonly settings: EscSettings,
    env: NodeJS.ProcessEnv = process.env,
    options: EscClientOptions = {},
  ) {
    const token = env[settings.tokenVariable];
    if (!token) {
      throw new EscError(
        `no Pulumi access token: ${settings.tokenVariable} is not set`,
        `set ${settings.tokenVariable} (a Pulumi access token for ${settings.organization})`,
      );
    }
    this.name = `${settings.organization}/${settings.project}/${settings.environment}`;
    this.token = token;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.api = new EscApi(new Configuration({ accessToken: token, basePath: settings.url, baseOptions: BASE_OPTIONS }));
    // Quirk: the constructor keeps only scheme and host of basePath; put the port (and any path) back.
    this.api.config.basePath = new URL('api/esc', settings.url.endsWith('/') ? settings.url : `${settings.url}/`).toString().replace(/\/$/, '');
  }

  /** The API base the client really calls (tested: the SDK's constructor alone would lose the port). */
  get basePath(): string {
    return this.api.config.basePath ?? '';
  }

  /** Opens the environment (imports and interpolation evaluated) and reads its values. */
  async openValues(): Promise<OpenedValues> {
    const { organization, project, environment } = this.settings;
    const opened = await this.call((signal) => this.api.rawApi.openEnvironment(organization, project, environment, '5m', { signal }));
    const id = (opened.data as { id?: unknown }).id;
    if (typeof id !== 'string' || !/^[A-Za-z0-9_-]{1,100}$/.test(id))
      throw new EscError(`ESC ${this.name}: the open answer has no session id`, 'check the ESC API URL');
    const read = await this.call((signal) => this.api.rawApi.readOpenEnvironment(organization, project, environment, id, { signal }));
    const properties = isRecord(read.data) ? read.data.properties : undefined;
    if (properties !== undefined && !isRecord(properties)) throw this.notEsc('the values of the open environment are not an object');
    if (!isRecord(read.data)) throw this.notEsc('the open environment answer is not JSON');
    return { properties: (properties ?? {}) as Record<string, Value> };
  }

  /** The definition YAML with its ETag and revision. */
  async readDefinition(): Promise<Definition> {
    const { organization, project, environment } = this.settings;
    const response = await this.call((signal) =>
      this.api.rawApi.getEnvironment(organization, project, environment, { responseType: 'text', transformResponse: (data: unknown) => data, signal }),
    );
    if (typeof response.data !== 'string') throw this.notEsc('the definition is not YAML text');
    const type = header(response.headers, 'content-type') ?? '';
    if (!/^(application|text)\/(x-)?yaml\b/.test(type)) throw this.notEsc(`the definition came as ${serverText(type, [], 80) || 'no content type'}, not YAML`);
    const etag = header(response.headers, 'etag');
    const revision = header(response.headers, 'pulumi-esc-revision');
    if (revision === undefined || !/^[0-9]+$/.test(revision)) throw this.notEsc('the definition has no revision');
    return { yaml: response.data, etag, revision };
  }

  /** Replaces the definition if it is still at `etag`; a conflict is an EscError with status 409. */
  async writeDefinition(yaml: string, etag: string | undefined): Promise<{ revision: string }> {
    const { organization, project, environment } = this.settings;
    const response = await this.call((signal) =>
      this.api.rawApi.updateEnvironmentYaml(organization, project, environment, yaml, { headers: etag ? { ETag: etag } : {}, signal }),
    );
    // ESC answers a write with the new revision; an answer without one (a proxy's page) wrote nothing we can trust.
    const revision = header(response.headers, 'pulumi-esc-revision');
    if (revision === undefined || !/^[0-9]+$/.test(revision)) throw this.notEsc('the update answer has no revision, so the write is not confirmed');
    return { revision };
  }

  /** An answer that is not what the ESC API answers: another server (a proxy, a login page) is at the URL. */
  private notEsc(what: string): EscError {
    return new EscError(`ESC ${this.name}: ${what}`, `check esc.url (${new URL(this.settings.url).host} does not answer as the Pulumi ESC API does)`);
  }

  /** Sends `request` with a signal that ends it at the deadline, answer included; waits out a 429 (three times at most). */
  private async call<T extends { status: number; headers: unknown; data: unknown }>(request: (signal: AbortSignal) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const deadline = new AbortController();
      const timer = setTimeout(() => deadline.abort(), this.timeoutMs);
      try {
        return await request(deadline.signal);
      } catch (error) {
        if (deadline.signal.aborted) {
          throw new EscError(
            `ESC ${this.name}: no complete answer from ${new URL(this.settings.url).host} within ${this.timeoutMs / 1000} s`,
            'try again later, or allow more time with --esc-timeout',
          );
        }
        const response = (error as { response?: { status: number; headers: unknown; data: unknown } }).response;
        if (response?.status === 429 && attempt < 3) {
          const seconds = Math.min(Number(header(response.headers, 'retry-after')) || 1, 10);
          await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
          continue;
        }
        throw this.failure(error, response);
      } finally {
        clearTimeout(timer);
      }
    }
  }

  private failure(error: unknown, response: { status: number; headers: unknown; data: unknown } | undefined): EscError {
    if (!response) {
      const code = (error as { code?: string }).code;
      return new EscError(`ESC ${this.name}: cannot reach ${new URL(this.settings.url).host} (${code ?? 'no answer'})`, 'check the ESC url and your network');
    }
    const body = isRecord(response.data) ? response.data : {};
    const diagnostics = Array.isArray(body.diagnostics)
      ? body.diagnostics.map((entry) => (isRecord(entry) ? String(entry.summary ?? '') : '')).filter(Boolean)
      : [];
    // Server text: one line, no escapes, never the token, bounded.
    const detail = serverText(diagnostics[0] ?? (typeof body.message === 'string' ? body.message : ''), [this.token]);
    const status = response.status;
    const hint =
      status === 401
        ? `check ${this.settings.tokenVariable}: the service refused the token`
        : status === 403
          ? `the token may not access ${this.name}`
          : status === 404
            ? `create the ESC environment ${this.name}, or fix esc: in environment.yaml`
            : status === 409
              ? 'someone changed the environment meanwhile; run the command again'
              : 'try again later';
    const request = requestId(header(response.headers, 'x-pulumi-request-id'), [this.token]);
    return new EscError(`ESC ${this.name}: HTTP ${status}${detail ? `: ${detail}` : ''}${request ? ` (request ${request})` : ''}`, hint, status);
  }
}

function header(headers: unknown, name: string): string | undefined {
  if (!isRecord(headers)) return undefined;
  const value = typeof (headers as { get?: unknown }).get === 'function' ? (headers as { get(name: string): unknown }).get(name) : headers[name];
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
