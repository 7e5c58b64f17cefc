/** Loads and validates one environment's overlay: environment.yaml and images.yaml. */
import { createPublicKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type ImagePolicyKey, ImageRef, InvalidImageRefError, imagePolicyName, type TaggedImageRef, type WorkloadSize } from '@manifold/constructs/core';
import { parse } from 'yaml';
import type { z } from 'zod';
import { ConfigError, type SourcePosition } from '../errors/config-error.ts';
import { assertRealPath } from '../files/repository-paths.ts';
import {
  type AdmissionSettings,
  type AllowedResources,
  type DeliverySettings,
  deliveryBlock,
  dnsLabel,
  type EscSettings,
  environmentSchema,
  type FluxSettings,
  type PodSecurityLevel,
} from './environment-schema.ts';
import { checkEscUrl } from './esc-url.ts';
import { appImagesSchema, type ImagesFile, imagesSchema, type PinSource, type UpdatePolicy } from './images-schema.ts';
import type { KubernetesVersion } from './kubernetes-version.ts';
import { compilePolicy } from './update-policy.ts';
import { validateSource } from './validate-source.ts';
import { ruleFor, type VerifyRule } from './verify-policy.ts';
import { type EntryCache, YamlEntries } from './yaml-entries.ts';
import { parseYamlSource, type YamlSource } from './yaml-source.ts';

/** One image pin of one app in one environment. */
export interface Pin {
  readonly app: string;
  readonly image: string;
  readonly ref: TaggedImageRef;
  readonly update: UpdatePolicy | undefined;
  readonly hold: boolean;
  /** Who or what set the pin, when a command recorded it. */
  readonly source: PinSource | undefined;
  /** The Flux policy that may move this pin: set when it has an update policy and no hold. */
  readonly policy: ImagePolicyKey | undefined;
  /** Where the `ref` value is written. */
  readonly position: SourcePosition;
}

/** An environment's signature policy: its rules (first match wins), whether every pin needs one, and the trust material. */
export interface Verification {
  readonly rules: readonly VerifyRule[];
  readonly required: boolean;
  /** The Sigstore trusted root (its path relative to the repository root, and its text); none when only key rules without a log are given. */
  readonly trustedRoot: { readonly file: string; readonly text: string } | undefined;
  /** The public keys key rules name (PEM text by repository path). */
  readonly keys: ReadonlyMap<string, string>;
}

/** A validated environment. */
export interface Environment {
  readonly name: string;
  readonly namespace: string;
  readonly domain: string;
  readonly requireDigests: boolean;
  /** How the cluster syncs dist/<env>. */
  readonly delivery: DeliverySettings;
  /** The Pulumi ESC environment the pins are pulled from and pushed to, when there is one. */
  readonly esc: EscSettings | undefined;
  /** Pod Security Standard every workload must meet. */
  readonly podSecurity: PodSecurityLevel;
  /** The Kubernetes release the environment deploys to. */
  readonly kubernetesVersion: KubernetesVersion;
  /** Apps deployed here, or undefined for all apps. */
  readonly apps: readonly string[] | undefined;
  readonly sizes: ReadonlyMap<string, WorkloadSize>;
  /** The environment this one is promoted from, if any. */
  readonly promotesFrom: string | undefined;
  /** Flux image automation settings, with the push branch resolved. */
  readonly flux: FluxSettings & { readonly pushBranch: string; readonly gitRepository: string };
  /** Pins by `<app>/<image>`. */
  readonly pins: ReadonlyMap<string, Pin>;
  /** The signatures a digest needs before it is pinned here, when the environment has `verify:` rules. */
  readonly verification: Verification | undefined;
  /** What apps may create beyond the environment's namespace (cluster-scoped kinds, other namespaces). */
  readonly allowed: AllowedResources;
  /** The admission policy that has the cluster enforce the same rules, when asked for. */
  readonly admission: AdmissionSettings | undefined;
  /** The environment's files, for positions in later errors. */
  readonly sources: { readonly environment: YamlSource; readonly images: YamlSource };
}

