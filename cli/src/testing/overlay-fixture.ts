/** Test helpers: a temporary repository with one environment's overlay and in-memory apps. */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AppDefinition } from '@manifold/constructs/core';
import { onTestFinished } from 'vitest';
import type { LoadedApp } from '../apps/load-apps.ts';

/** A small valid environment.yaml with one size class, `small`. */
export const ENVIRONMENT_YAML = 'namespace: team-dev\ndomain: dev.example.com\nsizes:\n  small:\n    replicas: 1\n    cpu: 100m\n    memory: 128Mi\n';

/** An update policy block for a pin, indented for images.yaml. */
export const TIMESTAMP_POLICY = "    update:\n      pattern: '^main-[a-f0-9]+-(?P<ts>[0-9]+)$'\n      extract: $ts\n      sort: numerical\n";

/** A digest made of one repeated hex character. */
export function digestOf(character: string): string {
  return `sha256:${character.repeat(64)}`;
}

/** Writes overlays/<env>/ into a new temporary folder, removed when the test that asked for it finishes, and returns the folder. */
export async function writeOverlay(env: string, environment: string, images: string): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'manifold-test-'));
  onTestFinished(() => rm(root, { recursive: true, force: true }));
  await mkdir(join(root, 'overlays', env), { recursive: true });
  await writeFile(join(root, 'overlays', env, 'environment.yaml'), environment);
  await writeFile(join(root, 'overlays', env, 'images.yaml'), images);
  return root;
}

/** An app definition as if loaded from apps/<name>/src/index.ts. */
export function inMemoryApp(definition: AppDefinition): LoadedApp {
  return { definition, file: `apps/${definition.name}/src/index.ts`, source: `name: '${definition.name}'\n` };
}
