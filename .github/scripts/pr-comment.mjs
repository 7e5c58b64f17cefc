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
//        PR_COMMENT_TIMEOUT_SECONDS  wall-clock limit of each request, answer included (default 30)
import { readFile } from 'node:fs/promises';

const MAX_BODY = 65_536; // GitHub refuses longer comments
const MAX_RESPONSE = 8 * 1024 * 1024;
const TIMEOUT_MS = 1000 * Number(process.env.PR_COMMENT_TIMEOUT_SECONDS ?? 30);
const MAX_PAGES = 30;

const [number, bodyFile] = process.argv.slice(2);
const { GITHUB_TOKEN: token, GITHUB_REPOSITORY: repository, GITHUB_API_URL: apiUrl, COMMENT_AUTHOR: commentAuthor } = process.env;
const api = new URL(apiUrl ?? 'https://api.github.com');
const author = commentAuthor ?? 'github-actions[bot]';

if (!/^[1-9][0-9]*$/.test(number ?? '') || !bodyFile) fail('usage: pr-comment.mjs <pull-request number> <body-file>');
if (!token) fail('GITHUB_TOKEN is not set');
if (!(TIMEOUT_MS > 0)) fail('PR_COMMENT_TIMEOUT_SECONDS must be a positive number of seconds');
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

/**
 * One API request: no redirects (the token stays with the API origin), bounded in size, and in time
 * by one wall-clock deadline that covers the answer's body too (a server that trickles bytes is cut off).
 */
async function call(method, path, payload) {
  const url = new URL(path, api);
  const where = `${method} ${url.origin}${url.pathname}`;
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), TIMEOUT_MS);
  const failure = (error) => (deadline.signal.aborted ? `no complete answer within ${TIMEOUT_MS / 1000} s` : (error?.cause?.code ?? error?.name ?? 'error'));
  try {
    let response;
    try {
      response = await fetch(url, {
        method,
        redirect: 'error',
        signal: deadline.signal,
        headers: {
          accept: 'application/vnd.github+json',
          authorization: `Bearer ${token}`,
          'x-github-api-version': '2022-11-28',
          ...(payload ? { 'content-type': 'application/json' } : {}),
        },
        body: payload ? JSON.stringify(payload) : undefined,
      });
    } catch (error) {
      fail(`${where} failed: ${failure(error)}`);
    }
    let text;
    try {
      text = await readBounded(response);
    } catch (error) {
      fail(`${where} failed: ${failure(error)}`);
    }
    if (!response.ok) fail(`${where} answered ${response.status}`);
    try {
      return JSON.parse(text);
    } catch {
      fail(`${where} answered something that is not JSON`);
    }
  } finally {
    clearTimeout(timer);
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
