import { isCollection, isPair, isScalar, parseDocument, visit } from 'yaml';

const text = 'a:\n  spec: # 컨테이너\n    containers:\n    - name: c # x\n      image: y\nb: 1\n';
const doc = parseDocument(text, { schema: 'failsafe' });
visit(doc, {
  Pair(_, pair) {
    if (isCollection(pair.value) && pair.value.commentBefore && isScalar(pair.key)) {
      console.log('key range', pair.key.range, 'value range', pair.value.range, JSON.stringify(pair.value.commentBefore));
      (pair.key as any).comment = pair.value.commentBefore;
      pair.value.commentBefore = undefined;
    }
  },
});
console.log(doc.toString({ lineWidth: 0, indentSeq: false }));
