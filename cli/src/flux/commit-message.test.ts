import { describe, expect, it } from 'vitest';
import { GoTemplateError, renderGoTemplate } from '../go/go-template.ts';
import { commitMessage } from './commit-message.ts';
import { MESSAGE_TEMPLATE } from './image-automation-objects.ts';
import type { SetterChange } from './simulate-setters.ts';

const DEPLOYMENT = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', namespace: 'acme' };
const NO_OBJECT = { apiVersion: '', kind: '', name: '', namespace: '' };
const CHANGES: SetterChange[] = [
  { file: 'dist/web.yaml', object: DEPLOYMENT, setter: 'flux-system:web', oldValue: 'web:1.0', newValue: 'web:1.1' },
  { file: 'overlays/images.yaml', object: NO_OBJECT, setter: 'flux-system:web', oldValue: 'web:1.0', newValue: 'web:1.1' },
  { file: 'values.yaml', object: NO_OBJECT, setter: 'flux-system:api:tag', oldValue: '1', newValue: '2' },
];
const context = { automation: { namespace: 'flux-system', name: 'manifold-dev' }, changes: CHANGES };

describe('commit messages as the controller renders them', () => {
  it("uses the controller's default without a template", () => {
    expect(commitMessage(undefined, context)).toBe('Update from image update automation');
    expect(commitMessage('', context)).toBe('Update from image update automation');
  });

  it("renders Manifold's own template: objects in Go's struct key order (empty identifiers first), one line per change, then the files", () => {
    // The object without apiVersion sorts first; the two files' changes to it: the later file's entry wins in .Objects.
    expect(commitMessage(MESSAGE_TEMPLATE, context)).toBe(
      'Update images in manifold-dev\n\nChanges:\n- 1 -> 2\n- web:1.0 -> web:1.1\n\nFiles:\n- dist/web.yaml\n- overlays/images.yaml\n- values.yaml\n',
    );
  });

  it("renders the Flux documentation's template, fields promoted from kyaml's ResourceIdentifier", () => {
    const template = `Automated image update

Automation name: {{ .AutomationObject }}

Files:
{{ range $filename, $_ := .Changed.FileChanges -}}
- {{ $filename }}
{{ end -}}

Objects:
{{ range $resource, $changes := .Changed.Objects -}}
- {{ $resource.Kind }} {{ $resource.Name }}
  Changes:
{{- range $_, $change := $changes }}
    - {{ $change.OldValue }} -> {{ $change.NewValue }}
{{ end -}}
{{ end -}}
`;
    expect(commitMessage(template, context)).toBe(
      'Automated image update\n\nAutomation name: flux-system/manifold-dev\n\nFiles:\n- dist/web.yaml\n- overlays/images.yaml\n- values.yaml\nObjects:\n-  \n  Changes:\n    - 1 -> 2\n- Deployment web\n  Changes:\n    - web:1.0 -> web:1.1\n',
    );
  });

  it('gives .Changed.Changes without duplicates, .Values, and prints structs as Go does', () => {
    const template =
      '{{ range .Changed.Changes }}{{ .Setter }}={{ .NewValue }};{{ end }} {{ len .Changed.Changes }} {{ .Values.team }}{{ .Values.missing }} {{ range $r, $_ := .Changed.Objects }}{{ $r }}{{ end }}';
    expect(commitMessage(template, { ...context, values: new Map([['team', 'payments']]) })).toBe(
      'flux-system:web=web:1.1;flux-system:api:tag=2; 2 payments<no value> {{{ } { }}}{{{apps/v1 Deployment} {web acme}}}',
    );
  });

  it('refuses what the controller refuses: a removed field, an unknown function, an unclosed block', () => {
    expect(() => commitMessage('{{ .Updated }}', context)).toThrow("can't evaluate field Updated in type source.TemplateData");
    expect(() => commitMessage('{{ .Changed.ImageResult }}', context)).toThrow("can't evaluate field ImageResult in type update.Result");
    expect(() => commitMessage('{{ now }}', context)).toThrow(GoTemplateError);
    expect(() => commitMessage('{{ if true }}x', context)).toThrow(/EOF/);
  });
});

