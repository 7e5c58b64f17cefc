/** Where Flux finds setter markers in a YAML document, as its kyaml reader attaches comments. */
import { isAlias, isMap, isPair, isSeq, type Scalar, visit } from 'yaml';
import { commentedFlow, flowScalars } from '../yaml/go-yaml-flow.ts';
import type { FluxDocument } from '../yaml/kyaml-style.ts';
import { parseSetterMarker, type SetterMarker } from './setter-markers.ts';

/** A scalar carrying a marker Flux honours, and the document it is in. */
export interface MarkedScalar {
  readonly node: Scalar;
  readonly marker: SetterMarker;
  readonly document: FluxDocument;
}

/**
 * Every marker Flux sees in `documents`: the first non-empty of line comment and head comment of a
 * mapping value or sequence item (never a key, never an alias).
 */
export function findMarkedScalars(documents: readonly FluxDocument[]): MarkedScalar[] {
  const found: MarkedScalar[] = [];
  for (const fluxDocument of documents) {
    const inFlow = flowComments(fluxDocument);
    visit(fluxDocument.document, {
      Scalar(key, node, path) {
        if (key === 'key' || isAlias(node)) return;
        const parent = path.at(-1);
        if (!(isSeq(parent) || isPair(parent))) return;
        const flow = inFlow.get(node);
        // A comment above a sequence's first item is kept on the sequence by the parser.
        const headComment = flow ? flow.head : node.commentBefore || (isSeq(parent) && parent.items[0] === node ? parent.commentBefore : undefined);
        const marker = parseSetterMarker((flow ? flow.line : node.comment) || headComment);
        if (marker) found.push({ node, marker, document: fluxDocument });
      },
    });
  }
  return found;
}

/**
 * The line and head comments go-yaml's parser gives the scalars of flow collections that hold
 * comments (go-yaml-flow.ts), where npm `yaml` attaches some of them elsewhere: the marker
 * on the last item of a multi-line flow sequence, say, is that item's line comment to the controller.
 */
function flowComments({ document, text }: FluxDocument): Map<Scalar, { readonly line: string | undefined; readonly head: string | undefined }> {
  const comments = new Map<Scalar, { line: string | undefined; head: string | undefined }>();
  visit(document, {
    Node(_key, node) {
      if (!(isMap(node) || isSeq(node)) || !node.flow) return;
      const flow = commentedFlow(node, text);
      if (!flow) return;
      for (const { scalar, isKey } of flowScalars(flow)) {
        if (isKey) continue;
        const head = scalar.head.length === 0 ? undefined : scalar.head.map((line) => line.slice(1)).join('\n');
        comments.set(scalar.node, { line: scalar.line?.slice(1), head });
      }
      // The collections inside are read with this one.
      return visit.SKIP;
    },
  });
  return comments;
}
