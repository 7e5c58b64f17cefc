/** JSON Schemas of the overlay files, generated from the zod schemas so editors can complete them. */
import { z } from 'zod';
import { environmentSchema } from './environment-schema.ts';
import { imagesSchema } from './images-schema.ts';

/** Folder of the generated schemas, relative to the repository root. */
export const SCHEMA_DIR = 'cli/schema';

/** File name → JSON Schema text, deterministic. */
export function renderJsonSchemas(): Map<string, string> {
  const render = (schema: z.ZodType, title: string): string =>
    `${JSON.stringify({ ...z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }), title }, null, 2)}\n`;
  return new Map([
    ['environment.schema.json', render(environmentSchema, 'Manifold environment.yaml')],
    ['images.schema.json', render(imagesSchema, 'Manifold images.yaml')],
  ]);
}
