/**
 * Checks every Flux marker synth writes: it must sit where Flux sees it and name a policy synth
 * generates in the automation's namespace, and every generated policy must be referenced.
 */
import { imagePolicyMarker } from '@manifold/constructs/core';
import type { Environment } from '../config/load-environment.ts';
import { ConfigError } from '../errors/config-error.ts';
import { findMarkedScalars } from '../markers/marked-scalars.ts';
import { MARKER_BYTES, type MarkerLine } from '../markers/setter-markers.ts';
import { parseFluxDocuments } from '../yaml/kyaml-style.ts';
import { movablePins } from './image-automation-objects.ts';

/**
 * Lints the marker lines of the rendered files of `env` (by path relative to dist/<env>/, see
 * markerLines in setter-markers.ts) and its images.yaml text, given the policies of the markers Flux sees in that
 * text when they are known already (images.yaml is then parsed as Flux would only if they fall
 * short). Throws {@link ConfigError} naming the file and line of the first problem.
 */
export function lintMarkers(env: Environment, marks: ReadonlyMap<string, readonly MarkerLine[]>, imagesText: string, seenInImages?: readonly string[]): void {
  const generated = new Set(movablePins(env).map((pin) => `${pin.policy?.namespace}:${pin.policy?.name}`));
  const referenced = new Set<string>();
  const fail = (file: string, line: number, message: string, hint: string): never => {
    throw new ConfigError({ file, line, col: 1, message, hint });
  };
  for (const [path, lines] of marks) {
    const file = `dist/${env.name}/${path}`;
    for (const [line, policy] of lines) {
      if (policy === null) fail(file, line, 'a Flux marker sits where Flux cannot see it', 'markers must be the line comment of a single-line value');
      if (!generated.has(policy ?? '')) fail(file, line, `marker names ${policy}, which is not a policy of ${env.name}`, 'report this as a Manifold bug');
      referenced.add(policy ?? '');
    }
  }
  const imagesFile = env.sources.images.file;
  const written = imagesText.split(MARKER_BYTES).length - 1;
  let seen = seenInImages;
  if (seen?.length !== written) {
    const documents = parseFluxDocuments(imagesText);
    if (!documents) fail(imagesFile, 1, 'Flux cannot parse this file, so it would never update the pins', 'fix the YAML');
    seen = findMarkedScalars(documents ?? []).map(({ marker }) => marker.policy);
  }
  if (seen.length !== written) {
    fail(imagesFile, 1, `${written - seen.length} Flux marker(s) sit where Flux cannot see them`, 'keep markers only as the line comment of a pin ref');
  }
  for (const policy of seen) {
    if (!generated.has(policy)) fail(imagesFile, 1, `marker ${policy} is not a policy of ${env.name}`, 'let pnpm synth write the markers; remove this one');
    referenced.add(policy);
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
