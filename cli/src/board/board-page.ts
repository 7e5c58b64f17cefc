/**
 * The release board as one self-contained HTML file: everything rendered into the page (it reads
 * without JavaScript), styles and a small script inline (no CDN, works from file:// and any static
 * host). The script only filters and adds relative ages at view time, so the file itself is the
 * same for the same repository state.
 */
import { createHash } from 'node:crypto';
import { evidenceSummary } from '../config/images-schema.ts';
import type { BoardCell, BoardData, HistoryEvent } from './board-data.ts';

/** The page for `data`. */
export function renderBoardPage(data: BoardData): string {
  const waitingByCell = new Map<string, string[]>();
  for (const branch of data.waiting) {
    for (const change of branch.changes)
      waitingByCell.set(`${branch.env} ${change.image}`, [...(waitingByCell.get(`${branch.env} ${change.image}`) ?? []), change.to]);
  }
  const driftByCell = new Map(data.drift.flatMap(({ env, differing }) => differing.map((entry) => [`${env} ${entry.image}`, entry.esc] as const)));
  const apps = [...new Set(data.images.map((image) => image.split('/')[0] ?? ''))];
  const cellOf = new Map(data.cells.map((cell) => [`${cell.env} ${cell.image}`, cell]));
  const context: PageContext = { commitUrl: data.commitUrl, waitingByCell, driftByCell };
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}">
<title>Release board</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>Release board</h1>
<p class="summary">${data.images.length} images × ${data.environments.length} environments (${data.promotionPaths.map((path) => path.map(escapeHtml).join(' → ')).join('; ')})${
    data.generatedAt ? ` · generated <time datetime="${escapeHtml(data.generatedAt)}">${escapeHtml(data.generatedAt)}</time>` : ''
  }</p>
</header>
<main>
<form id="filters" class="filters" aria-label="Filters">
${select(
  'filter-app',
  'App',
  'All apps',
  apps.map((app) => [app, app]),
)}
${select(
  'filter-env',
  'Environment',
  'All environments',
  data.environments.map((env) => [env, env]),
)}
${select('filter-state', 'State', 'Any state', [
  ['auto', 'auto (Flux moves it)'],
  ['pinned', 'pinned'],
  ['held', 'held (rolled back)'],
  ['waiting', 'waiting in a Flux branch'],
  ['drift', 'differs from ESC'],
])}
</form>
<section aria-labelledby="matrix-title">
<h2 id="matrix-title">What runs where</h2>
<div class="scroll" tabindex="0" role="region" aria-labelledby="matrix-title">
<table id="matrix">
<thead><tr><th scope="col">Image</th>${data.environments.map((env) => `<th scope="col" data-env="${escapeHtml(env)}">${escapeHtml(env)}</th>`).join('')}</tr></thead>
<tbody>
${data.images
  .map(
    (image) =>
      `<tr data-app="${escapeHtml(image.split('/')[0] ?? '')}" data-image="${escapeHtml(image)}"><th scope="row">${escapeHtml(image)}</th>${data.environments
        .map((env) => renderCell(env, image, cellOf.get(`${env} ${image}`), context))
        .join('')}</tr>`,
  )
  .join('\n')}
</tbody>
</table>
</div>
</section>
<section aria-labelledby="waiting-title">
<h2 id="waiting-title">Waiting</h2>
${renderWaiting(data)}
</section>
<section aria-labelledby="history-title">
<h2 id="history-title">Pin history</h2>
${data.images
  .map((image) =>
    renderHistory(
      image,
      data.history.filter((event) => event.image === image),
      context,
    ),
  )
  .join('\n')}
