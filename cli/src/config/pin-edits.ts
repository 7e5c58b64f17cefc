/**
 * Structural edits to images.yaml (set a ref, hold or release, record provenance, add a pin),
 * written back in the style Flux writes, so comments stay and a later Flux commit changes only values.
 */
import { isMap, visit } from 'yaml';
import { parseFluxDocuments, serializeFluxDocuments } from '../yaml/kyaml-style.ts';
import { isYaml11NonString } from '../yaml/yaml11-scalars.ts';
import type { PinSource } from './images-schema.ts';
import type { Environment } from './load-environment.ts';

/** One change to one pin. */
export interface PinEdit {
  readonly app: string;
  readonly image: string;
  /** The new full reference. @default unchanged */
  readonly ref?: string;
  /** true to hold, false to release. @default unchanged */
  readonly hold?: boolean;
  /** Provenance to record. @default unchanged */
  readonly source?: PinSource;
  /** The update policy of a pin this edit adds, as its images.yaml spells it (a pin that exists keeps its own). */
  readonly update?: Readonly<Record<string, unknown>>;
}

/** images.yaml text of `env` with `edits` applied. */
export function editPins(env: Environment, edits: readonly PinEdit[]): string {
  const documents = parseFluxDocuments(env.sources.images.text);
  const document = documents?.[0]?.document;
  if (!documents || !document) throw new Error(`${env.sources.images.file} cannot be parsed as Flux would`);
  if (!isMap(document.contents)) document.contents = document.createNode({}) as unknown as typeof document.contents;
  for (const edit of edits) {
    const pin = [edit.app, edit.image];
    if (edit.ref !== undefined) {
      const existing = document.getIn([...pin, 'ref'], true);
      if (existing && typeof existing === 'object' && 'value' in existing) existing.value = edit.ref;
      else {
        document.setIn([...pin, 'ref'], edit.ref);
        if (edit.update) document.setIn([...pin, 'update'], document.createNode(edit.update));
      }
    }
    if (edit.hold === true) document.setIn([...pin, 'hold'], 'true');
    if (edit.hold === false) document.deleteIn([...pin, 'hold']);
    if (edit.source !== undefined) {
      document.deleteIn([...pin, 'source']);
      const fields = Object.entries(edit.source).filter(([, value]) => value !== undefined);
      const node = document.createNode(Object.fromEntries(fields));
      // Every value here is a string: quote the ones YAML would read as numbers or booleans.
      visit(node, {
        Scalar(key, scalar) {
          if (key !== 'key' && isYaml11NonString(String(scalar.value))) scalar.type = 'QUOTE_DOUBLE';
        },
      });
      document.setIn([...pin, 'source'], node);
    }
  }
  return serializeFluxDocuments(documents);
}

/** images.yaml text of `env` without any pin of `app` (its whole entry), in the style Flux writes. */
export function removeAppPins(env: Environment, app: string): string {
  const documents = parseFluxDocuments(env.sources.images.text);
  const document = documents?.[0]?.document;
  if (!documents || !document) throw new Error(`${env.sources.images.file} cannot be parsed as Flux would`);
  document.deleteIn([app]);
  return serializeFluxDocuments(documents);
}
