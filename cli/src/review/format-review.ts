/** `manifold diff` output for people: plain text for a terminal, Markdown for a pull-request comment. */

import { codeSpanText } from '../pins/markdown-text.ts';
import { formatChangesMarkdown, formatChangesText, type PinChange } from '../pins/pin-changes.ts';
import { MAX_FIELDS } from './changed-fields.ts';
import { type EnvironmentChanges, isUnchanged } from './object-changes.ts';

/** Everything `manifold diff` found: the revision compared with, image pins that move, and object changes per environment. */
export interface Review {
  /** The revision as the user named it, and the commit it resolved to. */
  readonly base: { readonly revision: string; readonly commit: string };
  readonly images: readonly PinChange[];
  readonly environments: readonly EnvironmentChanges[];
}

/** The first line of every comment this tool writes, so a workflow finds and updates its own comment. */
export const COMMENT_MARKER = '<!-- manifold-diff -->';

/** Most objects listed per environment and kind of change in Markdown. */
const MAX_LISTED = 100;

/** Longest Markdown produced with object lists (GitHub refuses comments over 65,536 characters). */
const MAX_COMMENT = 60_000;

/** The review as plain text. */
export function formatReviewText({ base, images, environments }: Review): string {
  const lines = [`compared with ${base.revision} (${base.commit.slice(0, 12)})`, '', 'images:'];
  lines.push(
    ...formatChangesText(images)
      .trimEnd()
      .split('\n')
      .map((line) => `  ${line}`),
  );
  for (const changes of environments.filter((env) => !isUnchanged(env))) {
    lines.push('', `${changes.env}: ${summary(changes)}`);
    for (const { object } of changes.added) lines.push(`  + ${object}`);
    for (const { object } of changes.removed) lines.push(`  - ${object}`);
    for (const { object, fields } of changes.changed) lines.push(`  ~ ${object}: ${listFields(fields, (field) => field)}`);
  }
  if (environments.every(isUnchanged)) lines.push('', 'no rendered object changes');
  lines.push('', `raw diff: ${rawSummary(environments)}`);
  return `${lines.join('\n')}\n`;
}

/** The review as a Markdown pull-request comment, starting with {@link COMMENT_MARKER}; object lists are left out when they would not fit in one. */
export function formatReviewMarkdown(review: Review): string {
  const full = markdown(review, true);
  return full.length <= MAX_COMMENT ? full : markdown(review, false);
}

function markdown({ base, images, environments }: Review, details: boolean): string {
  const moved = environments.filter((env) => !isUnchanged(env));
  const lines = [COMMENT_MARKER, '### What this change deploys', '', `Compared with \`${codeSpanText(base.revision)}\` (${base.commit.slice(0, 12)}).`, ''];
  lines.push('#### Images', '', formatChangesMarkdown(images).trimEnd(), '', '#### Objects', '');
  if (moved.length === 0) lines.push('No rendered object changes.');
  else {
    lines.push('| environment | added | removed | changed |', '|---|---|---|---|');
    for (const env of moved) lines.push(`| ${env.env} | ${env.added.length} | ${env.removed.length} | ${env.changed.length} |`);
    if (!details) lines.push('', `Too many changes to list here: run \`pnpm manifold diff --base ${codeSpanText(base.commit.slice(0, 12))}\` to see them.`);
    for (const env of details ? moved : []) {
      lines.push('', `<details><summary>${env.env}: ${summary(env)}</summary>`, '');
      lines.push(...capped(env.added.map(({ object }) => `- added \`${codeSpanText(object)}\``)));
      lines.push(...capped(env.removed.map(({ object }) => `- removed \`${codeSpanText(object)}\``)));
      lines.push(
        ...capped(
          env.changed.map(({ object, fields }) => `- changed \`${codeSpanText(object)}\`: ${listFields(fields, (field) => `\`${codeSpanText(field)}\``)}`),
        ),
      );
      lines.push('', '</details>');
    }
  }
  lines.push('', `Raw diff of \`dist/\`: ${rawSummary(environments)}.`);
  return `${lines.join('\n')}\n`;
}

function summary({ added, removed, changed }: EnvironmentChanges): string {
  const parts = [
    [added.length, 'added'],
    [removed.length, 'removed'],
    [changed.length, 'changed'],
  ].filter(([count]) => count !== 0);
  return parts.length === 0 ? 'only kustomize files change' : parts.map(([count, word]) => `${count} ${word}`).join(', ');
}

function rawSummary(environments: readonly EnvironmentChanges[]): string {
  const total = environments.reduce((sum, { raw }) => ({ files: sum.files + raw.files, added: sum.added + raw.added, removed: sum.removed + raw.removed }), {
    files: 0,
    added: 0,
    removed: 0,
  });
  return `${total.files} ${total.files === 1 ? 'file' : 'files'}, +${total.added} −${total.removed} lines`;
}

function listFields(fields: readonly string[], show: (field: string) => string): string {
  const listed = fields.slice(0, MAX_FIELDS).map(show).join(', ');
  return fields.length > MAX_FIELDS ? `${listed} and ${fields.length - MAX_FIELDS} more` : listed;
}

function capped(lines: readonly string[]): string[] {
  return lines.length > MAX_LISTED ? [...lines.slice(0, MAX_LISTED), `- … and ${lines.length - MAX_LISTED} more`] : [...lines];
}
