#!/usr/bin/env node
// Posts a pull-request comment, or updates the one this workflow posted before, so a pull request
// carries one current comment however often it is pushed. The comment is found by the body's first
// line (an HTML comment such as <!-- manifold-diff -->) and by its author.
//
// usage: pr-comment.mjs <pull-request number> <body-file>
// env:   GITHUB_TOKEN        token allowed to write pull-request comments (sent to GITHUB_API_URL only)
//        GITHUB_REPOSITORY   owner/name
//        GITHUB_API_URL      the API origin (default https://api.github.com)
//        COMMENT_AUTHOR      login whose comment is updated (default github-actions[bot])
import { readFile } from 'node:fs/promises';

const MAX_BODY = 65_536; // GitHub refuses longer comments
const MAX_RESPONSE = 8 * 1024 * 1024;
const TIMEOUT_MS = 30_000;
const MAX_PAGES = 30;

const [number, bodyFile] = process.argv.slice(2);
const { GITHUB_TOKEN: token, GITHUB_REPOSITORY: repository, GITHUB_API_URL: apiUrl, COMMENT_AUTHOR: commentAuthor } = process.env;
const api = new URL(apiUrl ?? 'https://api.github.com');
const author = commentAuthor ?? 'github-actions[bot]';

if (!/^[1-9][0-9]*$/.test(number ?? '') || !bodyFile) fail('usage: pr-comment.mjs <pull-request number> <body-file>');
if (!token) fail('GITHUB_TOKEN is not set');
if (!/^[\w.-]+\/[\w.-]+$/.test(repository ?? '')) fail('GITHUB_REPOSITORY must be owner/name');

let body = await readFile(bodyFile, 'utf8');
const marker = body.split('\n', 1)[0];
if (!/^<!--[^>]*-->$/.test(marker)) fail(`${bodyFile}:1:1: expected an HTML comment line such as <!-- manifold-diff --> to find the comment by`);
if (body.length > MAX_BODY) body = `${body.slice(0, MAX_BODY - 200)}\n\n… cut to fit in a comment.\n`;

const mine = await findComment();
if (mine) {
  await call('PATCH', `/repos/${repository}/issues/comments/${mine}`, { body });
  console.log(`updated comment ${mine} on #${number}`);
} else {
  const created = await call('POST', `/repos/${repository}/issues/${number}/comments`, { body });
  console.log(`posted comment ${created.id} on #${number}`);
}

/** The id of the first comment by `author` that starts with `marker`, or undefined. */
async function findComment() {
  for (let page = 1; page <= MAX_PAGES; page++) {
    const comments = await call('GET', `/repos/${repository}/issues/${number}/comments?per_page=100&page=${page}`);
    if (!Array.isArray(comments)) fail('the comment list is not a JSON array');
    const found = comments.find((comment) => comment?.user?.login === author && typeof comment.body === 'string' && comment.body.startsWith(marker));
    if (found) return Number(found.id);
    if (comments.length < 100) return undefined;
  }
  return undefined;
}

/** One API request: no redirects (the token stays with the API origin), bounded in time and size. */
async function call(method, path, payload) {
  const url = new URL(path, api);
  let response;
  try {
    response = await fetch(url, {
      method,
      redirect: 'error',
      signal: AbortSignal.timeout(TIMEOUT_MS),
      headers: {
        accept: 'application/vnd.github+json',
        authorization: `Bearer ${token}`,
        'x-github-api-version': '2022-11-28',
        ...(payload ? { 'content-type': 'application/json' } : {}),
      },
      body: payload ? JSON.stringify(payload) : undefined,
    });
  } catch (error) {
    fail(`${method} ${url.origin}${url.pathname} failed: ${error.cause?.code ?? error.name}`);
  }
  const text = await readBounded(response);
  if (!response.ok) fail(`${method} ${url.origin}${url.pathname} answered ${response.status}`);
  try {
    return JSON.parse(text);
  } catch {
    fail(`${method} ${url.origin}${url.pathname} answered something that is not JSON`);
  }
}

async function readBounded(response) {
  const chunks = [];
  let size = 0;
  for await (const chunk of response.body ?? []) {
    size += chunk.length;
    if (size > MAX_RESPONSE) fail(`the answer from ${api.origin} is larger than ${MAX_RESPONSE} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function fail(message) {
  console.error(`pr-comment: ${message}`);
  process.exit(1);
}