/** Paths of an environment's overlay files relative to the repository root. */
export function overlayFiles(env: string): { environment: string; images: string } {
  return { environment: `overlays/${env}/environment.yaml`, images: `overlays/${env}/images.yaml` };
}

/**
 * `env` as a command reads it: images.yaml entry by entry from the parses synth keeps in `cache` (the
 * render cache's folder), when most of them are kept; else parsed whole. Errors read exactly as a
 * whole-file parse reports them.
 */
export function readEnvironment(root: string, env: string, cache: EntryCache): Promise<Environment> {
  return loadEnvironment(root, env, undefined, YamlEntries.reader(cache));
}

/**
 * Reads `overlays/<env>/` below `root` (with `imagesText` in place of images.yaml when given);
 * throws {@link ConfigError} on any invalid input. With `entries`, images.yaml is parsed entry by
 * entry, reusing the parses of earlier runs.
 */
export async function loadEnvironment(root: string, env: string, imagesText?: string, entries?: YamlEntries): Promise<Environment> {
  const name = dnsLabel.safeParse(env);
  if (!name.success) {
    throw new ConfigError({
      file: `overlays/${env}`,
      line: 1,
      col: 1,
      message: `environment name "${env}" is not a DNS-1123 label`,
      hint: 'name environment folders with lowercase letters, digits and "-" only',
    });
  }
  const files = overlayFiles(env);
  for (const file of [files.environment, files.images]) assertRealPath(root, file);
  const environmentSource = parseYamlSource(files.environment, await readUserFile(root, files.environment));
  const text = imagesText ?? (await readUserFile(root, files.images));
  const imagesSource = entries?.source(files.images, text) ?? parseYamlSource(files.images, text);
  const config = validateSource(environmentSource, environmentSchema, 'environment.yaml');
  // Entry by entry, remembered between runs, when the file allows it; else the whole file, whose errors are located.
  const checkedEntries = entries?.checkedValues(files.images, text, checkImagesEntry);
  const images = (checkedEntries as ImagesFile | undefined) ?? validateSource(imagesSource, imagesSchema, 'images.yaml');
  if (config.esc) checkEscUrl(config.esc.url, () => environmentSource.positionOf(['esc', 'url']));
  const requireDigests = config.requireDigests ?? env === 'prod';
  if (config.promotesFrom !== undefined) await checkPromotesFrom(root, env, config.promotesFrom, () => environmentSource.positionOf(['promotesFrom']));

  const pins = new Map<string, Pin>();
  for (const [app, appImages] of Object.entries(images)) {
    for (const [image, pin] of Object.entries(appImages)) {
      // Positions are looked up only for an error: thousands of pins need none.
      const position = () => imagesSource.positionOf([app, image, 'ref']);
      const ref = parseRef(pin.ref, position);
      if (requireDigests && !ref.isImmutable) {
        throw new ConfigError({
          ...position(),
          message: `image "${app}/${image}" has tag "${ref.tag}" without a digest, but ${env} requires digests`,
          hint: `pin it by digest: pnpm manifold pin ${env} ${app}/${image}=${ref.value}`,
        });
      }
      if (pin.update && !checkedEntries) checkPinnedTag(pin.update, ref, `${app}/${image}`, () => imagesSource.positionOf([app, image, 'update']));
      const moves = pin.update !== undefined && !pin.hold;
      pins.set(`${app}/${image}`, {
        app,
        image,
        ref,
        update: pin.update,
        hold: pin.hold,
        source: pin.source,
        policy: moves ? { namespace: config.flux.namespace, name: imagePolicyName(env, app, image) } : undefined,
        get position() {
          return position();
        },
      });
    }
  }
  const verification = await checkVerification(root, config, pins, environmentSource);
  const delivery = deliveryBlock(config.delivery);
  const moving = [...pins.values()].filter((pin) => pin.policy).length;
  if (delivery.tool === 'flux' && moving > 0 && !delivery.repository && config.flux.gitRepository === undefined) {
    // Flux syncs this environment, yet its automation would name manifold-<env>, a GitRepository only delivery.repository generates.
    throw new ConfigError({
      ...environmentSource.positionOf(['delivery']),
      message: `${moving} pin${moving === 1 ? ' has' : 's have'} an update policy, but Flux image automation has no GitRepository to push to: delivery.repository is not set`,
      hint: 'set delivery.repository (the URL the cluster clones; Manifold generates the GitRepository), or flux.gitRepository to one you manage',
    });
  }
  return {
    name: env,
    namespace: config.namespace,
    domain: config.domain,
    requireDigests,
    delivery,
    podSecurity: config.podSecurity,
    kubernetesVersion: config.kubernetesVersion,
    apps: config.apps,
    sizes: new Map(Object.entries(config.sizes)),
    promotesFrom: config.promotesFrom,
    flux: { ...config.flux, gitRepository: config.flux.gitRepository ?? `manifold-${env}`, pushBranch: config.flux.pushBranch ?? `flux/image-updates/${env}` },
    esc: config.esc,
    pins,
    verification,
    admission: config.admission,
    allowed: config.allowed,
    sources: { environment: environmentSource, images: imagesSource },
  };
}