</section>
</main>
<script>${SCRIPT}</script>
</body>
</html>
`;
}

interface PageContext {
  readonly commitUrl: string | null;
  readonly waitingByCell: ReadonlyMap<string, string[]>;
  readonly driftByCell: ReadonlyMap<string, string>;
}

function renderCell(env: string, image: string, cell: BoardCell | undefined, context: PageContext): string {
  const app = escapeHtml(image.split('/')[0] ?? '');
  if (!cell)
    return `<td class="absent" data-env="${escapeHtml(env)}" data-app="${app}" data-state=""><span class="visually-hidden">not deployed</span><span aria-hidden="true">—</span></td>`;
  const waiting = context.waitingByCell.get(`${env} ${image}`);
  const drift = context.driftByCell.get(`${env} ${image}`);
  const states = [cell.mode, ...(waiting ? ['waiting'] : []), ...(drift ? ['drift'] : [])].join(' ');
  const source = cell.source;
  const by = source
    ? [
        source.by,
        source.actor,
        source.from ? `from ${source.from}` : undefined,
        source.run ? `run ${source.run}` : undefined,
        source.environment ? `ESC ${source.environment}` : undefined,
      ]
        .filter(Boolean)
        .map((part) => escapeHtml(String(part)))
        .join(' · ')
    : '';
  return `<td data-env="${escapeHtml(env)}" data-app="${app}" data-image="${escapeHtml(image)}" data-state="${states}">
<span class="tag">${escapeHtml(cell.tag)}</span>
<span class="digest"${cell.digest ? ` title="${escapeHtml(cell.digest)}"` : ''}>${cell.digest ? escapeHtml(cell.digest.slice(7, 19)) : 'no digest'}</span>
<span class="mode mode-${cell.mode}">${cell.mode}</span>${
    cell.since
      ? `\n<span class="age">${cell.sinceFrom === 'tag' ? 'built' : 'set'} <time datetime="${escapeHtml(cell.since)}">${escapeHtml(cell.since.slice(0, 16).replace('T', ' '))} UTC</time></span>`
      : ''
  }${by || cell.commit ? `\n<span class="by">${by ? `by ${by}` : ''}${cell.commit ? `${by ? ' · ' : ''}commit ${commitLink(cell.commit, context)}` : ''}</span>` : ''}${
    cell.trails ? `\n<span class="trails">${escapeHtml(cell.trails)}</span>` : ''
  }${
    source?.verified ? `\n<span class="flag verified" title="${escapeHtml(`signed by ${evidenceSummary(source.verified)}`)}">signature verified</span>` : ''
  }${waiting ? `\n<span class="flag waiting">waiting: ${waiting.map((ref) => escapeHtml(shortRef(ref))).join(', ')}</span>` : ''}${
    drift ? `\n<span class="flag drift">ESC has ${escapeHtml(shortRef(drift))}</span>` : ''
  }
</td>`;
}

function renderWaiting(data: BoardData): string {
  const parts: string[] = [];
  if (data.waiting.length === 0) parts.push('<p>No Flux image-update branch is ahead of the base.</p>');
  for (const branch of data.waiting) {
    parts.push(`<article class="waiting-branch" data-env="${escapeHtml(branch.env)}">
<h3>${escapeHtml(branch.ref)} <span class="muted">(${branch.ahead} commit${branch.ahead === 1 ? '' : 's'} ahead)</span></h3>
<ul>${branch.changes
      .map(
        (change) =>
          `<li data-app="${escapeHtml(change.image.split('/')[0] ?? '')}">${escapeHtml(branch.env)} ${escapeHtml(change.image)}: ${change.from ? escapeHtml(shortRef(change.from)) : '(new)'} → ${escapeHtml(shortRef(change.to))}</li>`,
      )
      .join('')}</ul>
</article>`);
  }
  for (const { env, differing } of data.drift) {
    parts.push(`<article class="drift" data-env="${escapeHtml(env)}">
<h3>${escapeHtml(env)} differs from Pulumi ESC</h3>
${
  differing.length === 0
    ? '<p>Every pin matches ESC.</p>'
    : `<ul>${differing.map((entry) => `<li data-app="${escapeHtml(entry.image.split('/')[0] ?? '')}">${escapeHtml(entry.image)}: pins ${escapeHtml(shortRef(entry.pin))}, ESC ${escapeHtml(shortRef(entry.esc))}</li>`).join('')}</ul>`
}
</article>`);
  }
  return parts.join('\n');
}

function renderHistory(image: string, events: readonly HistoryEvent[], context: PageContext): string {
  // Events come oldest first in git order; commits of the same second keep that order, reversed.
  const newestFirst = [...events].reverse().sort((a, b) => (a.date !== b.date ? (a.date < b.date ? 1 : -1) : 0));
  return `<details class="history" data-app="${escapeHtml(image.split('/')[0] ?? '')}" data-image="${escapeHtml(image)}">
