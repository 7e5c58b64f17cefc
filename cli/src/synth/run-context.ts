/**
 * What one run of the CLI works with, passed explicitly from run-cli.ts down to what renders: how app
 * modules are imported, and the caches and render workers the launcher set up (none of them when
 * `--no-cache` or in tests). No module keeps this in a variable of its own.
 */
import type { AppImporter } from '../apps/load-apps.ts';
import type { RenderCacheSettings } from '../render/render-cache.ts';
import type { ValidationCacheSettings } from '../validate/validation-cache.ts';
import type { WorkerLaunch } from './render-workers.ts';

/** The run's app importer, caches and workers. */
export interface RunContext {
  /** Imports an app module of the repository (compiled by the launcher). */
  readonly importApp: AppImporter;
  /** Where renders (and stamps and parsed pin entries) are kept; undefined: nothing is reused. */
  readonly renderCache?: RenderCacheSettings;
  /** Where valid-object verdicts are kept; undefined: every object is validated. */
  readonly validationCache?: ValidationCacheSettings;
  /** URL of the module a stamp-check worker runs (see stamp-checks.ts); undefined: stamps are checked on the main thread. */
  readonly stampWorker?: string;
  /** How to start render workers; undefined: everything renders on the main thread. */
  readonly renderWorkers?: WorkerLaunch;
  /** The file where signature verdicts are kept (manifold verify); undefined: every digest is checked again. */
  readonly verificationCache?: string;
}

/** `run` without its caches: every app rendered and every object validated again (`--no-cache`). */
export function withoutCaches(run: RunContext): RunContext {
  return { importApp: run.importApp, ...(run.renderWorkers ? { renderWorkers: run.renderWorkers } : {}) };
}