/**
 * The environment's signature policy: rules need a trusted root (unless they name keys without a log),
 * the keys they name must be public keys in the repository, and with `requireVerified` every pin's
 * repository must be covered by a rule.
 */
async function checkVerification(
  root: string,
  config: z.output<typeof environmentSchema>,
  pins: ReadonlyMap<string, Pin>,
  source: YamlSource,
): Promise<Verification | undefined> {
  const rules = config.verify ?? [];
  if (config.requireVerified && rules.length === 0) {
    throw new ConfigError({
      ...source.positionOf(['requireVerified']),
      message: 'requireVerified is set, but there is no verify: rule',
      hint: 'add verify: rules naming the images and the identity that signs them',
    });
  }
  if (config.admission && rules.length === 0) {
    throw new ConfigError({
      ...source.positionOf(['admission']),
      message: 'admission asks the cluster to enforce the verify: rules, but there is none',
      hint: 'add verify: rules, or remove admission',
    });
  }
  if (rules.length === 0) return undefined;
  if (config.trustedRoot === undefined && rules.some((rule) => rule.keyless || rule.transparencyLog)) {
    throw new ConfigError({
      ...source.positionOf(['verify']),
      message: 'verify: rules need trustedRoot: the Sigstore trusted root their signatures are checked against',
      hint: 'commit the trusted root (cosign trusted-root create, or the public-good one from Sigstore TUF) and name it: trustedRoot: sigstore/trusted_root.json',
    });
  }
  if (config.requireVerified) {
    for (const pin of pins.values()) {
      if (ruleFor(rules, pin.ref.repository)) continue;
      throw new ConfigError({
        ...pin.position,
        message: `${pin.app}/${pin.image} (${pin.ref.repository}) is covered by no verify: rule, but this environment requires every pin to be verified`,
        hint: 'add a verify: rule whose images match this repository',
      });
    }
  }
  const keys = new Map<string, string>();
  for (const [index, rule] of rules.entries()) {
    if (rule.key !== undefined && !keys.has(rule.key))
      keys.set(rule.key, await readPublicKey(root, rule.key, () => source.positionOf(['verify', index, 'key'])));
  }
  const trustedRoot =
    config.trustedRoot === undefined
      ? undefined
      : { file: config.trustedRoot, text: await readTrustFile(root, config.trustedRoot, 'the trusted root', () => source.positionOf(['trustedRoot'])) };
  return { rules, required: config.requireVerified, trustedRoot, keys };
}

/** Most bytes of a trusted root or a public key: Sigstore's public-good root is about 10 KiB. */
const MAX_TRUST_FILE_BYTES = 1024 * 1024;