describe('Go text/template semantics', () => {
  const run = (template: string, data: unknown = null) => renderGoTemplate(template, data);

  it('trims with {{- and -}}, skips comments, and keeps a - that is part of a number', () => {
    expect(run('a  \n {{- 1 -}} \n  b')).toBe('a1b');
    expect(run('a {{-3}} b')).toBe('a -3 b');
    expect(run('x {{- /* note */ -}} y')).toBe('xy');
  });

  it('evaluates if / else if / else, with, variables, pipelines and parentheses', () => {
    expect(run('{{ if eq 1 2 }}a{{ else if eq 2 2 }}b{{ else }}c{{ end }}')).toBe('b');
    expect(run('{{ with "" }}x{{ else }}empty{{ end }}{{ with "v" }}{{ . }}{{ end }}')).toBe('emptyv');
    expect(run('{{ $x := "a" }}{{ $x = printf "%s-%d" $x 7 }}{{ $x }}')).toBe('a-7');
    expect(run('{{ "abc" | upper | printf "%q" }} {{ (len "héllo") }} {{ not (and 1 0) }} {{ or 0 "" "z" }}')).toBe('"ABC" 6 true z');
    expect(run('{{ list "b" "a" "b" | uniq | sortAlpha | join "," }} {{ "x" | default "d" }} {{ "" | default "d" }}')).toBe('a,b x d');
  });

  it("runs sprig's regex functions with Go's regexp rules: empty matches after a match skipped, $name expansion", () => {
    expect(run('{{ regexMatch "^v[0-9]+" "v12-x" }} {{ regexFind "[0-9]+" "a12b34" }} {{ regexFind "z" "abc" | printf "%q" }}')).toBe('true 12 ""');
    expect(run('{{ regexFindAll "[0-9]+" "a1b22c333" -1 }} {{ regexFindAll "[0-9]+" "a1b22c333" 2 }} {{ regexFindAll "^a" "aaa" -1 }}')).toBe(
      '[1 22 333] [1 22] [a]',
    );
    // "", "aaa", then the empty match right after "aaa" is skipped, the 😀 stepped over as one character, "" at the end.
    expect(run('{{ regexFindAll "a*" "baaa😀" -1 | len }} {{ regexReplaceAll "a*" "baaa😀" "-" }}')).toBe('3 -b-😀-');
    // $1x names the group "1x" (empty); ${1}x is group 1 then x; $$ is $; a named group by its name.
    expect(run('{{ regexReplaceAll "(a)(?P<tail>b+)" "xabbz" "[$1x|${1}x|$$|$tail]" }}')).toBe('x[|ax|$|bb]z');
    expect(
      run(
        '{{ regexReplaceAllLiteral "a(b)" "ab-ab" "$1" }} {{ regexSplit "," "a,b,,c" -1 }} {{ regexSplit "," "a,b,,c" 2 }} {{ regexSplit "x*" "abc" -1 | len }}',
      ),
    ).toBe('$1-$1 [a b  c] [a b,,c] 3');
    expect(run('{{ regexQuoteMeta "1.2.3+[x]" }} {{ regexSplit "," "" -1 | len }}')).toBe('1\\.2\\.3\\+\\[x\\] 1');
    // Go's own documented examples of Regexp.Split and Regexp.ReplaceAllString.
    expect(
      run('{{ regexSplit "a*" "abaabaccadaaae" 5 | join "|" }} {{ regexSplit "a" "banana" -1 | join "|" }} {{ regexSplit "z+" "pizza" 2 | join "|" }}'),
    ).toBe('|b|b|c|cadaaae b|n|n| pi|a');
    expect(
      run(
        '{{ regexReplaceAll "a(x*)b" "-ab-axxb-" "$1" }} {{ regexReplaceAll "a(x*)b" "-ab-axxb-" "$1W" }} {{ regexReplaceAll "a(x*)b" "-ab-axxb-" "${1}W" }}',
      ),
    ).toBe('--xx- --- -W-xxW-');
    expect(() => run('{{ regexMatch "(" "x" }}')).toThrow(/error calling regexMatch/);
  });

  it("runs sprig's checksum and base64 functions as Go's hash packages compute them", () => {
    expect(run('{{ sha256sum "abc" }} {{ sha1sum "abc" }}')).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad a9993e364706816aba3e25717850c26c9cd0d89d',
    );
    // Adler-32 of "Wikipedia" is 0x11E60398.
    expect(run('{{ adler32sum "Wikipedia" }} {{ b64enc "héllo" }}')).toBe(`${0x11e60398} aMOpbGxv`);
  });

  it('ranges over lists with indexes and over empty values with else', () => {
    expect(run('{{ range $i, $v := list "a" "b" }}{{ $i }}{{ $v }} {{ end }}{{ range list }}x{{ else }}none{{ end }}')).toBe('0a 1b none');
  });
});
