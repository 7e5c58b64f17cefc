/**
 * The External Secrets Operator objects (external-secrets.io/v1) that bring ESC secrets into pods: per
 * app that asked for secrets, a SecretStore (provider `pulumi`, reading the app's ESC environment with
 * the app's own token, kept in the cluster, never in git) and an ExternalSecret naming only that store.
 */
import type { EscSettings } from '../config/environment-schema.ts';

/** The cluster Secret key holding each app's ESC access token. */
export const TOKEN_KEY = 'PULUMI_ACCESS_TOKEN';
/** The construct ids under which Manifold adds an app's ExternalSecret and SecretStore to its chart. */
export const ESC_CONSTRUCTS = { externalSecret: 'EscExternalSecret', secretStore: 'EscSecretStore' } as const;

/** One secret an app asked for: the key in its Secret and the ESC path it comes from. */
export interface SecretRequest {
  readonly key: string;
  readonly escPath: string;
}

/** The Secret that holds an app's ESC secrets. */
export function appSecretName(app: string): string {
  return `${app}-esc`;
}

/** The SecretStore `app` reads through: only its ExternalSecret names it. */
export function appSecretStoreName(app: string): string {
  return `pulumi-esc-${app}`;
}

/** The cluster Secret (created by the platform team, never committed) holding `app`'s own ESC token. */
export function appTokenSecretName(app: string): string {
  return `pulumi-esc-token-${app}`;
}

/** The ESC environment `app`'s secrets are read from: its own when `appEnvironments` names one, else the environment's. */
export function appEscEnvironment(settings: EscSettings, app: string): string {
  return settings.appEnvironments[app] ?? settings.environment;
}

/**
 * The SecretStore of `app`: ESC read with the app's own token, from the app's ESC environment. A
 * token reads whole ESC environments, so an app whose secrets must stay apart from the others' gets an
 * ESC environment of its own (`esc.appEnvironments`) and a token that can open only it.
 */
export function secretStore(settings: EscSettings, app: string): object {
  return {
    apiVersion: 'external-secrets.io/v1',
    kind: 'SecretStore',
    metadata: { name: appSecretStoreName(app) },
    spec: {
      provider: {
        pulumi: {
          organization: settings.organization,
          project: settings.project,
          environment: appEscEnvironment(settings, app),
          ...(settings.url === 'https://api.pulumi.com' ? {} : { apiUrl: new URL('api/esc', `${settings.url.replace(/\/$/, '')}/`).toString() }),
          accessToken: { secretRef: { name: appTokenSecretName(app), key: TOKEN_KEY } },
        },
      },
    },
  };
}

/** The ExternalSecret that fills `app`'s Secret with the values at the requested ESC paths. */
export function externalSecret(app: string, requests: readonly SecretRequest[]): object {
  return {
    apiVersion: 'external-secrets.io/v1',
    kind: 'ExternalSecret',
    metadata: { name: appSecretName(app) },
    spec: {
      refreshInterval: '1h',
      secretStoreRef: { kind: 'SecretStore', name: appSecretStoreName(app) },
      target: { name: appSecretName(app), creationPolicy: 'Owner' },
      data: requests.map(({ key, escPath }) => ({ secretKey: key, remoteRef: { key: escPath } })),
    },
  };
}
