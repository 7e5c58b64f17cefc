/** The shipped GitHub workflows: third-party actions pinned by commit, and every path they name exists. */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO_ROOT } from './temp-repo.ts';

const WORKFLOWS = join(REPO_ROOT, '.github/workflows');

/** Every workflow and local composite action: name and text. */
async function workflows(): Promise<[string, string][]> {
  const names = (await readdir(WORKFLOWS)).filter((name) => name.endsWith('.yml')).map((name) => join(WORKFLOWS, name));
  const actions = (await readdir(join(REPO_ROOT, '.github/actions'))).map((name) => join(REPO_ROOT, '.github/actions', name, 'action.yml'));
  return Promise.all([...names, ...actions].map(async (path) => [path.slice(REPO_ROOT.length + 1), await readFile(path, 'utf8')] as [string, string]));
}

interface Job {
  environment?: string;
  permissions?: Record<string, string>;
  env?: Record<string, string>;
  steps: { run?: string; uses?: string; env?: Record<string, string>; with?: Record<string, unknown> }[];
}

interface Workflow {
  on: Record<string, { inputs?: Record<string, unknown> } | null>;
  env?: Record<string, string>;
  permissions?: Record<string, string>;
  jobs: Record<string, Job>;
}

/** Whether a step installs or runs the checked-out repository's code. */
const runsRepositoryCode = (step: Job['steps'][number]) => step.uses === './.github/actions/setup' || /\bpnpm\b/.test(step.run ?? '');

