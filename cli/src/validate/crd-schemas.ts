/**
 * Schemas of custom resources a user wants validated: CustomResourceDefinition manifests
 * (apiextensions.k8s.io/v1) in the repository's `schemas/` folder, one or more per file.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { ConfigError } from '../config/config-error.ts';
import type { CrdSchema } from './object-schemas.ts';

/** Folder, relative to the repository root, whose CRDs are validated against. */
export const CRD_SCHEMA_FOLDER = 'schemas';

/** Every served version's schema of every CRD under `schemas/`, sorted by file name. */
export async function loadCrdSchemas(root: string): Promise<CrdSchema[]> {
  const names = await readdir(join(root, CRD_SCHEMA_FOLDER)).catch(() => [] as string[]);
  const schemas: CrdSchema[] = [];
  for (const name of names.filter((file) => /\.(ya?ml|json)$/.test(file)).sort()) {
    const file = `${CRD_SCHEMA_FOLDER}/${name}`;
    const text = await readFile(join(root, file), 'utf8');
    for (const document of parseAllDocuments(text)) {
      if (document.errors.length > 0) {
        const [error] = document.errors;
        const [line, col] = error?.linePos?.[0] ? [error.linePos[0].line, error.linePos[0].col] : [1, 1];
        throw new ConfigError({ file, line, col, message: `not valid YAML: ${error?.message.split('\n')[0]}`, hint: 'fix the CRD file' });
      }
      schemas.push(...crdVersions(document.toJS(), file));
    }
  }
  return schemas;
}

function crdVersions(crd: unknown, file: string): CrdSchema[] {
  const object = crd as {
    kind?: string;
    spec?: { group?: string; names?: { kind?: string }; versions?: { name?: string; schema?: { openAPIV3Schema?: object } }[] };
  };
  if (object?.kind !== 'CustomResourceDefinition') return [];
  const { group, names, versions } = object.spec ?? {};
  if (!group || !names?.kind || !Array.isArray(versions)) {
    throw new ConfigError({
      file,
      line: 1,
      col: 1,
      message: 'a CustomResourceDefinition without spec.group, spec.names.kind or spec.versions',
      hint: 'use the CRD manifest as its project publishes it',
    });
  }
  return versions
    .filter((version) => version.name && version.schema?.openAPIV3Schema)
    .map((version) => ({ kind: `${group}/${version.name}/${names.kind}`, openApiSchema: version.schema?.openAPIV3Schema as object }));
}
