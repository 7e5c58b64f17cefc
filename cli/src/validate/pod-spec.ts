/** Where a workload object keeps the spec of the pods it makes. */

/** The pod spec path of each workload kind. */
const POD_SPEC_PATHS: Readonly<Record<string, readonly string[]>> = {
  Pod: ['spec'],
  Deployment: ['spec', 'template', 'spec'],
  StatefulSet: ['spec', 'template', 'spec'],
  DaemonSet: ['spec', 'template', 'spec'],
  ReplicaSet: ['spec', 'template', 'spec'],
  Job: ['spec', 'template', 'spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
};

/** The pod spec of `object` and its dotted path, or undefined for an object that makes no pods. */
export function podSpecOf(object: Readonly<Record<string, unknown>>): { readonly path: string; readonly spec: Record<string, unknown> } | undefined {
  const keys = POD_SPEC_PATHS[String(object.kind)];
  if (!keys) return undefined;
  let spec: unknown = object;
  for (const key of keys) spec = spec !== null && typeof spec === 'object' && !Array.isArray(spec) ? (spec as Record<string, unknown>)[key] : undefined;
  return spec !== null && typeof spec === 'object' && !Array.isArray(spec) ? { path: keys.join('.'), spec: spec as Record<string, unknown> } : undefined;
}

/** The metadata of the pods `object` makes (a Pod's own) and its dotted path, or undefined when it has none. */
export function podMetadataOf(object: Readonly<Record<string, unknown>>): { readonly path: string; readonly fields: Record<string, unknown> } | undefined {
  const keys = POD_SPEC_PATHS[String(object.kind)];
  if (!keys) return undefined;
  const path = [...keys.slice(0, -1), 'metadata'];
  let metadata: unknown = object;
  for (const key of path)
    metadata = metadata !== null && typeof metadata === 'object' && !Array.isArray(metadata) ? (metadata as Record<string, unknown>)[key] : undefined;
  return metadata !== null && typeof metadata === 'object' && !Array.isArray(metadata)
    ? { path: path.join('.'), fields: metadata as Record<string, unknown> }
    : undefined;
}
