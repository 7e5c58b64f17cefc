/**
 * Checks every Flux marker synth writes: it must sit where Flux sees it and name a policy synth
 * generates in the automation's namespace, and every generated policy must be referenced.
 */
import { imagePolicyMarker } from '@manifold/constructs/core';
import { ConfigError } from '../config/config-error.ts';
import type { Environment } from '../config/load-environment.ts';
import { movablePins } from './image-automation-objects.ts';
import { findMarkedLines, MARKER_BYTES } from './image-policy-setters.ts';
import { parseFluxDocuments } from './kyaml-style.ts';
import { findMarkedScalars } from './simulate-setters.ts';

/**
 * Lints the rendered files of `env` (paths relative to dist/<env>/) and its images.yaml text.
 * Throws {@link ConfigError} naming the file and line of the first problem.
 */
export function lintMarkers(env: Environment, files: ReadonlyMap<string, string>, imagesText: string): void {
  const generated = new Set(movablePins(env).map((pin) => `${pin.policy?.namespace}:${pin.policy?.name}`));
  const referenced = new Set<string>();
  const fail = (file: string, line: number, message: string, hint: string): never => {
    throw new ConfigError({ file, line, col: 1, message, hint });
  };
  for (const [path, text] of files) {
    if (!text.includes(MARKER_BYTES)) continue;
    const file = `dist/${env.name}/${path}`;
    for (const { line, marker } of findMarkedLines(text)) {
      if (!marker) fail(file, line, 'a Flux marker sits where Flux cannot see it', 'markers must be the line comment of a single-line value');
      const policy = marker?.policy ?? '';
      if (!generated.has(policy)) fail(file, line, `marker names ${policy}, which is not a policy of ${env.name}`, 'report this as a Manifold bug');
      referenced.add(policy);
    }
  }
  const documents = parseFluxDocuments(imagesText);
  const imagesFile = env.sources.images.file;
  if (!documents) fail(imagesFile, 1, 'Flux cannot parse this file, so it would never update the pins', 'fix the YAML');
  const seen = findMarkedScalars(documents ?? []);
  const written = imagesText.split(MARKER_BYTES).length - 1;
  if (seen.length !== written) {
    fail(imagesFile, 1, `${written - seen.length} Flux marker(s) sit where Flux cannot see them`, 'keep markers only as the line comment of a pin ref');
  }
  for (const { marker } of seen) {
    if (!generated.has(marker.policy)) {
      fail(imagesFile, 1, `marker ${marker.policy} is not a policy of ${env.name}`, 'let pnpm synth write the markers; remove this one');
    }
    referenced.add(marker.policy);
  }
  for (const pin of movablePins(env)) {
    const key = `${pin.policy?.namespace}:${pin.policy?.name}`;
    if (!referenced.has(key) && pin.policy) {
      fail(
        imagesFile,
        pin.position.line,
        `policy ${key} is generated but no marker uses it`,
        `expected # ${imagePolicyMarker(pin.policy, 'full').trim()} on the ref`,
      );
    }
  }
}