/** The text of a trust file the environment names (inside the repository, bounded). */
async function readTrustFile(root: string, file: string, what: string, position: () => SourcePosition): Promise<string> {
  assertRealPath(root, file);
  const text = await readFile(join(root, file), 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new ConfigError({
      ...position(),
      message: `cannot read ${what} ${file} (${error.code ?? 'error'})`,
      hint: `commit ${what} at ${file}, or name where it is`,
    });
  });
  if (text.length > MAX_TRUST_FILE_BYTES)
    throw new ConfigError({ ...position(), message: `${file} is larger than ${MAX_TRUST_FILE_BYTES} bytes`, hint: `name ${what}` });
  return text;
}

/** The PEM text of the public key at `file`, which must be one (cosign public keys are PEM `PUBLIC KEY`s). */
async function readPublicKey(root: string, file: string, position: () => SourcePosition): Promise<string> {
  const text = await readTrustFile(root, file, 'the public key', position);
  try {
    createPublicKey(text);
  } catch {
    throw new ConfigError({
      ...position(),
      message: `${file} is not a PEM public key`,
      hint: 'commit the public key (cosign generate-key-pair writes cosign.pub) and name its path',
    });
  }
  return text;
}

/**
 * `promotesFrom` must name another environment, and following it must never come back to `env`. A
 * problem further along the chain is reported by the environment whose own line it is.
 */
async function checkPromotesFrom(root: string, env: string, from: string, position: () => SourcePosition): Promise<void> {
  const hint = 'name the environment pins come from before they reach this one, e.g. staging for prod';
  if (from === env) throw new ConfigError({ ...position(), message: `${env} is promoted from itself`, hint });
  const chain = [env];
  for (let next: string | undefined = from; next !== undefined && !chain.includes(next); ) {
    chain.push(next);
    const text: string | undefined = await readFile(join(root, overlayFiles(next).environment), 'utf8').catch(() => undefined);
    if (text === undefined && next === from) {
      throw new ConfigError({
        ...position(),
        message: `promotesFrom names "${from}", which is not an environment`,
        hint: 'environments are the folders under overlays/ with an environment.yaml',
      });
    }
    const promotesFrom: unknown = text === undefined ? undefined : (parse(text) as { promotesFrom?: unknown } | null)?.promotesFrom;
    next = typeof promotesFrom === 'string' ? promotesFrom : undefined;
    if (next === env) throw new ConfigError({ ...position(), message: `promotesFrom makes a cycle: ${[...chain, env].join(' ← ')}`, hint });
  }
}

/**
 * One images.yaml entry as the whole-file checks would accept it (schema, and every pinned tag one its
 * policy selects), or undefined when they would not: then the whole file is checked, and the error
 * located there.
 */
function checkImagesEntry(app: string, value: unknown): { readonly value: unknown } | undefined {
  const pins = appImagesSchema.safeParse(value);
  if (!dnsLabel.safeParse(app).success || !pins.success) return undefined;
  for (const [image, pin] of Object.entries(pins.data)) {
    try {
      if (pin.update && pinnedTagProblem(pin.update, ImageRef.parseTagged(pin.ref), `${app}/${image}`)) return undefined;
    } catch {
      return undefined;
    }
  }
  return { value: pins.data };
}

/** A pin whose own tag its policy would not select is moved by Flux at once: refuse it. */
function checkPinnedTag(policy: UpdatePolicy, ref: TaggedImageRef, name: string, position: () => SourcePosition): void {
  const problem = pinnedTagProblem(policy, ref, name);
  if (problem)
    throw new ConfigError({ ...position(), message: problem, hint: 'pin a tag the policy selects, or fix the policy so that it selects the pinned tag' });
}

