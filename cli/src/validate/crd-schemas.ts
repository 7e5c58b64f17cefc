/**
 * Schemas of custom resources a user wants validated: CustomResourceDefinition manifests
 * (apiextensions.k8s.io/v1) in the repository's `schemas/` folder, one or more per file. Anything
 * else there is refused, not skipped: a file that silently validates nothing is a check nobody has.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Document, LineCounter, parseAllDocuments } from 'yaml';
import { ConfigError } from '../errors/config-error.ts';
import { assertRealPath } from '../files/repository-paths.ts';
import { type CrdSchema, hasBuiltInSchema } from './object-schemas.ts';

/** Folder, relative to the repository root, whose CRDs are validated against. */
export const CRD_SCHEMA_FOLDER = 'schemas';

const HINT = `${CRD_SCHEMA_FOLDER}/ holds only CustomResourceDefinition manifests (.yaml, .yml or .json), as their projects publish them`;

/** Every served version's schema of every CRD under `schemas/`, sorted by file name. */
export async function loadCrdSchemas(root: string): Promise<CrdSchema[]> {
  assertRealPath(root, CRD_SCHEMA_FOLDER);
  const entries = await readdir(join(root, CRD_SCHEMA_FOLDER), { withFileTypes: true }).catch(() => []);
  const schemas: CrdSchema[] = [];
  const definedIn = new Map<string, string>();
  for (const entry of entries.filter((candidate) => !candidate.name.startsWith('.')).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const file = `${CRD_SCHEMA_FOLDER}/${entry.name}`;
    assertRealPath(root, file);
    if (!entry.isFile() || !/\.(ya?ml|json)$/.test(entry.name)) {
      throw new ConfigError({ file, line: 1, col: 1, message: entry.isFile() ? 'is not a YAML or JSON file' : 'is not a file', hint: HINT });
    }
    const found = crdsIn(file, await readFile(join(root, file)));
    for (const schema of found) {
      const earlier = definedIn.get(schema.kind);
      if (earlier) {
        throw new ConfigError({
          file,
          line: 1,
          col: 1,
          message: `defines ${schema.kind} again (${earlier} defines it too)`,
          hint: 'keep one CustomResourceDefinition per group and kind',
        });
      }
      definedIn.set(schema.kind, file);
    }
    schemas.push(...found);
  }
  return schemas;
}

/** The CRD versions of one file's bytes; a {@link ConfigError} for anything that is not a CRD. */
function crdsIn(file: string, bytes: Buffer): CrdSchema[] {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new ConfigError({ file, line: 1, col: 1, message: 'is not UTF-8 text', hint: HINT });
  }
  const lineCounter = new LineCounter();
  const documents = parseAllDocuments(text, { lineCounter });
  if (!Array.isArray(documents)) throw new ConfigError({ file, line: 1, col: 1, message: 'holds no CustomResourceDefinition (it is empty)', hint: HINT });
  const schemas: CrdSchema[] = [];
  for (const document of documents) {
    const at = (offset: number | undefined) => {
      const { line, col } = lineCounter.linePos(offset ?? 0);
      return { file, line, col };
    };
    if (document.errors.length > 0) {
      const [error] = document.errors;
      throw new ConfigError({ ...at(error?.pos[0]), message: `not valid YAML: ${error?.message.split('\n')[0]}`, hint: HINT });
    }
    if (document.contents === null) continue;
    schemas.push(...crdVersions(document, file, at(document.contents.range?.[0])));
  }
  if (schemas.length === 0) throw new ConfigError({ file, line: 1, col: 1, message: 'holds no CustomResourceDefinition with a version schema', hint: HINT });
  return schemas;
}

function crdVersions(document: Document.Parsed, file: string, position: { file: string; line: number; col: number }): CrdSchema[] {
  const object = document.toJS() as {
    apiVersion?: string;
    kind?: string;
    spec?: { group?: string; scope?: string; names?: { kind?: string }; versions?: { name?: string; schema?: { openAPIV3Schema?: object } }[] };
  } | null;
  if (object?.kind !== 'CustomResourceDefinition') {
    throw new ConfigError({ ...position, message: `is not a CustomResourceDefinition (kind: ${JSON.stringify(object?.kind ?? null)})`, hint: HINT });
  }
  const { group, names, versions } = object.spec ?? {};
  if (!group || !names?.kind || !Array.isArray(versions)) {
    throw new ConfigError({
      ...position,
      message: 'a CustomResourceDefinition without spec.group, spec.names.kind or spec.versions',
      hint: 'use the CRD manifest as its project publishes it',
    });
  }
  const schemas = versions
    .filter((version) => version.name && version.schema?.openAPIV3Schema)
    .map((version) => ({
      kind: `${group}/${version.name}/${names.kind}`,
      openApiSchema: version.schema?.openAPIV3Schema as object,
      ...(object.spec?.scope === 'Cluster' ? { clusterScoped: true } : {}),
    }));
  const builtIn = schemas.find((schema) => hasBuiltInSchema(schema.kind));
  if (builtIn) {
    throw new ConfigError({
      file,
      line: position.line,
      col: position.col,
      message: `redefines ${builtIn.kind}, which Manifold validates against its own schema`,
      hint: 'remove this CRD: a built-in kind keeps the schema the API server uses',
    });
  }
  return schemas;
}
