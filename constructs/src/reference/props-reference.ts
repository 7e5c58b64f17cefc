/**
 * The constructs' reference (docs/constructs.md), generated from their JSDoc so it never drifts from
 * the code: each construct's description, then a table of its props with type, whether it is required,
 * its default (`@default`) and what it does. `pnpm docs` writes it; a test keeps the committed file current.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
// TypeScript 7 (the native compiler, which type-checks this repository) has no JavaScript API yet:
// the reference is read with 5.9's parser.
import ts from 'typescript-api';

const WORKLOADS = join(import.meta.dirname, '..', 'workloads');
/** Where the reference is committed, relative to the repository root. */
export const REFERENCE_FILE = 'docs/constructs.md';
/** The constructs an app uses, in the order the reference lists them, and their source files. */
const CONSTRUCTS = [
  ['WebService', 'web-service.ts'],
  ['Worker', 'worker.ts'],
  ['ScheduledJob', 'scheduled-job.ts'],
  ['StatefulService', 'stateful-service.ts'],
] as const;
const SHARED = 'WorkloadOptions';

interface Prop {
  readonly name: string;
  readonly type: string;
  readonly required: boolean;
  readonly defaultValue: string;
  readonly description: string;
}

/** The reference as Markdown. */
export function renderPropsReference(): string {
  const shared = readDeclarations('workload-options.ts');
  const sections = CONSTRUCTS.map(([name, file]) => {
    const declarations = readDeclarations(file);
    const props = declarations.interfaces.get(`${name}Props`) ?? [];
    const table = props.length > 0 ? `\n\n${propsTable(props)}` : '';
    return `## ${name}\n\n${declarations.classes.get(name) ?? ''}\n\nProps: every [shared prop](#shared-props), and:${table || ' none of its own.'}`;
  });
  return `# Constructs reference

Generated from the JSDoc of \`constructs/src/workloads/\` by \`pnpm docs\`; do not edit by hand.
Import them from \`@manifold/constructs\`; every one takes \`(scope, id, props)\`, and \`name\` gives the
objects their names.

${sections.join('\n\n')}

## Shared props

${shared.interfaces.get(SHARED)?.length ? propsTable(shared.interfaces.get(SHARED) ?? []) : ''}
`;
}

/** The class descriptions and interface props declared in one workloads file. */
function readDeclarations(file: string): { classes: Map<string, string>; interfaces: Map<string, Prop[]> } {
  const path = join(WORKLOADS, file);
  const source = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true);
  const classes = new Map<string, string>();
  const interfaces = new Map<string, Prop[]>();
  for (const statement of source.statements) {
    if (ts.isClassDeclaration(statement) && statement.name) classes.set(statement.name.text, docText(statement));
    if (ts.isInterfaceDeclaration(statement)) {
      const props = statement.members.filter(ts.isPropertySignature).map((member) => ({
        name: member.name.getText(source),
        type: member.type?.getText(source).replace(/\s+/g, ' ') ?? 'unknown',
        required: member.questionToken === undefined,
        defaultValue: docTag(member, 'default'),
        description: docText(member),
      }));
      interfaces.set(statement.name.text, props);
    }
  }
  return { classes, interfaces };
}

function propsTable(props: readonly Prop[]): string {
  const cell = (text: string) => text.replaceAll('|', '\\|').replace(/\s+/g, ' ').trim();
  const rows = props.map(
    (prop) => `| \`${prop.name}\` | \`${cell(prop.type)}\` | ${prop.required ? 'yes' : 'no'} | ${cell(prop.defaultValue) || '—'} | ${cell(prop.description)} |`,
  );
  return ['| prop | type | required | default | what it does |', '|---|---|---|---|---|', ...rows].join('\n');
}

/** A declaration's JSDoc text, without its tags. */
function docText(node: ts.Node): string {
  return ts
    .getJSDocCommentsAndTags(node)
    .filter(ts.isJSDoc)
    .map((doc) => ts.getTextOfJSDocComment(doc.comment) ?? '')
    .join('\n')
    .replace(/\s*\n\s*/g, ' ')
    .trim();
}

/** The text of a declaration's JSDoc tag `name` (e.g. `@default`), or ''. */
function docTag(node: ts.Node, name: string): string {
  const tag = ts.getJSDocTags(node).find((candidate) => candidate.tagName.text === name);
  return tag ? (ts.getTextOfJSDocComment(tag.comment) ?? '') : '';
}

// `pnpm docs`: write the reference.
if (process.argv[1] === import.meta.filename) {
  writeFileSync(join(import.meta.dirname, '..', '..', '..', REFERENCE_FILE), renderPropsReference());
  console.log(`wrote ${REFERENCE_FILE}`);
}
