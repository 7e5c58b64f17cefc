/**
 * The commit message the image-automation-controller writes: its `messageTemplate` (or its default)
 * run on the data it gives templates — `.AutomationObject` (namespace/name), `.Changed` with
 * `.FileChanges` (file → object → changes), `.Objects` and `.Changes`, and `.Values`.
 */
import { GoMap, GoStruct, renderGoTemplate } from '../go/go-template.ts';
import type { ObjectIdentity, SetterChange } from './simulate-setters.ts';

/** The message the controller commits with when its automation sets no messageTemplate. */
export const DEFAULT_COMMIT_MESSAGE = 'Update from image update automation';

/** What a template is run for: the automation object, the changes of the run, and messageTemplateValues. */
export interface CommitContext {
  readonly automation: { readonly namespace: string; readonly name: string };
  readonly changes: readonly SetterChange[];
  readonly values?: ReadonlyMap<string, string>;
}

/**
 * Renders `template` (the default one when empty) for `context`. Where the controller iterates a Go
 * map in random order (`.Changed.Changes`, and which file's entry `.Objects` keeps for an object in
 * two files), files and objects are taken in sorted order. Throws GoTemplateError for a template the
 * controller would refuse or the simulator cannot evaluate.
 */
export function commitMessage(template: string | undefined, context: CommitContext): string {
  const identities = new Map<string, GoStruct>();
  const identify = (object: ObjectIdentity): GoStruct => {
    const key = JSON.stringify([object.apiVersion, object.kind, object.name, object.namespace]);
    let identity = identities.get(key);
    if (!identity) {
      identity = objectIdentifier(object);
      identities.set(key, identity);
    }
    return identity;
  };
  const files = new Map<string, Map<GoStruct, GoStruct[]>>();
  for (const change of context.changes) {
    const objects = files.get(change.file) ?? new Map<GoStruct, GoStruct[]>();
    files.set(change.file, objects);
    const object = identify(change.object);
    objects.set(object, [...(objects.get(object) ?? []), goChange(change)]);
  }
  const sortedFiles = [...files.keys()].sort();
  const changed = new GoStruct(
    'update.Result',
    new Map([['FileChanges', new GoMap(new Map([...files].map(([file, objects]) => [file, new GoMap(objects)])))]]),
    {
      methods: {
        Objects: () => new GoMap(new Map(sortedFiles.flatMap((file) => [...(files.get(file) ?? [])]))),
        Changes: () => {
          const seen = new Set<string>();
          return sortedFiles.flatMap((file) =>
            [...(files.get(file)?.values() ?? [])].flat().filter((change) => {
              const key = JSON.stringify([...change.fields.values()]);
              return !seen.has(key) && seen.add(key);
            }),
          );
        },
      },
    },
  );
  const { namespace, name } = context.automation;
  const data = new GoStruct(
    'source.TemplateData',
    new Map<string, unknown>([
      [
        'AutomationObject',
        new GoStruct(
          'types.NamespacedName',
          new Map([
            ['Namespace', namespace],
            ['Name', name],
          ]),
          { stringer: `${namespace}/${name}` },
        ),
      ],
      ['Changed', changed],
      ['Values', new GoMap(context.values ?? new Map())],
    ]),
  );
  return renderGoTemplate(template || DEFAULT_COMMIT_MESSAGE, data);
}

function goChange(change: SetterChange): GoStruct {
  return new GoStruct(
    'update.Change',
    new Map([
      ['OldValue', change.oldValue],
      ['NewValue', change.newValue],
      ['Setter', change.setter],
    ]),
  );
}

/** kyaml's ResourceIdentifier inside the controller's ObjectIdentifier, fields promoted as Go promotes them. */
function objectIdentifier(object: ObjectIdentity): GoStruct {
  const typeMeta = new GoStruct(
    'yaml.TypeMeta',
    new Map([
      ['APIVersion', object.apiVersion],
      ['Kind', object.kind],
    ]),
  );
  const nameMeta = new GoStruct(
    'yaml.NameMeta',
    new Map([
      ['Name', object.name],
      ['Namespace', object.namespace],
    ]),
  );
  const resource = new GoStruct(
    'yaml.ResourceIdentifier',
    new Map([
      ['TypeMeta', typeMeta],
      ['NameMeta', nameMeta],
    ]),
    { embedded: ['TypeMeta', 'NameMeta'] },
  );
  return new GoStruct('update.ObjectIdentifier', new Map([['ResourceIdentifier', resource]]), { embedded: ['ResourceIdentifier'] });
}
