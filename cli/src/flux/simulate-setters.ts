/**
 * A faithful simulation of one image-automation-controller run with the Setters strategy
 * (docs/flux-setters.md §2–4): which files it reads, which markers it honours, what it writes.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, posix, relative } from 'node:path';
import { Document, isMap, isScalar, isSeq } from 'yaml';
import { findMarkedScalars } from '../markers/marked-scalars.ts';
import { type LatestImageRef, MARKER_BYTES, setterValue } from '../markers/setter-markers.ts';
import { type FluxDocument, isNullDocument, parseFluxDocuments, serializeFluxDocuments } from '../yaml/kyaml-style.ts';
import { isYaml11NonString } from '../yaml/yaml11-scalars.ts';

/** The object a change was made in, as the controller identifies it (empty strings where a field is absent). */
export interface ObjectIdentity {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace: string;
}

/** One value a setter changed. */
export interface SetterChange {
  /** File path relative to the update path, as Flux reports it in `.Changed.FileChanges`. */
  readonly file: string;
  readonly object: ObjectIdentity;
  readonly setter: string;
  readonly oldValue: string;
  readonly newValue: string;
}

/** The outcome of a run: the files Flux would write (relative to the repository) and every change. */
export interface SetterRun {
  readonly files: Map<string, string>;
  readonly changes: SetterChange[];
}

const INT = /^[-+]?(0|[1-9][0-9_]*|0b[01_]+|0o?[0-7_]+|0x[0-9a-fA-F_]+)$/;
const FLOAT = /^[-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?$|^[-+]?\.(inf|Inf|INF)$|^\.(nan|NaN|NAN)$/;

/**
 * Runs the setters of `policies` (keyed `namespace:name`) over the files below `updatePath` of the
 * repository at `root`. Reads only; the caller decides whether to write `files`.
 */
export function runSetters(root: string, updatePath: string, policies: ReadonlyMap<string, LatestImageRef>): SetterRun {
  const base = join(root, updatePath);
  const files = new Map<string, string>();
  const changes: SetterChange[] = [];
  // Items of List files: resources of their own, without a file (kyaml unwraps them on reading).
  const listItems: FluxDocument[] = [];
  for (const path of candidateFiles(base)) {
    const bytes = readFileSync(path);
    const text = bytes.toString('utf8');
    if (!text.includes(MARKER_BYTES)) continue;
    // Decoding would replace invalid bytes, and writing would then change them: go-yaml refuses such a file.
    if (!Buffer.from(text, 'utf8').equals(bytes)) {
      throw new ControllerFailure(
        relative(root, path),
        'is not valid UTF-8: the controller cannot read it ("invalid leading UTF-8 octet"), and the run fails',
        'save the file as UTF-8, or keep it out of the update path',
      );
    }
    const documents = parseFluxDocuments(text);
    // kyaml's reader annotates each document that is not null with its path: one that is not a
    // mapping fails that, and the controller skips the file as a problem file.
    if (!documents || documents.some(({ document }) => !isNullDocument(document) && !isMap(document.contents))) continue;
    const items = unwrapList(documents, relative(root, path));
    if (items) {
      for (const item of items) listItems.push(item);
      continue;
    }
    const file = relative(base, path);
    const fileChanges = applySetters(documents, policies).map((change) => ({ ...change, file }));
    if (fileChanges.length === 0) continue;
    // One push per change: spreading tens of thousands of arguments overflows the stack.
    for (const change of fileChanges) changes.push(change);
    files.set(relative(root, path), serializeFluxDocuments(documents));
  }
  const itemChanges = applySetters(listItems, policies).map((change) => ({ ...change, file: '' }));
  if (itemChanges.length > 0) {
    for (const change of itemChanges) changes.push(change);
    for (const [path, items] of itemFiles(listItems)) files.set(relative(root, join(base, path)), serializeFluxDocuments(items));
  }
  return { files, changes };
}

/** A file the controller cannot process, which makes the whole run fail. */
export class ControllerFailure extends Error {
  constructor(
    readonly file: string,
    message: string,
    /** What to do about it. */
    readonly hint: string,
  ) {
    super(message);
    this.name = 'ControllerFailure';
  }
}

/**
 * The items of a `List` (or `ResourceList`) file, as kyaml reads them: only when the file is a single
 * document with `items` (or `functionConfig`); each item is a resource of its own with no file, so it
 * is written with compact sequences. An item without apiVersion, kind or metadata fails the run.
 */
function unwrapList(documents: readonly FluxDocument[], file: string): FluxDocument[] | undefined {
  const [only] = documents;
  const contents = only?.document.contents;
  if (documents.length !== 1 || !only || !isMap(contents)) return undefined;
  const kindNode = contents.get('kind', true);
  const kind = isScalar(kindNode) ? String(kindNode.value) : '';
  if ((kind !== 'List' && kind !== 'ResourceList') || !(contents.has('items') || contents.has('functionConfig'))) return undefined;
  const items = contents.get('items', true);
  if (!isSeq(items)) return [];
  return items.items.map((item) => {
    const document = new Document(item) as unknown as Document.Parsed;
    const resource: FluxDocument = { document, text: only.text, sequenceStyle: 'compact' };
    const identity = objectIdentity(resource);
    if (!identity.apiVersion && !identity.kind && !isMap(isMap(item) ? item.get('metadata', true) : undefined)) {
      throw new ControllerFailure(
        file,
        'a List item has no apiVersion, kind or metadata: the controller fails the whole run ("missing Resource metadata")',
        'give every item apiVersion, kind and metadata.name, or keep the file out of the update path',
      );
    }
    return resource;
  });
}

/** The files kyaml writes List items to: `[<namespace>/]<kind>_<name>.yaml` below the update path, items in reading order. */
function itemFiles(items: readonly FluxDocument[]): Map<string, FluxDocument[]> {
  const byPath = new Map<string, FluxDocument[]>();
  for (const item of items) {
    const { kind, name, namespace } = objectIdentity(item);
    const path = posix.join(namespace, `${kind.toLowerCase()}_${name}.yaml`);
    byPath.set(path, [...(byPath.get(path) ?? []), item]);
  }
  return byPath;
}

// Folders a Flux clone of the repository never has: they are untracked here.
const UNTRACKED_FOLDERS = new Set(['node_modules', '.cache', '.turbo', '.git']);

/**
 * Every YAML file Flux reads below `base`: `*.yaml`, `*.yml` and `Kustomization`, hidden folders
 * included (except local, untracked ones).
 */
function candidateFiles(base: string): string[] {
  const info = statSync(base, { throwIfNoEntry: false });
  if (!info) return [];
  if (info.isFile()) return [base];
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!UNTRACKED_FOLDERS.has(entry.name)) walk(path);
      } else if (entry.isFile() && isYamlName(entry.name)) found.push(path);
      // A symbolic link is neither read nor written: it may lead out of the update path (a hostile checkout).
    }
  };
  walk(base);
  return found;
}