<summary>${escapeHtml(image)} <span class="muted">(${events.length} change${events.length === 1 ? '' : 's'})</span></summary>
${
  events.length === 0
    ? '<p>No committed change.</p>'
    : `<div class="scroll" tabindex="0" role="region" aria-label="History of ${escapeHtml(image)}"><table>
<thead><tr><th scope="col">When</th><th scope="col">Environment</th><th scope="col">Tag</th><th scope="col">Event</th><th scope="col">By</th><th scope="col">Commit</th></tr></thead>
<tbody>${newestFirst
        .map(
          (event) =>
            `<tr data-env="${escapeHtml(event.env)}" data-event="${event.event}"><td><time datetime="${escapeHtml(event.date)}">${escapeHtml(event.date.slice(0, 16).replace('T', ' '))}</time></td><td>${escapeHtml(
              event.env,
            )}</td><td>${escapeHtml(event.tag)}</td><td><span class="event event-${event.event}">${event.event}</span></td><td>${escapeHtml(event.author)}${
              event.by ? ` (${escapeHtml(event.by)})` : ''
            }</td><td>${commitLink(event.commit, context)}</td></tr>`,
        )
        .join('')}</tbody>
</table></div>`
}
</details>`;
}

function select(id: string, label: string, all: string, options: readonly (readonly [string, string])[]): string {
  return `<label for="${id}">${label}</label><select id="${id}"><option value="">${all}</option>${options
    .map(([value, text]) => `<option value="${escapeHtml(value)}">${escapeHtml(text)}</option>`)
    .join('')}</select>`;
}

function commitLink(commit: string, context: PageContext): string {
  const short = escapeHtml(commit.slice(0, 7));
  return context.commitUrl
    ? `<a href="${escapeHtml(context.commitUrl.replace('{sha}', commit))}"><code>${short}</code></a>`
    : `<code title="${escapeHtml(commit)}">${short}</code>`;
}

/** `repo:tag@sha256:…` → `tag@abcdef123456`, for lists. */
function shortRef(ref: string): string {
  const [name = '', digest] = ref.split('@');
  const tag = name.slice(name.lastIndexOf(':') + 1);
  return digest ? `${tag}@${digest.slice(7, 19)}` : tag;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

const STYLE = `
:root { --bg: #ffffff; --fg: #1b1f24; --muted: #57606a; --line: #d0d7de; --head: #f6f8fa; --auto: #0a5c2c; --auto-bg: #dafbe1; --pinned: #1c3f7a; --pinned-bg: #ddf4ff; --held: #6f3d00; --held-bg: #fff1c2; --flag: #8a1c1c; --flag-bg: #ffebe9; --link: #0550ae; --focus: #0969da; }
@media (prefers-color-scheme: dark) {
  :root { --bg: #0d1117; --fg: #e6edf3; --muted: #9da7b3; --line: #30363d; --head: #161b22; --auto: #7ee2a8; --auto-bg: #0f2d1b; --pinned: #9cd1ff; --pinned-bg: #0c2d4a; --held: #f2cc60; --held-bg: #3a2a00; --flag: #ffb3ad; --flag-bg: #4a1512; --link: #79c0ff; --focus: #58a6ff; }
}
* { box-sizing: border-box; }
body { margin: 0; padding: 1rem; background: var(--bg); color: var(--fg); font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
h1 { margin: 0 0 .25rem; font-size: 1.5rem; }
h2 { font-size: 1.2rem; margin: 1.5rem 0 .5rem; }
h3 { font-size: 1rem; margin: .75rem 0 .25rem; }
a { color: var(--link); }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
.summary, .muted { color: var(--muted); }
.summary, li, h3 { overflow-wrap: anywhere; }
.filters { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: center; margin: 1rem 0; }
.filters label { font-weight: 600; }
.filters select { font: inherit; padding: .3rem; min-height: 2.5rem; background: var(--bg); color: var(--fg); border: 1px solid var(--line); border-radius: 6px; }
.scroll { overflow-x: auto; max-width: 100%; }
table { border-collapse: collapse; min-width: 100%; }
th, td { border: 1px solid var(--line); padding: .5rem; text-align: left; vertical-align: top; }
thead th { background: var(--head); position: sticky; top: 0; }
tbody th { background: var(--head); white-space: nowrap; }
#matrix td span { display: block; }
.tag { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-weight: 600; word-break: break-all; }
.digest, code { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; }
.digest, .age, .by, .trails { color: var(--muted); font-size: .9em; }
.mode, .event, .flag { display: inline-block !important; width: fit-content; padding: 0 .4rem; border-radius: 1rem; font-size: .85em; font-weight: 600; margin: .15rem .25rem .15rem 0; }
.mode-auto, .event-flux, .event-promote { color: var(--auto); background: var(--auto-bg); }
.mode-pinned, .event-set, .event-release { color: var(--pinned); background: var(--pinned-bg); }
.mode-held, .event-rollback, .event-hold { color: var(--held); background: var(--held-bg); }
.flag { color: var(--flag); background: var(--flag-bg); }
td.absent { color: var(--muted); text-align: center; }
details.history { border: 1px solid var(--line); border-radius: 6px; padding: .5rem .75rem; margin: .5rem 0; }
details.history summary { cursor: pointer; font-weight: 600; min-height: 1.5rem; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
[hidden] { display: none !important; }
@media (max-width: 640px) {
  body { padding: .5rem; font-size: 14px; }
  .filters { flex-direction: column; align-items: stretch; }
  th, td { padding: .35rem; }
}
`;

/** Filters (app, environment, state) and relative ages; the page reads the same without it. */
const SCRIPT = `
(function () {
  var app = document.getElementById('filter-app');
  var env = document.getElementById('filter-env');
  var state = document.getElementById('filter-state');
  function apply() {
    var a = app.value, e = env.value, s = state.value;
    document.querySelectorAll('#matrix [data-env]').forEach(function (cell) { cell.hidden = !!e && cell.dataset.env !== e; });
    document.querySelectorAll('#matrix tbody tr').forEach(function (row) {
      var cells = Array.prototype.filter.call(row.querySelectorAll('td'), function (cell) { return !cell.hidden; });
      var stateMatch = !s || cells.some(function (cell) { return (' ' + cell.dataset.state + ' ').indexOf(' ' + s + ' ') >= 0; });
      row.hidden = (!!a && row.dataset.app !== a) || !stateMatch;
    });
    document.querySelectorAll('details.history, .waiting-branch li, .drift li').forEach(function (item) { item.hidden = !!a && item.dataset.app !== a; });
    document.querySelectorAll('details.history tbody tr, .waiting-branch, .drift').forEach(function (item) { item.hidden = !!e && item.dataset.env !== e; });
  }
  [app, env, state].forEach(function (control) { control.addEventListener('change', apply); });
  var now = Date.now();
  document.querySelectorAll('#matrix time').forEach(function (time) {
    var days = Math.floor((now - Date.parse(time.getAttribute('datetime'))) / 86400000);
    if (days >= 0) time.insertAdjacentText('afterend', days === 0 ? ' (today)' : ' (' + days + (days === 1 ? ' day' : ' days') + ' ago)');
  });
  apply();
})();
`;

const sha256Source = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

/**
 * Nothing runs or loads but the page's own inline style and script, allowed by hash: text a branch
 * or commit slipped into the page past the escaping could still neither script it nor load anything.
 */
const CONTENT_SECURITY_POLICY = `default-src 'none'; style-src ${sha256Source(STYLE)}; script-src ${sha256Source(SCRIPT)}; base-uri 'none'; form-action 'none'`;
