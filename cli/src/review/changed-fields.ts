/** The field paths in which two versions of a Kubernetes object differ, as a reviewer reads them. */

/** Most paths listed for one object; the rest are counted. */
export const MAX_FIELDS = 12;

/**
 * The paths of the fields that differ between `before` and `after`, sorted, e.g.
 * `spec.template.spec.containers[name=web].image` or `metadata.labels["app.kubernetes.io/version"]`.
 * Lists whose items all have a distinct `name` are matched by name (as `kubectl apply` merges
 * containers, ports and env), other lists by position. A field added or removed is one path.
 */
export function changedFields(before: unknown, after: unknown): string[] {
  const paths: string[] = [];
  collect(before, after, '', paths);
  return paths.sort();
}

function collect(before: unknown, after: unknown, path: string, paths: string[]): void {
  if (Object.is(before, after)) return;
  if (isRecord(before) && isRecord(after)) {
    for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) collect(before[key], after[key], child(path, key), paths);
    return;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const beforeByName = byName(before);
    const afterByName = byName(after);
    if (beforeByName && afterByName) {
      const start = paths.length;
      for (const name of new Set([...beforeByName.keys(), ...afterByName.keys()]))
        collect(beforeByName.get(name), afterByName.get(name), `${path}[name=${name}]`, paths);
      // Same items in another order: the order itself changed (it matters for containers and env).
      if (paths.length === start && before.some((item, index) => (item as { name: string }).name !== (after[index] as { name: string }).name))
        paths.push(`${path} (order)`);
      return;
    }
    for (let index = 0; index < Math.max(before.length, after.length); index++) collect(before[index], after[index], `${path}[${index}]`, paths);
    return;
  }
  paths.push(path || '(whole object)');
}

/** Items by their `name` when every item is an object with a distinct string name; otherwise undefined. */
function byName(items: readonly unknown[]): Map<string, unknown> | undefined {
  const named = new Map<string, unknown>();
  for (const item of items) {
    const name = isRecord(item) ? item.name : undefined;
    if (typeof name !== 'string' || named.has(name)) return undefined;
    named.set(name, item);
  }
  return named;
}

function child(path: string, key: string): string {
  const plain = /^[A-Za-z_$][\w$-]*$/.test(key);
  if (plain) return path ? `${path}.${key}` : key;
  return `${path}[${JSON.stringify(key)}]`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
