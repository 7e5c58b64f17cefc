/**
 * Flux fidelity proved against the real go-yaml (v3.0.1, Debian's; see e2e/go-yaml/oracle.go): what
 * the simulation reads and writes must be what go-yaml reads and writes, on the upstream fixtures, on
 * every file Manifold generates, and on a generated corpus. The controller's go-yaml (v3.0.4 through
 * kyaml v0.21.1) differs from v3.0.1 only by the compact sequence indentation kyaml asks for in files
 * written in compact style; the oracle writes wide sequences, so the comparisons are of wide-style
 * documents (the corpus is generated wide; Manifold writes wide), and compact ones are compared by
 * what go-yaml reads, not by bytes.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { isNullDocument, parseFluxDocuments, serializeFluxDocuments } from '../cli/src/yaml/kyaml-style.ts';
import { deriveSequenceIndentStyle } from '../cli/src/yaml/sequence-indent-style.ts';
import { goYaml } from './go-yaml/go-yaml-oracle.ts';
import { corpusDocument } from './go-yaml/yaml-corpus.ts';
import { exampleRepository, REPO_ROOT } from './temp-repo.ts';

/** Documents in the corpus: a few thousand, generated the same way on every machine. */
const CORPUS_SIZE = 4000;

/** What the simulation writes for `text` read as one file (wide sequences, as the oracle writes them), or undefined when it refuses it. */
function simulated(text: string): string | undefined {
  const documents = parseFluxDocuments(text);
  return documents && serializeFluxDocuments(documents.map((document) => ({ ...document, sequenceStyle: 'wide' as const })));
}

/** Every file below `dir` whose name ends in `.yaml` or `.yml`, relative to `dir`. */
function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => /\.ya?ml$/.test(file))
    .sort();
}

describe('the simulation against go-yaml', () => {
  it(`reads and writes ${CORPUS_SIZE} generated documents byte for byte as go-yaml does`, () => {
    const documents = Array.from({ length: CORPUS_SIZE }, (_, index) => corpusDocument(index));
    const answers = goYaml(documents);
    const differences: string[] = [];
    for (const [index, document] of documents.entries()) {
      const answer = answers[index];
      const written = simulated(document);
      // What go-yaml refuses, the simulation refuses (the controller then skips the file).
      if (answer?.error !== undefined) {
        if (written !== undefined) differences.push(`#${index}: go-yaml refuses it (${answer.error}), the simulation writes it`);
        continue;
      }
      if (written !== answer?.text) differences.push(`#${index}:\n${document}--- go-yaml\n${answer?.text}--- simulation\n${written}`);
    }
    expect(differences.slice(0, 3).join('\n\n')).toBe('');
    expect(answers.filter((answer) => answer.error === undefined).length).toBeGreaterThan(CORPUS_SIZE * 0.9);
  });

  it("writes the upstream fixtures (Flux's setters, go-yaml's own round trips) as go-yaml does", () => {
    const base = join(REPO_ROOT, 'cli/src/flux/testdata/upstream');
    const files = yamlFiles(base).map((file) => ({ name: file, text: readFileSync(join(base, file), 'utf8') }));
    const roundTrips = JSON.parse(readFileSync(join(base, 'go-yaml/node-roundtrip.json'), 'utf8')) as { yaml: string }[] | Record<string, unknown>;
    const cases = [
      ...files,
      ...(Array.isArray(roundTrips) ? roundTrips.map((entry, index) => ({ name: `go-yaml round trip ${index}`, text: entry.yaml })) : []),
    ];
    expect(cases.length).toBeGreaterThan(15);
    const answers = goYaml(cases.map(({ text }) => text));
    let compared = 0;
    for (const [index, { name, text }] of cases.entries()) {
      const answer = answers[index];
      const documents = parseFluxDocuments(text);
      // One document each; a null document is dropped by kyaml's reader before go-yaml would write it.
      if (answer?.error !== undefined || documents?.length !== 1 || isNullDocument(documents[0]?.document as never)) continue;
      compared += 1;
      if (deriveSequenceIndentStyle(text) !== 'wide') {
        // Compact style: kyaml's compact indentation is v3.0.4's; compare what the two read instead.
        expect(parseAllDocuments(simulated(text) ?? '')[0]?.toJS(), name).toEqual(parseAllDocuments(text)[0]?.toJS());
        continue;
      }
      expect(simulated(text), name).toBe(answer?.text);
    }
    expect(compared).toBeGreaterThan(50);
  });

  it('reads every file Manifold writes as go-yaml reads it, and go-yaml writes it back unchanged', () => {
    const root = exampleRepository();
    const files = [
      ...yamlFiles(join(root, 'dist')).map((file) => join(root, 'dist', file)),
      ...yamlFiles(join(root, 'overlays')).map((file) => join(root, 'overlays', file)),
    ];
    expect(files.length).toBeGreaterThan(50);
    const texts = files.map((file) => readFileSync(file, 'utf8'));
    const answers = goYaml(texts);
    for (const [index, text] of texts.entries()) {
      const name = relative(root, files[index] ?? '');
      const answer = answers[index];
      expect(answer?.error, name).toBeUndefined();
      // The same data to both readers: Flux never sees YAML it parses differently.
      expect(answer?.value, name).toEqual(JSON.parse(JSON.stringify(parseAllDocuments(text)[0]?.toJS() ?? null)));
      // Written as go-yaml writes it: a Flux rewrite changes nothing but the value it sets.
      expect(answer?.text, name).toBe(text);
    }
  });
});
