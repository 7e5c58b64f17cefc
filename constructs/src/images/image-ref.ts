/**
 * An immutable container image reference, kept verbatim.
 *
 * Flux compares image values as plain strings, so the reference is never canonicalised:
 * `nginx:1.25` stays `nginx:1.25` and is not rewritten to `docker.io/library/nginx:1.25`.
 */

// Grammar of github.com/distribution/reference (the parts Manifold accepts).
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?`;
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*';
const NAME = `(?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*`;
const TAG = '[\\w][\\w.-]{0,127}';
const REFERENCE = new RegExp(`^(${NAME})(?::(${TAG}))?(?:@(.+))?$`);
const SHA256_DIGEST = /^sha256:[a-f0-9]{64}$/;
const MAX_NAME_LENGTH = 255;

/** Why a string is not a valid image reference, with what to do about it. */
export class InvalidImageRefError extends Error {
  constructor(
    message: string,
    /** What the user should do instead. */
    readonly hint: string,
  ) {
    super(message);
    this.name = 'InvalidImageRefError';
  }
}

/** A reference known to carry a tag. */
export type TaggedImageRef = ImageRef & { readonly tag: string };

/** A parsed `registry/repo[:tag][@sha256:<64 hex>]` reference. */
export class ImageRef {
  /**
   * Parses a reference, throwing {@link InvalidImageRefError} when it is malformed.
   * @param value the reference exactly as written, e.g. `ghcr.io/acme/api:main-3f2c1e9-1732150000@sha256:…`
   */
  static parse(value: string): ImageRef {
    const match = REFERENCE.exec(value);
    if (!match) {
      throw new InvalidImageRefError(
        `"${value}" is not a valid image reference`,
        'write it as registry/repository:tag, optionally followed by @sha256:<64 hex digits>',
      );
    }
    const [, repository = '', tag, digest] = match;
    if (repository.length > MAX_NAME_LENGTH) {
      throw new InvalidImageRefError(
        `image repository "${repository.slice(0, 40)}…" is longer than ${MAX_NAME_LENGTH} characters`,
        'use a shorter repository name',
      );
    }
    if (digest !== undefined && !SHA256_DIGEST.test(digest)) {
      throw new InvalidImageRefError(
        `digest "${digest}" of "${value}" is not sha256 followed by 64 lowercase hex digits`,
        'copy the digest exactly as the registry reports it, e.g. with: pnpm manifold pin <env> <image>=<ref>',
      );
    }
    return new ImageRef(value, repository, tag, digest);
  }

  /**
   * Parses a reference that must carry a tag: the form Flux writes (`repository:tag[@digest]`) and
   * so the form of every pin. Throws {@link InvalidImageRefError} otherwise.
   */
  static parseTagged(value: string): TaggedImageRef {
    const ref = ImageRef.parse(value);
    if (ref.tag === undefined) {
      throw new InvalidImageRefError(`"${value}" has no tag`, 'Flux writes references as repository:tag[@digest]; add the tag the digest was built as');
    }
    return ref as TaggedImageRef;
  }

  private constructor(
    /** The reference exactly as written. */
    readonly value: string,
    /** Registry host and path, e.g. `ghcr.io/acme/api`; what Flux calls the image name. */
    readonly repository: string,
    /** The tag, e.g. `main-3f2c1e9-1732150000`, when the reference has one. */
    readonly tag: string | undefined,
    /** The `sha256:…` digest, when the reference is pinned to one. */
    readonly digest: string | undefined,
  ) {}

  /** True when the reference names content by digest and so cannot move. */
  get isImmutable(): boolean {
    return this.digest !== undefined;
  }

  toString(): string {
    return this.value;
  }
}
