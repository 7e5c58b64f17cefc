/** `manifold init <dir>`: create a new repository that depends on Manifold's packages by version. */
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { type Command, Option } from 'commander';
import packageJson from '../../package.json' with { type: 'json' };
import { dnsLabel } from '../config/environment-schema.ts';
import { loadEnvironment } from '../config/load-environment.ts';
import { ArgumentError } from '../errors/manifold-error.ts';
import { renovateFileText } from '../renovate/renovate-file.ts';
import { githubFiles, githubTemplateFolder } from '../scaffold/github-templates.ts';
import { type RepositoryVersions, repositoryFiles } from '../scaffold/repository-files.ts';
import type { CliIo } from './cli-io.ts';
import { taggedImageRef } from './option-values.ts';

/** The pnpm and Node.js line a new repository uses: those this repository is built and tested with. */
export const NEW_REPOSITORY_TOOLS = { packageManager: 'pnpm@10.34.8', nodeLine: '24', turbo: '^2.11.13' } as const;

/** The renovate.json a new repository starts from, before Manifold adds its pin rules. */
const RENOVATE_START = `${JSON.stringify({ $schema: 'https://docs.renovatebot.com/renovate-schema.json', extends: ['config:recommended'] }, null, 2)}\n`;

interface InitOptions {
  readonly envs: string;
  readonly delivery: 'argocd' | 'flux';
  readonly repository?: string;
  readonly image: string;
  readonly packages?: string;
  readonly force?: boolean;
}

/** Adds the init command to `program`. */
export function registerInit(program: Command, io: CliIo): void {
  program
    .command('init')
    .description(
      'Create a new repository: the workspace, one example app, one overlay per environment, the workflows and their scripts, renovate.json and a README, depending on @manifold/cli and @manifold/constructs by version. Example: npx @manifold/cli init platform --envs dev,staging,prod --delivery flux',
    )
    .argument('<dir>', 'the folder to create (its name becomes the package name)')
    .option('--envs <names>', 'environments in promotion order, comma-separated', 'dev,staging,prod')
    .addOption(new Option('--delivery <tool>', 'the GitOps tool that syncs dist/<env>').choices(['argocd', 'flux']).default('argocd'))
    .option('--repository <url>', 'the repository as the cluster clones it (default: https://github.com/your-org/<dir>.git)')
    .option('--image <ref>', "the example app's image (with @sha256:… it is deployed to every environment)", 'docker.io/nginxinc/nginx-unprivileged:1.27')
    .option(
      '--packages <dir>',
      'depend on the packed manifold-cli-*.tgz and manifold-constructs-*.tgz in this folder (a release being tried) instead of the registry',
    )
    .option('--force', 'write into a folder that is not empty (an existing file is never overwritten)')
    .action(async (dir: string, options: InitOptions) => {
      const target = resolve(dir);
      const name = basename(target).toLowerCase();
      if (!dnsLabel.safeParse(name).success) {
        throw new ArgumentError(
          'argument 1',
          `"${basename(target)}" cannot name a package and namespaces: use a DNS-1123 label`,
          'for example: manifold init platform',
        );
      }
      const envs = parseEnvironments(options.envs);
      const image = taggedImageRef(options.image, '--image');
      const files = repositoryFiles({
        name,
        envs,
        delivery: options.delivery,
        repositoryUrl: options.repository ?? `https://github.com/your-org/${name}.git`,
        image: { ref: image.value, immutable: image.isImmutable },
        versions: versions(options.packages),
      });
      for (const [path, text] of await githubFiles(githubTemplateFolder(io.cliRoot), envs)) files.set(path, text);
      const existing = existsSync(target) ? readdirSync(target) : [];
      if (existing.length > 0 && !options.force) {
        throw new ArgumentError('argument 1', `${dir} is not empty`, 'choose a new folder, or pass --force to add the files next to what is there');
      }
      const clashes = [...files.keys(), 'renovate.json'].filter((path) => existsSync(join(target, path)));
      if (clashes.length > 0) {
        throw new ArgumentError(
          'argument 1',
          `${dir} already has ${clashes.slice(0, 3).join(', ')}${clashes.length > 3 ? ' …' : ''}`,
          'move them away first: init never overwrites a file',
        );
      }
      const written: string[] = [];
      try {
        for (const [path, text] of files) {
          await mkdir(dirname(join(target, path)), { recursive: true });
          await writeFile(join(target, path), text, { flag: 'wx', mode: path.endsWith('.sh') ? 0o755 : 0o644 });
          written.push(path);
        }
        const environments = await Promise.all(envs.map((env) => loadEnvironment(target, env)));
        await writeFile(join(target, 'renovate.json'), renovateFileText(RENOVATE_START, environments), { flag: 'wx' });
        written.push('renovate.json');
      } catch (error) {
        // Only what this run wrote goes: a folder given with --force keeps everything else.
        for (const path of written) await rm(join(target, path), { force: true });
        if (existing.length === 0) await rm(target, { recursive: true, force: true });
        throw error;
      }
      io.out(`created ${dir}: ${written.length} files, environments ${envs.join(' → ')}, delivery ${options.delivery}`);
      io.out(`next: cd ${dir} && git init && pnpm install && pnpm synth`);
    });
}

/** `dev,staging,prod` → the names, each a DNS-1123 label, none twice. */
function parseEnvironments(value: string): string[] {
  const envs = value.split(',').map((env) => env.trim());
  for (const env of envs) {
    if (!dnsLabel.safeParse(env).success) throw new ArgumentError('--envs', `"${env}" is not a DNS-1123 label`, 'for example: --envs dev,staging,prod');
  }
  const twice = envs.find((env, index) => envs.indexOf(env) !== index);
  if (twice !== undefined) throw new ArgumentError('--envs', `"${twice}" is named twice`, 'name each environment once, in promotion order');
  return envs;
}

/** The versions a new repository depends on: this CLI's, or the tarballs in `packages`. */
function versions(packages: string | undefined): RepositoryVersions {
  const manifold = packages === undefined ? { cli: `^${packageJson.version}`, constructs: `^${packageJson.version}` } : tarballs(resolve(packages));
  return {
    manifold,
    peers: packageJson.peerDependencies,
    tools: { '@types/node': packageJson.devDependencies['@types/node'], typescript: packageJson.devDependencies.typescript, turbo: NEW_REPOSITORY_TOOLS.turbo },
    packageManager: NEW_REPOSITORY_TOOLS.packageManager,
    node: packageJson.engines.node,
    nodeLine: NEW_REPOSITORY_TOOLS.nodeLine,
  };
}

function tarballs(dir: string): { cli: string; constructs: string } {
  const names = existsSync(dir) ? readdirSync(dir) : [];
  const find = (prefix: string) => {
    const found = names.filter((file) => file.startsWith(prefix) && /^[a-z-]+-\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?\.tgz$/.test(file)).sort();
    if (found.length !== 1) {
      throw new ArgumentError(
        '--packages',
        `${dir} holds ${found.length === 0 ? 'no' : found.length} ${prefix}<version>.tgz`,
        'give a folder with one tarball of each package (pnpm pack)',
      );
    }
    return `file:${join(dir, found[0] ?? '')}`;
  };
  return { cli: find('manifold-cli-'), constructs: find('manifold-constructs-') };
}
