/** Serialises Kubernetes objects in the exact YAML style Flux writes back unchanged (cdk8s's style). */
import { Document, isMap, isScalar, isSeq, visit, type Scalar } from 'yaml';
import type { MarkedValues } from './environment-context.ts';

/** cdk8s's `Yaml.stringify` options: no wrapping, YAML 1.1 quoting, undefined kept out of maps. */
const STYLE = { keepUndefined: true, lineWidth: 0, version: '1.1' } as const;
const QUOTED_FIELDS = /:(tag|digest)"}$/;

/**
 * One YAML file holding `objects`, joined by `---` with no leading separator and a final newline.
 * A string value listed in `markedValues` gets its Flux marker as the value's line comment; `:tag`
 * and `:digest` values are double-quoted so Flux never re-quotes them.
 */
export function emitYaml(objects: readonly unknown[], markedValues: MarkedValues = new Map()): string {
  return objects.map((object) => emitDocument(object, markedValues)).join('---\n');
}

function emitDocument(object: unknown, markedValues: MarkedValues): string {
  const document = new Document(object, STYLE);
  visit(document, {
    Scalar(key, node, path) {
      if (key === 'key' || typeof node.value !== 'string') return;
      const marker = markedValues.get(node.value);
      if (marker === undefined) return;
      const parent = path.at(-1);
      // Markers go on block mapping values and block sequence items only; never on keys.
      if (!(isSeq(parent) || isPairValue(parent))) return;
      attachMarker(node, marker);
    },
  });
  return document.toString(STYLE);
}

function isPairValue(parent: unknown): boolean {
  return typeof parent === 'object' && parent !== null && 'value' in parent && !isMap(parent) && !isScalar(parent);
}

function attachMarker(node: Scalar, marker: string): void {
  node.comment = marker;
  if (QUOTED_FIELDS.test(marker)) node.type = 'QUOTE_DOUBLE';
}
