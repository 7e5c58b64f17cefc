/**
 * The External Secrets Operator objects (external-secrets.io/v1) that bring ESC secrets into pods:
 * one SecretStore per environment (provider `pulumi`, reading the ESC environment with a token kept in
 * the cluster, never in git) and one ExternalSecret per app that asked for secrets.
 */
import type { EscSettings } from '../config/environment-schema.ts';

/** Folder under dist/<env>/ for the SecretStore; `_` keeps it apart from any app name. */
export const ESC_FOLDER = '_esc';
/** Name of the SecretStore every ExternalSecret reads through. */
export const SECRET_STORE = 'pulumi-esc';
/** Secret (created in the cluster by hand or by a bootstrap tool) holding the ESC access token. */
export const TOKEN_SECRET = { name: 'pulumi-esc-token', key: 'PULUMI_ACCESS_TOKEN' } as const;

/** One secret an app asked for: the key in its Secret and the ESC path it comes from. */
export interface SecretRequest {
  readonly key: string;
  readonly escPath: string;
}

/** The Secret that holds an app's ESC secrets. */
export function appSecretName(app: string): string {
  return `${app}-esc`;
}

/** The SecretStore of an environment. */
export function secretStore(settings: EscSettings): object {
  return {
    apiVersion: 'external-secrets.io/v1',
    kind: 'SecretStore',
    metadata: { name: SECRET_STORE },
    spec: {
      provider: {
        pulumi: {
          organization: settings.organization,
          project: settings.project,
          environment: settings.environment,
          ...(settings.url === 'https://api.pulumi.com' ? {} : { apiUrl: new URL('api/esc', `${settings.url.replace(/\/$/, '')}/`).toString() }),
          accessToken: { secretRef: { name: TOKEN_SECRET.name, key: TOKEN_SECRET.key } },
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
      secretStoreRef: { kind: 'SecretStore', name: SECRET_STORE },
      target: { name: appSecretName(app), creationPolicy: 'Owner' },
      data: requests.map(({ key, escPath }) => ({ secretKey: key, remoteRef: { key: escPath } })),
    },
  };
}
