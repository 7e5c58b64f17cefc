/** What changes in one environment's rendered objects between two versions of dist/<env>/. */
import { posix } from 'node:path';
import { diffLines } from 'diff';
import { parseAllDocuments } from 'yaml';
import { type KubernetesObject, objectIdentity } from '../render/object-identity.ts';
import { changedFields } from './changed-fields.ts';

/** An object that is new or gone: how people name it and the file it is in (relative to dist/<env>/). */
export interface ObjectEntry {
  readonly object: string;
  readonly file: string;
}

/** An object in both versions whose fields differ. */
export interface ChangedObject extends ObjectEntry {
  /** Paths of the fields that differ, e.g. `spec.template.spec.containers[name=web].image`. */
  readonly fields: readonly string[];
}

/** The difference of one environment, object by object and line by line. */
export interface EnvironmentChanges {
  readonly env: string;
  readonly added: readonly ObjectEntry[];
  readonly removed: readonly ObjectEntry[];
  readonly changed: readonly ChangedObject[];
  /** The plain text difference of the files: how many differ, and lines added and removed. */
  readonly raw: { readonly files: number; readonly added: number; readonly removed: number };
}

/**
 * Compares two versions of dist/<env>/ (file path → text). Objects are matched by API group, kind,
 * namespace and name, so an object that moves to another file or API version is one change, not a
 * removal and an addition. Kustomize files count in the raw difference only.
 */
export function compareObjects(env: string, before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>): EnvironmentChanges {
  const old = objectsOf(before);
  const now = objectsOf(after);
  const added: ObjectEntry[] = [];
  const removed: ObjectEntry[] = [];
  const changed: ChangedObject[] = [];
  for (const [key, entry] of now) {
    const previous = old.get(key);
    if (!previous) added.push({ object: entry.label, file: entry.file });
    else {
      const fields = changedFields(previous.value, entry.value);
      if (fields.length > 0) changed.push({ object: entry.label, file: entry.file, fields });
    }
  }
  for (const [key, entry] of old) if (!now.has(key)) removed.push({ object: entry.label, file: entry.file });
  const byObject = (a: ObjectEntry, b: ObjectEntry) => (a.object < b.object ? -1 : a.object > b.object ? 1 : 0);
  return { env, added: added.sort(byObject), removed: removed.sort(byObject), changed: changed.sort(byObject), raw: rawDifference(before, after) };
}

/** True when nothing differs. */
export function isUnchanged(changes: EnvironmentChanges): boolean {
  return changes.raw.files === 0;
}

interface ParsedObject {
  readonly label: string;
  readonly file: string;
  readonly value: unknown;
}

/** The Kubernetes objects in `files` by identity key; files that are not objects (kustomizations, unparsable text) are left out. */
function objectsOf(files: ReadonlyMap<string, string>): Map<string, ParsedObject> {
  const objects = new Map<string, ParsedObject>();
  for (const [file, text] of files) {
    if (posix.basename(file) === 'kustomization.yaml' || !/\.(ya?ml|json)$/.test(file)) continue;
    for (const document of parseAllDocuments(text)) {
      if (document.errors.length > 0) continue;
      const value = document.toJS({ maxAliasCount: 100 }) as Partial<KubernetesObject> | null;
      if (typeof value?.apiVersion !== 'string' || typeof value.kind !== 'string' || typeof value.metadata?.name !== 'string') continue;
      const { key, label } = objectIdentity(value as KubernetesObject);
      objects.set(key, { label, file, value });
    }
  }
  return objects;
}

function rawDifference(before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>): EnvironmentChanges['raw'] {
  let files = 0;
  let added = 0;
  let removed = 0;
  for (const path of new Set([...before.keys(), ...after.keys()])) {
    const a = before.get(path) ?? '';
    const b = after.get(path) ?? '';
    if (a === b && before.has(path) === after.has(path)) continue;
    files++;
    for (const part of diffLines(a, b)) {
      if (part.added) added += part.count ?? 0;
      else if (part.removed) removed += part.count ?? 0;
    }
  }
  return { files, added, removed };
}
