/**
 * A local stand-in for the GitHub REST API's issue comments, for testing the workflow step that
 * posts the pull-request comment: list (paged, 100 per page), create and update, with bearer-token
 * auth and comments owned by their author as on GitHub.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One stored comment. */
export interface Comment {
  readonly id: number;
  readonly issue: number;
  readonly user: { readonly login: string };
  body: string;
}

/** A running fake API. */
export interface FakeGitHub {
  /** Origin to pass as GITHUB_API_URL. */
  readonly url: string;
  readonly token: string;
  readonly comments: Comment[];
  /** Every request: method, path with query, whether the token was right. */
  readonly requests: { method: string; path: string; authorized: boolean }[];
  stop(): Promise<void>;
}

/** Starts the fake on 127.0.0.1 for repository `acme/platform`; requests with the token act as `bot`. */
export async function startFakeGitHub(bot = 'github-actions[bot]', token = 'ghs_test0123456789'): Promise<FakeGitHub> {
  const comments: Comment[] = [];
  const requests: FakeGitHub['requests'] = [];
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://github');
    const authorized = request.headers.authorization === `Bearer ${token}`;
    requests.push({ method: request.method ?? '', path: `${url.pathname}${url.search}`, authorized });
    const send = (status: number, value: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(value));
    };
    if (!authorized) return send(401, { message: 'Bad credentials' });
    let text = '';
    request.on('data', (chunk: Buffer) => {
      text += chunk.toString();
    });
    request.on('end', () => {
      const list = /^\/repos\/acme\/platform\/issues\/(\d+)\/comments$/.exec(url.pathname);
      const one = /^\/repos\/acme\/platform\/issues\/comments\/(\d+)$/.exec(url.pathname);
      if (list && request.method === 'GET') {
        const page = Number(url.searchParams.get('page') ?? '1');
        const perPage = Math.min(Number(url.searchParams.get('per_page') ?? '30'), 100);
        const all = comments.filter((comment) => comment.issue === Number(list[1]));
        return send(200, all.slice((page - 1) * perPage, page * perPage));
      }
      if (list && request.method === 'POST') {
        const comment = { id: 1000 + comments.length, issue: Number(list[1]), user: { login: bot }, body: String(JSON.parse(text).body) };
        comments.push(comment);
        return send(201, comment);
      }
      const target = one && comments.find((comment) => comment.id === Number(one[1]));
      if (target && request.method === 'PATCH') {
        if (target.user.login !== bot) return send(403, { message: 'Resource not accessible by integration' });
        target.body = String(JSON.parse(text).body);
        return send(200, target);
      }
      send(404, { message: 'Not Found' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    token,
    comments,
    requests,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