/** Why Flux would move the pin `ref` of `name` at once under `policy` (its tag is not one the policy selects), or undefined. */
function pinnedTagProblem(policy: UpdatePolicy, ref: TaggedImageRef, name: string): string | undefined {
  const compiled = compilePolicy(policy);
  const key = compiled.sortKey(ref.tag);
  const numeric =
    key !== undefined && (policy.semver !== undefined || policy.sort !== 'numerical' || /^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$/.test(key));
  if (key !== undefined && numeric) return undefined;
  const rule = policy.semver !== undefined ? `semver range "${policy.semver}"` : `pattern ${policy.pattern} (extract ${policy.extract}, ${policy.sort})`;
  return `the pinned tag "${ref.tag}" of ${name} ${key === undefined ? 'is not one its' : `gives "${key}", which is not a number for its`} ${rule} selects, so Flux would move it at once`;
}

function parseRef(value: string, position: () => SourcePosition): TaggedImageRef {
  try {
    return ImageRef.parseTagged(value);
  } catch (error) {
    if (error instanceof InvalidImageRefError) throw new ConfigError({ ...position(), message: error.message, hint: error.hint });
    throw error;
  }
}

async function readUserFile(root: string, file: string): Promise<string> {
  let bytes: Buffer;
  try {
    bytes = await readFile(join(root, file));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new ConfigError({ file, line: 1, col: 1, message: 'file not found', hint: `create ${file}; see README.md for its fields` });
    }
    if ((error as NodeJS.ErrnoException).code === 'EISDIR') {
      throw new ConfigError({
        file,
        line: 1,
        col: 1,
        message: 'is a folder, not a file',
        hint: `replace the folder ${file} with the YAML file; see README.md for its fields`,
      });
    }
    throw error;
  }
  return decodeUserText(file, bytes);
}

/**
 * The text of a user's overlay file, refusing what Manifold could not write back byte for byte:
 * invalid UTF-8 (decoding would replace it), a byte-order mark (dropped on writing), NUL bytes and CR
 * line endings (Flux and Manifold write LF).
 */
export function decodeUserText(file: string, bytes: Buffer): string {
  const text = bytes.toString('utf8');
  if (!Buffer.from(text, 'utf8').equals(bytes)) {
    let offset = 0;
    const encoded = Buffer.from(text, 'utf8');
    while (offset < bytes.length && bytes[offset] === encoded[offset]) offset++;
    throw new ConfigError({
      ...bytePosition(file, bytes, offset),
      message: `invalid UTF-8 (byte 0x${(bytes[offset] ?? 0).toString(16).padStart(2, '0')})`,
      hint: 'save the file as UTF-8; Manifold never rewrites a file it cannot read back exactly',
    });
  }
  if (text.startsWith('\uFEFF')) {
    throw new ConfigError({
      file,
      line: 1,
      col: 1,
      message: 'starts with a byte-order mark; Flux and Manifold write the file back without it',
      hint: 'save the file as UTF-8 without BOM',
    });
  }
  const nul = bytes.indexOf(0x00);
  if (nul >= 0) {
    throw new ConfigError({
      ...bytePosition(file, bytes, nul),
      message: 'contains a NUL byte',
      hint: 'remove it: YAML files are text, and Flux would refuse the file',
    });
  }
  const carriageReturn = bytes.indexOf(0x0d);
  if (carriageReturn >= 0) {
    throw new ConfigError({
      ...bytePosition(file, bytes, carriageReturn),
      message: 'line ends with CR (Windows line endings); Flux and Manifold write this file with LF only, so it would end up mixed',
      hint: `convert the file to LF line endings (e.g. dos2unix ${file}) and keep it so with "overlays/** text eol=lf" in .gitattributes`,
    });
  }
  return text;
}

function bytePosition(file: string, bytes: Buffer, offset: number): SourcePosition {
  const before = bytes.subarray(0, offset);
  const lineStart = before.lastIndexOf(0x0a) + 1;
  let line = 1;
  for (const byte of before) if (byte === 0x0a) line++;
  return { file, line, col: before.subarray(lineStart).toString('utf8').length + 1 };
}
