/** Edits of environment.yaml that keep every comment and setting a person wrote (new app, new env). */
import { type Document, isMap, isNode, isSeq, parseDocument } from 'yaml';

const WRITE_OPTIONS = { lineWidth: 0, flowCollectionPadding: false } as const;

/** `text` (an environment.yaml) with `apps:` listing exactly `apps`, in that order. */
export function withApps(text: string, apps: readonly string[]): string {
  return edit(text, (document) => {
    const existing = document.get('apps', true);
    const list = document.createNode([...apps]);
    if (isSeq(existing)) list.flow = existing.flow;
    document.set('apps', list);
  });
}

/** `text` with each of `values` (a path of keys → scalar) set; a path whose parent is missing is created. */
export function withValues(text: string, values: ReadonlyArray<readonly [readonly string[], string]>): string {
  return edit(text, (document) => {
    for (const [path, value] of values) document.setIn([...path], value);
  });
}

/** `text` with its head comment (the lines before the first key) replaced by `comment`, keeping a `yaml-language-server` line. */
export function withHeadComment(text: string, comment: string): string {
  return edit(text, (document) => {
    // The yaml library attaches a comment right above the first key to that key, else to the document.
    const first = isMap(document.contents) ? document.contents.items[0]?.key : undefined;
    const holder = isNode(first) && first.commentBefore ? first : document;
    const kept = (holder.commentBefore ?? '').split('\n').filter((line) => line.trim().startsWith('yaml-language-server:'));
    holder.commentBefore = [...kept, ` ${comment}`].join('\n');
  });
}

function edit(text: string, change: (document: Document) => void): string {
  const document = parseDocument(text);
  change(document);
  return `${document.toString(WRITE_OPTIONS).trimEnd()}\n`;
}
