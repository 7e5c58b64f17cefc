import { parseDocument } from 'yaml';

for (const text of [
  '# head\n\napiVersion: v1\n\nkind: A\n',
  '# head\napiVersion: v1\n',
  'a:\n  - x\n\n  - y\nb: "\\u00e9"\nc: "x\\ty"\nd: ~\ne: [a:1, b]\nf: |\n  line\n  two\n',
  '---\na: 1\n...\n',
]) {
  const doc = parseDocument(text, { schema: 'failsafe' });
  console.log(
    JSON.stringify(text),
    '=>',
    JSON.stringify(doc.toString({ lineWidth: 0, indentSeq: true })),
    'cb',
    JSON.stringify(doc.commentBefore),
    'sb',
    (doc.contents as any)?.spaceBefore,
  );
}
