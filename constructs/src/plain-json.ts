/**
 * JSON as cdk8s renders it, for objects that are plain JSON already: what an ApiObject renders
 * without building or resolving anything.
 */

/** `value` as cdk8s sanitizes a resolved value: object keys sorted, null and undefined fields left out. */
export function sortedJson(value: unknown): unknown {
  return sanitized(value, false);
}

/** What cdk8s renders for object metadata: {@link sortedJson}, and empty objects and lists left out too. */
function sortedMetadata(value: unknown): unknown {
  return sanitized(value, true);
}

/** `value` with keys sorted and nullish fields left out, and with `dropEmpty` empty objects and lists too. */
function sanitized(value: unknown, dropEmpty: boolean): unknown {
  if (value === null || value === undefined) return undefined;
  if (typeof value !== 'object') return value;
  if (Array.isArray(value)) return dropEmpty && value.length === 0 ? undefined : value.map((item) => sanitized(item, dropEmpty));
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const field = sanitized((value as Record<string, unknown>)[key], dropEmpty);
    if (field !== undefined) sorted[key] = field;
  }
  return dropEmpty && Object.keys(sorted).length === 0 ? undefined : sorted;
}

/** The chart an object is rendered in: its namespace (given to objects that name none) and labels (under the object's own). */
export interface ChartSettings {
  readonly namespace?: string;
  readonly labels: Readonly<Record<string, string>>;
}

/** A Kubernetes object as plain JSON: its type, metadata and the rest. */
export interface PlainObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata?: Readonly<Record<string, unknown>>;
  readonly [field: string]: unknown;
}

/**
 * What a cdk8s chart renders for `object` added to it as an ApiObject (`new ApiObject(chart, id,
 * object)`, then `chart.toJson()`): apiVersion, kind and metadata first, every key sorted.
 */
export function chartObjectJson({ apiVersion, kind, metadata = {}, ...body }: PlainObject, chart: ChartSettings): Record<string, unknown> {
  const labels = metadata.labels as Record<string, string> | undefined;
  const meta = sortedMetadata({ ...metadata, namespace: metadata.namespace ?? chart.namespace, labels: { ...chart.labels, ...labels } });
  return { apiVersion, kind, metadata: meta, ...(sortedJson(body) as Record<string, unknown>) };
}
