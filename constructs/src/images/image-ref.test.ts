import { describe, expect, it } from 'vitest';
import { ImageRef, InvalidImageRefError } from './image-ref.ts';

const DIGEST = `sha256:${'0123456789abcdef'.repeat(4)}`;

describe('ImageRef', () => {
  it('splits a full reference into repository, tag and digest and keeps it verbatim', () => {
    const ref = ImageRef.parse(`ghcr.io/acme/api:main-3f2c1e9-1732150000@${DIGEST}`);
    expect(ref.repository).toBe('ghcr.io/acme/api');
    expect(ref.tag).toBe('main-3f2c1e9-1732150000');
    expect(ref.digest).toBe(DIGEST);
    expect(ref.isImmutable).toBe(true);
    expect(String(ref)).toBe(`ghcr.io/acme/api:main-3f2c1e9-1732150000@${DIGEST}`);
  });

  it('does not canonicalise Docker Hub short names, because Flux compares plain strings', () => {
    const ref = ImageRef.parse('nginx:1.25.3');
    expect(ref.repository).toBe('nginx');
    expect(ref.value).toBe('nginx:1.25.3');
    expect(ref.isImmutable).toBe(false);
  });

  it('accepts a reference without a tag, which parseTagged refuses as Flux would', () => {
    expect(ImageRef.parse(`ghcr.io/acme/api@${DIGEST}`).tag).toBeUndefined();
    expect(() => ImageRef.parseTagged(`ghcr.io/acme/api@${DIGEST}`)).toThrow('has no tag');
    expect(() => ImageRef.parseTagged('ghcr.io/acme/api')).toThrow(InvalidImageRefError);
    expect(ImageRef.parseTagged('ghcr.io/acme/api:v1').tag).toBe('v1');
  });

  it('accepts a registry with a port', () => {
    expect(ImageRef.parse('127.0.0.1:5000/team/app:v1').repository).toBe('127.0.0.1:5000/team/app');
  });

  it.each([
    ['Uppercase/Repo:v1', 'not a valid image reference'],
    ['ghcr.io/acme/api:', 'not a valid image reference'],
    ['ghcr.io/acme/api:v1 ', 'not a valid image reference'],
    ['ghcr.io/acme/api:v1@sha256:abc', 'is not sha256 followed by 64 lowercase hex digits'],
    [`ghcr.io/acme/api:v1@${DIGEST.toUpperCase().replace('SHA256', 'sha256')}`, 'is not sha256'],
    [`ghcr.io/acme/api:v1@sha512:${'a'.repeat(128)}`, 'is not sha256'],
  ])('rejects %s', (value, message) => {
    expect(() => ImageRef.parse(value)).toThrow(InvalidImageRefError);
    expect(() => ImageRef.parse(value)).toThrow(message);
  });
});
