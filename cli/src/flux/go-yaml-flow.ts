/**
 * Flow collections without comments, written as go-yaml v3's emitter writes them (emitterc.go,
 * `yaml_emitter_emit_flow_sequence_item`, `yaml_emitter_emit_flow_mapping_key` and `_value`, with
 * kyaml's unlimited line width): on one line, `[a, b]` and `{k: v}`, nested collections the same.
 *
 * Where go-yaml differs from npm `yaml`:
 * - a key that is not simple (`yaml_emitter_check_simple_key`: a collection that is not empty, or a
 *   scalar longer than 128 bytes) is written `? key : value`;
 * - an empty value (`{a}`, `{a: }`) is an untagged empty scalar to go-yaml's parser, which its
 *   emitter cannot write plain inside a flow collection: it writes `''`;
 * - a pair in a flow sequence (`[a: 1]`) is a mapping to go-yaml: `[{a: 1}]`.
 */
import { isMap, isPair, isScalar, isSeq, type Pair, type Scalar, type YAMLMap, type YAMLSeq } from 'yaml';

/** Longest key, in bytes, go-yaml writes as a simple `key: value`; longer ones get `? key` / `: value`. */
const SIMPLE_KEY_MAX_BYTES = 128;

/**
 * Whether go-yaml writes `node` as a simple key (`key: value`) rather than `? key`: an empty collection
 * or a scalar on one line whose anchor name, tag and value come to at most 128 bytes
 * (`yaml_emitter_check_simple_key`).
 */
export function isSimpleKey(node: unknown): boolean {
  if (!isMap(node) && !isSeq(node) && !isScalar(node)) return true;
  const decorations = Buffer.byteLength(node.anchor ?? '') + Buffer.byteLength(node.tag ? goYamlTag(node.tag).counted : '');
  if (isMap(node) || isSeq(node)) return node.items.length === 0 && decorations <= SIMPLE_KEY_MAX_BYTES;
  return decorations + Buffer.byteLength(String(node.value ?? '')) <= SIMPLE_KEY_MAX_BYTES;
}

const YAML_TAG_PREFIX = 'tag:yaml.org,2002:';

/**
 * A tag as go-yaml writes it (`!!str`, `!local`, or `!<uri>` when no tag directive shortens it), and
 * the part of it go-yaml counts against a simple key's 128 bytes (its handle and suffix: the URI alone
 * for `!<uri>`).
 */
export function goYamlTag(tag: string): { readonly written: string; readonly counted: string } {
  if (tag.startsWith(YAML_TAG_PREFIX)) return { written: `!!${tag.slice(YAML_TAG_PREFIX.length)}`, counted: `!!${tag.slice(YAML_TAG_PREFIX.length)}` };
  if (tag.startsWith('!')) return { written: tag, counted: tag };
  return { written: `!<${tag}>`, counted: tag };
}

/**
 * `collection` (parsed from `text`) as go-yaml writes it, each scalar as `spell` writes it inside a
 * flow collection; undefined when it holds a comment, an anchor, a tag, an alias, a merge key or a
 * scalar on several lines (line and paragraph separators included, unless double-quoted), which are
 * left to the caller's usual writing.
 */
export function goYamlFlow(collection: YAMLMap | YAMLSeq, text: string, spell: (node: Scalar) => string): string | undefined {
  const scalars: Scalar[] = [];
  if (!plain(collection, scalars, true)) return undefined;
  const [start = 0, end = 0] = collection.range ?? [];
  for (let at = text.indexOf('#', start); at >= 0 && at < end; at = text.indexOf('#', at + 1)) {
    if (!scalars.some(({ range }) => range && range[0] <= at && at < range[1])) return undefined;
  }
  return write(collection);

  function write(node: unknown): string {
    if (isSeq(node)) return `[${node.items.map((item) => (isPair(item) ? `{${entry(item)}}` : write(item))).join(', ')}]`;
    if (isMap(node)) return `{${node.items.map(entry).join(', ')}}`;
    return isScalar(node) && !(node.type === 'PLAIN' && String(node.value) === '') ? spell(node) : "''";
  }

  function entry(pair: Pair): string {
    return isSimpleKey(pair.key) ? `${write(pair.key)}: ${write(pair.value)}` : `? ${write(pair.key)} : ${write(pair.value)}`;
  }
}

/** Whether `node` and everything in it has no comment, anchor, tag or alias and no scalar on several lines; collects the scalars. */
function plain(node: unknown, scalars: Scalar[], outer = false): boolean {
  if (node === null || node === undefined) return true;
  if (isPair(node)) return plain(node.key, scalars) && plain(node.value, scalars);
  if (!isMap(node) && !isSeq(node) && !isScalar(node)) return false;
  if (node.anchor || node.tag || (!outer && (node.comment || node.commentBefore))) return false;
  if (isScalar(node)) {
    scalars.push(node);
    // A plain `<<` is a merge key to go-yaml, written with its tag.
    if (node.type === 'PLAIN' && node.value === '<<') return false;
    return !/[\n\u2028\u2029]/.test(String(node.value)) || node.type === 'QUOTE_DOUBLE';
  }
  return node.items.every((item) => plain(item, scalars));
}
