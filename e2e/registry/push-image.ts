/** Pushes synthetic images to a test registry over plain HTTP: a manifest, an OCI index or a Docker manifest list. */
import { createHash } from 'node:crypto';
import { parseAuthChallenges } from '../../cli/src/registry/auth-challenge.ts';

/** How to reach the registry for pushing. */
export interface PushTarget {
  readonly host: string;
  readonly user?: { readonly username: string; readonly password: string };
}

/** The OCI digest of `data`. */
export const sha256 = (data: Buffer): string => `sha256:${createHash('sha256').update(data).digest('hex')}`;

/**
 * Pushes `repository:tag` and returns the digest of what the tag points at (the index or list for
 * multi-arch kinds). `seed` makes the content, and so the digest, differ between pushes.
 */
export async function pushImage(
  target: PushTarget,
  repository: string,
  tag: string,
  kind: 'manifest' | 'oci-index' | 'docker-list',
  seed = tag,
): Promise<string> {
  const auth = await authorization(target, repository);
  if (kind === 'manifest')
    return putManifest(target, repository, tag, await imageManifest(target, repository, seed, 'oci', auth), 'application/vnd.oci.image.manifest.v1+json', auth);
  const docker = kind === 'docker-list';
  const children = [];
  for (const architecture of ['amd64', 'arm64']) {
    const body = await imageManifest(target, repository, `${seed}/${architecture}`, docker ? 'docker' : 'oci', auth);
    const mediaType = docker ? 'application/vnd.docker.distribution.manifest.v2+json' : 'application/vnd.oci.image.manifest.v1+json';
    const digest = await putManifest(target, repository, sha256(body), body, mediaType, auth);
    children.push({ mediaType, digest, size: body.length, platform: { architecture, os: 'linux' } });
  }
  const listType = docker ? 'application/vnd.docker.distribution.manifest.list.v2+json' : 'application/vnd.oci.image.index.v1+json';
  const list = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: listType, manifests: children }));
  return putManifest(target, repository, tag, list, listType, auth);
}

async function imageManifest(target: PushTarget, repository: string, seed: string, flavour: 'oci' | 'docker', auth?: string): Promise<Buffer> {
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', seed }));
  const layer = Buffer.from(`layer of ${seed}`);
  await putBlob(target, repository, config, auth);
  await putBlob(target, repository, layer, auth);
  const oci = flavour === 'oci';
  return Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: oci ? 'application/vnd.oci.image.manifest.v1+json' : 'application/vnd.docker.distribution.manifest.v2+json',
      config: {
        mediaType: oci ? 'application/vnd.oci.image.config.v1+json' : 'application/vnd.docker.container.image.v1+json',
        digest: sha256(config),
        size: config.length,
      },
      layers: [
        {
          mediaType: oci ? 'application/vnd.oci.image.layer.v1.tar+gzip' : 'application/vnd.docker.image.rootfs.diff.tar.gzip',
          digest: sha256(layer),
          size: layer.length,
        },
      ],
    }),
  );
}

/** Uploads `data` as a blob of `repository` (monolithic upload). */
export async function putBlob(target: PushTarget, repository: string, data: Buffer, auth?: string): Promise<void> {
  const base = `http://${target.host}`;
  const start = await fetch(`${base}/v2/${repository}/blobs/uploads/`, { method: 'POST', headers: headers(auth) });
  if (start.status !== 202) throw new Error(`blob upload start: HTTP ${start.status} ${await start.text()}`);
  const location = new URL(start.headers.get('location') ?? '', base);
  location.searchParams.set('digest', sha256(data));
  const put = await fetch(location, { method: 'PUT', headers: { ...headers(auth), 'Content-Type': 'application/octet-stream' }, body: new Uint8Array(data) });
  if (put.status !== 201) throw new Error(`blob upload: HTTP ${put.status} ${await put.text()}`);
}

/** PUTs a manifest or index at `reference` and returns its digest, checked against the bytes sent. */
export async function putManifest(target: PushTarget, repository: string, reference: string, body: Buffer, mediaType: string, auth?: string): Promise<string> {
  const response = await fetch(`http://${target.host}/v2/${repository}/manifests/${reference}`, {
    method: 'PUT',
    headers: { ...headers(auth), 'Content-Type': mediaType },
    body: new Uint8Array(body),
  });
  if (response.status !== 201) throw new Error(`manifest PUT: HTTP ${response.status} ${await response.text()}`);
  const digest = response.headers.get('docker-content-digest');
  if (digest !== sha256(body)) throw new Error(`registry digest ${digest} differs from ${sha256(body)}`);
  return digest;
}

function headers(auth?: string): Record<string, string> {
  return auth ? { Authorization: auth } : {};
}

/** The Authorization value for pushing: none, Basic, or a Bearer token with pull and push scope. */
async function authorization(target: PushTarget, repository: string): Promise<string | undefined> {
  if (!target.user) return undefined;
  const basic = `Basic ${Buffer.from(`${target.user.username}:${target.user.password}`).toString('base64')}`;
  const probe = await fetch(`http://${target.host}/v2/`);
  const bearer = parseAuthChallenges(probe.headers.get('www-authenticate')).find((challenge) => challenge.scheme === 'bearer');
  if (!bearer?.params.realm) return basic;
  const realm = new URL(bearer.params.realm);
  realm.searchParams.set('service', bearer.params.service ?? '');
  realm.searchParams.set('scope', `repository:${repository}:pull,push`);
  const response = await fetch(realm, { headers: { Authorization: basic } });
  const { token } = (await response.json()) as { token: string };
  return `Bearer ${token}`;
}