function isYamlName(name: string): boolean {
  return name.endsWith('.yaml') || name.endsWith('.yml') || name === 'Kustomization';
}

function applySetters(documents: readonly FluxDocument[], policies: ReadonlyMap<string, LatestImageRef>): Omit<SetterChange, 'file'>[] {
  const marked = findMarkedScalars(documents).flatMap(({ node, marker, document }) => {
    const ref = policies.get(marker.policy);
    return ref ? [{ node, marker, ref, object: objectIdentity(document) }] : [];
  });
  const changes: Omit<SetterChange, 'file'>[] = [];
  for (const { node, marker, ref, object } of marked) {
    const oldValue = String(node.value);
    const newValue = setterValue(ref, marker.field);
    if (oldValue !== newValue) {
      changes.push({ object, setter: marker.field === 'full' ? marker.policy : `${marker.policy}:${marker.field}`, oldValue, newValue });
      if (node.type === 'PLAIN' && resolvesToNumber(oldValue) && !resolvesToNumber(newValue)) {
        // go-yaml keeps the number tag of the old plain value and writes it out explicitly (broken).
        node.tag = INT.test(oldValue) ? 'tag:yaml.org,2002:int' : 'tag:yaml.org,2002:float';
      }
      node.value = newValue;
    }
  }
  if (changes.length === 0) return changes;
  // FormatNonStringStyle runs on every marked scalar of a file that is written, changed or not.
  for (const { node } of marked) {
    const value = String(node.value);
    if (value === '' || (node.type === 'PLAIN' && !node.tag && isYaml11NonString(value))) node.type = 'QUOTE_DOUBLE';
  }
  return changes;
}

/** apiVersion, kind, metadata.name and metadata.namespace of a document, as read before any change. */
function objectIdentity({ document }: FluxDocument): ObjectIdentity {
  const text = (path: string[]): string => {
    const node = document.getIn(path, true);
    return isScalar(node) && typeof node.value === 'string' ? node.value : '';
  };
  return { apiVersion: text(['apiVersion']), kind: text(['kind']), name: text(['metadata', 'name']), namespace: text(['metadata', 'namespace']) };
}

function resolvesToNumber(value: string): boolean {
  return INT.test(value) || FLOAT.test(value);
}
