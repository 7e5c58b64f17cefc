/** Where an image lives: normalised like distribution/reference, without changing the pin's own text. */
import type { ImageRef } from '@manifold/constructs/core';

/** A reference split into registry host, repository path and tag/digest, Docker Hub names expanded. */
export interface RegistryReference {
  /** Registry host as named, e.g. `ghcr.io`, `docker.io`, `127.0.0.1:5000`. */
  readonly registry: string;
  /** Repository path inside the registry, e.g. `acme/api`, `library/nginx`. */
  readonly repository: string;
  readonly tag: string;
  readonly digest?: string;
}

const DOCKER_HUB = 'docker.io';

/**
 * Normalises `ref`: a first component without `.` or `:` (and not `localhost`) means Docker Hub, with
 * `library/` for one-part names; the tag defaults to `latest`.
 */
export function toRegistryReference(ref: ImageRef): RegistryReference {
  const [first = '', ...rest] = ref.repository.split('/');
  const isHost = rest.length > 0 && (first.includes('.') || first.includes(':') || first === 'localhost');
  const registry = isHost ? (first === 'index.docker.io' ? DOCKER_HUB : first) : DOCKER_HUB;
  let repository = isHost ? rest.join('/') : ref.repository;
  if (registry === DOCKER_HUB && !repository.includes('/')) repository = `library/${repository}`;
  return { registry, repository, tag: ref.tag ?? 'latest', ...(ref.digest ? { digest: ref.digest } : {}) };
}

/** The base URL of a registry's API: Docker Hub's API host, `http://` only for registries listed as insecure. */
export function registryBaseUrl(registry: string, insecure: ReadonlySet<string>): string {
  if (registry === DOCKER_HUB) return 'https://registry-1.docker.io';
  return `${insecure.has(registry) ? 'http' : 'https'}://${registry}`;
}
