/**
 * Keeps the Flux marker at the end of each pin's `ref` line in images.yaml, touching nothing else:
 * every other byte stays as the user wrote it.
 */
import { imagePolicyMarker } from '@manifold/constructs/core';
import { ConfigError } from '../errors/config-error.ts';
import type { Environment } from './load-environment.ts';

const MARKER_COMMENT = /^\s*#\s*\{\s*"\$imagepolicy"\s*:.*\}\s*$/;

/**
 * images.yaml text with every pin's marker as it should be: present when Flux may move the pin,
 * absent when it may not. The same string when nothing changes.
 */
export function syncPinMarkers(env: Environment): string {
  const { text } = env.sources.images;
  const edits: { start: number; end: number; replacement: string }[] = [];
  for (const pin of env.pins.values()) {
    const valueEnd = env.sources.images.valueEnd([pin.app, pin.image, 'ref']);
    if (valueEnd === undefined) continue;
    const lineEnd = text.indexOf('\n', valueEnd) === -1 ? text.length : text.indexOf('\n', valueEnd);
    const rest = text.slice(valueEnd, lineEnd);
    const wanted = pin.policy ? ` #${imagePolicyMarker(pin.policy, 'full')}` : '';
    if (rest === wanted) continue;
    if (rest.trim() !== '' && !MARKER_COMMENT.test(rest)) {
      if (!pin.policy) continue;
      throw new ConfigError({
        ...pin.position,
        message: `the ref of ${pin.app}/${pin.image} has a comment where Flux needs its marker`,
        hint: 'move the comment to the line above the ref',
      });
    }
    edits.push({ start: valueEnd, end: lineEnd, replacement: wanted });
  }
  // One pass over the text, so many edits cost what the file's size does.
  const parts: string[] = [];
  let copied = 0;
  for (const edit of edits.sort((a, b) => a.start - b.start)) {
    parts.push(text.slice(copied, edit.start), edit.replacement);
    copied = edit.end;
  }
  parts.push(text.slice(copied));
  return parts.join('');
}
