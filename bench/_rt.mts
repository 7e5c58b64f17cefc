import { readdirSync, readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';

const files = [
  ...readdirSync('dist', { recursive: true })
    .filter((f) => String(f).endsWith('.yaml'))
    .map((f) => 'dist/' + f),
  ...readdirSync('overlays', { recursive: true })
    .filter((f) => String(f).endsWith('.yaml'))
    .map((f) => 'overlays/' + f),
  ...readdirSync('../shared/flux-fixtures/upstream', { recursive: true })
    .filter((f) => /\.ya?ml$|Kustomization$/.test(String(f)))
    .map((f) => '../shared/flux-fixtures/upstream/' + f),
];
let bad = 0;
for (const f of files) {
  const text = readFileSync(f, 'utf8');
  const docs = parseAllDocuments(text, { schema: 'failsafe', keepSourceTokens: false });
  if (!Array.isArray(docs)) continue;
  const seqWide = !/\n( *)[a-zA-Z]+:\n\1- /.test(text);
  const out = docs.map((d) => d.toString({ lineWidth: 0, indentSeq: seqWide, schema: 'failsafe' } as any)).join('---\n');
  if (out !== text) {
    bad++;
    console.log('DIFF', f);
    if (bad < 4) {
      console.log(JSON.stringify(text.slice(0, 300)));
      console.log(JSON.stringify(out.slice(0, 300)));
    }
  }
}
console.log(files.length, 'files', bad, 'differ');