describe('the workflows', () => {
  it('pin every action by its full commit SHA, with the version as a comment', async () => {
    const uses = (await workflows()).flatMap(([name, text]) =>
      [...text.matchAll(/uses: (\S+)(.*)$/gm)]
        .map((match) => ({ name, action: match[1] ?? '', rest: match[2] ?? '' }))
        .filter(({ action }) => !action.startsWith('./')),
    );
    expect(uses.length).toBeGreaterThan(8);
    for (const { name, action, rest } of uses) {
      expect(action, name).toMatch(/^[\w-]+\/[\w-]+@[0-9a-f]{40}$/);
      expect(rest, `${name} ${action}`).toMatch(/^ # v\d+\.\d+\.\d+$/);
    }
  });

  it('run only scripts that exist and watch only paths that exist', async () => {
    for (const [name, text] of await workflows()) {
      for (const [, script] of text.matchAll(/\.github\/scripts\/([\w.-]+\.(?:sh|mjs))/g))
        expect(existsSync(join(REPO_ROOT, '.github/scripts', script ?? '')), `${name}: ${script}`).toBe(true);
      for (const [, action] of text.matchAll(/uses: (\.\/\S+)/g))
        expect(existsSync(join(REPO_ROOT, action ?? '', 'action.yml')), `${name}: ${action}`).toBe(true);
      const on = (parse(text) as { on?: Record<string, { paths?: string[] } | null> }).on ?? {};
      for (const trigger of Object.values(on)) {
        for (const path of trigger?.paths ?? []) expect(existsSync(join(REPO_ROOT, path.replace(/\/\*\*.*$/, ''))), `${name}: ${path}`).toBe(true);
      }
    }
  });

  it('pass inputs and event text to scripts as variables, never pasted into a shell', async () => {
    for (const [name, text] of await workflows()) {
      for (const job of Object.values((parse(text) as Partial<Workflow>).jobs ?? {}))
        for (const step of job.steps) expect(step.run ?? '', name).not.toMatch(/\$\{\{\s*(inputs|github\.event)\./);
    }
  });

  it('bind deploy, promote and rollback to the GitHub Environment they change, so its reviewers approve prod', async () => {
    const bound = { 'deploy.yml': 'inputs.env', 'promote.yml': 'inputs.to', 'rollback.yml': 'inputs.env' };
    for (const [file, input] of Object.entries(bound)) {
      const workflow = parse(await readFile(join(WORKFLOWS, file), 'utf8')) as Workflow;
      expect(Object.keys(workflow.on), file).toEqual(['workflow_dispatch']);
      const jobs = Object.values(workflow.jobs);
      expect(
        jobs.map((job) => job.environment),
        file,
      ).toEqual([`\${{ ${input} }}`]);
      const options = (workflow.on.workflow_dispatch?.inputs?.[input.slice('inputs.'.length)] as { options?: string[] } | undefined)?.options;
      expect(options, file).toContain('prod');
    }
  });

  it('give a secret only to the step that needs it, never to a whole job or workflow', async () => {
    for (const [name, text] of await workflows()) {
      const workflow = parse(text) as Partial<Workflow>;
      expect(JSON.stringify(workflow.env ?? {}), name).not.toContain('secrets.');
      for (const [id, job] of Object.entries(workflow.jobs ?? {})) expect(JSON.stringify(job.env ?? {}), `${name} ${id}`).not.toContain('secrets.');
    }
  });

  it("run a pull request's code only with a read-only token: the review comment is posted by a job that runs none of it", async () => {
    const ci = parse(await readFile(join(WORKFLOWS, 'ci.yml'), 'utf8')) as Workflow;
    expect(ci.permissions).toEqual({ contents: 'read' });
    for (const [id, job] of Object.entries(ci.jobs)) {
      const writes = Object.entries(job.permissions ?? {}).filter(([, access]) => access === 'write');
      if (job.steps.some(runsRepositoryCode)) expect(writes, id).toEqual([]);
    }
    const comment = ci.jobs.comment;
    expect(comment?.permissions?.['pull-requests']).toBe('write');
    expect(comment?.steps.some((step) => step.run?.includes('.github/scripts/pr-comment.mjs'))).toBe(true);
    expect(JSON.stringify(comment?.steps[0])).toContain('github.event.pull_request.base.sha');
  });

  it('re-synthesize a Renovate branch with write access only after checking that it changes nothing but pins', async () => {
    const workflow = parse(await readFile(join(WORKFLOWS, 'renovate-pins.yml'), 'utf8')) as Workflow;
    for (const job of Object.values(workflow.jobs)) {
      const guard = job.steps.findIndex((step) => step.run?.includes('.github/scripts/only-pin-changes.sh'));
      const firstCode = job.steps.findIndex(runsRepositoryCode);
      expect(guard).toBeGreaterThanOrEqual(0);
      expect(guard).toBeLessThan(firstCode);
    }
  });

  it('build only a folder of this repository, whatever a dispatch names', async () => {
    const text = await readFile(join(WORKFLOWS, 'build-and-pin.yml'), 'utf8');
    const build = Object.values((parse(text) as Workflow).jobs)[0];
    const context = build?.steps.find((step) => step.uses?.startsWith('docker/build-push-action')) as { with?: { context?: string } } | undefined;
    expect(context?.with?.context).toBe('${{ steps.context.outputs.path }}');
    expect(build?.environment).toBe('dev');
  });

  it('sign and attest what build-and-pin builds, keyless, in the registry, before the digest is pinned', async () => {
    const workflow = parse(await readFile(join(WORKFLOWS, 'build-and-pin.yml'), 'utf8')) as { permissions: Record<string, string>; jobs: Record<string, Job> };
    expect(workflow.permissions['id-token']).toBe('write');
    const steps = workflow.jobs.build?.steps ?? [];
    const attests = steps.flatMap((step, index) => (step.uses?.startsWith('actions/attest@') ? [{ step, index }] : []));
    expect(attests.map(({ step }) => step.with?.['predicate-type'] ?? 'SLSA provenance')).toEqual(['https://sigstore.dev/cosign/sign/v1', 'SLSA provenance']);
    for (const { step } of attests) {
      expect(step.with?.['push-to-registry']).toBe(true);
      expect(step.with?.['subject-digest']).toBe('${{ steps.build.outputs.digest }}');
    }
    const pin = steps.findIndex((step) => step.run?.includes('pin-built-image.sh'));
    expect(Math.max(...attests.map(({ index }) => index))).toBeLessThan(pin);
  });
});
