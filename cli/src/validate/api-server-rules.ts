/**
 * What the API server rejects beyond the OpenAPI schema (k8s.io/apimachinery validation, 1.28):
 * object names, label and annotation syntax, ports, resource quantities, CronJob schedules, env var
 * and data key names, pod specs (container names, mount paths) and workload selectors.
 */
import { cronScheduleProblem } from '@manifold/constructs/core';
import { joinPath, type SchemaViolation } from './object-schemas.ts';
import { podSpecOf } from './pod-spec.ts';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUALIFIED_NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const IANA_SERVICE_NAME = /^(?=.*[a-z])[a-z0-9]+(-[a-z0-9]+)*$/;
const QUANTITY = /^([+-]?)([0-9]+(\.[0-9]*)?|\.[0-9]+)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?[0-9]+)?$/;
const BINARY_SUFFIXES: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL_SUFFIXES: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };
const PORT_FIELDS = new Set(['containerPort', 'hostPort', 'port', 'targetPort', 'nodePort']);
const MAX_ANNOTATIONS_BYTES = 256 * 1024;
/** An env var name as the 1.28 API server takes it (IsEnvVarName). */
const ENV_VAR_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
/** A ConfigMap or Secret data key (IsConfigMapKey), and the key a secretKeyRef or configMapKeyRef names. */
const DATA_KEY = /^[-._a-zA-Z0-9]+$/;
const SELECTING_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet']);

/** Kinds whose names are DNS-1035 labels (Service) or DNS-1123 labels; every other name is a subdomain. */
const NAME_RULES: Readonly<Record<string, { readonly pattern: RegExp; readonly max: number; readonly what: string }>> = {
  Service: { pattern: DNS1035_LABEL, max: 63, what: 'a DNS-1035 label (lowercase letters, digits and "-", starting with a letter)' },
  Namespace: { pattern: DNS1123_LABEL, max: 63, what: 'a DNS-1123 label (lowercase letters, digits and "-")' },
  CronJob: { pattern: DNS1123_SUBDOMAIN, max: 52, what: 'a DNS-1123 subdomain of at most 52 characters (its Jobs add 11)' },
  StatefulSet: { pattern: DNS1123_LABEL, max: 63, what: 'a DNS-1123 label (its pods are named after it)' },
};
const DEFAULT_NAME_RULE = { pattern: DNS1123_SUBDOMAIN, max: 253, what: 'a DNS-1123 subdomain (lowercase letters, digits, "-" and ".")' };

/** Every rule `object` breaks, with the JSON path of the field. */
export function apiServerViolations(object: Record<string, unknown>): SchemaViolation[] {
  const violations: SchemaViolation[] = [];
  const kind = String(object.kind);
  const metadata = isRecord(object.metadata) ? object.metadata : {};
  const rule = NAME_RULES[kind] ?? DEFAULT_NAME_RULE;
  const name = metadata.name;
  if (typeof name === 'string' && (name.length > rule.max || !rule.pattern.test(name))) {
    violations.push({ path: 'metadata.name', message: `"${name}" must be ${rule.what}, at most ${rule.max} characters` });
  }
  const namespace = metadata.namespace;
  if (typeof namespace === 'string' && (namespace.length > 63 || !DNS1123_LABEL.test(namespace))) {
    violations.push({ path: 'metadata.namespace', message: `"${namespace}" must be a DNS-1123 label of at most 63 characters` });
  }
  // Field rules apply to built-in kinds only: a custom resource's `port` or `limits` may mean anything.
  const builtIn = isBuiltInApiVersion(String(object.apiVersion));
  walk(object, (stack, key, value) => {
    const parent = stack.at(-2);
    const path = () => pathText(stack);
    if (
      (key === 'labels' && parent === 'metadata') ||
      key === 'matchLabels' ||
      (kind === 'Service' && stack.length === 2 && stack[0] === 'spec' && key === 'selector')
    ) {
      checkLabels(path(), value, violations);
    } else if (key === 'annotations' && parent === 'metadata') {
      checkAnnotations(path(), value, violations);
    } else if (!builtIn) {
      return;
    } else if (PORT_FIELDS.has(key)) {
      checkPort(path, value, violations);
    } else if (key === 'name' && typeof value === 'string' && typeof parent === 'number' && stack.at(-3) === 'ports') {
      checkPortName(path, value, kind === 'Service', violations);
    } else if (key === 'name' && typeof value === 'string' && typeof parent === 'number' && stack.at(-3) === 'env') {
      if (!ENV_VAR_NAME.test(value)) {
        violations.push({
          path: path(),
          message: `env var name "${value}" must start with a letter, "_", "-" or "." and hold only letters, digits, "_", "-" and "."`,
        });
      }
    } else if (key === 'key' && typeof value === 'string' && (parent === 'secretKeyRef' || parent === 'configMapKeyRef')) {
      checkDataKey(path(), value, violations);
    } else if ((key === 'requests' || key === 'limits') && parent === 'resources') {
      checkQuantities(path(), value, violations);
    } else if (key === 'resources' && isRecord(value) && isRecord(value.requests) && isRecord(value.limits)) {
      checkRequestsWithinLimits(path(), value.requests, value.limits, violations);
    }
  });
  if (kind === 'CronJob' && isRecord(object.spec)) checkCronJob(object.spec, violations);
  if (builtIn && (kind === 'ConfigMap' || kind === 'Secret')) {
    for (const field of ['data', 'binaryData', 'stringData']) {
      for (const key of Object.keys(isRecord(object[field]) ? object[field] : {})) checkDataKey(`${field}[${JSON.stringify(key)}]`, key, violations);
    }
  }
  const pod = builtIn ? podSpecOf(object) : undefined;
  if (pod) checkPodSpec(pod.path, pod.spec, violations);
  if (builtIn && SELECTING_KINDS.has(kind) && isRecord(object.spec)) checkSelector(object.spec, violations);
  return violations;
}

/** True for the API groups Kubernetes itself serves (`v1`, `apps/v1`, `*.k8s.io/…`). */
export function isBuiltInApiVersion(apiVersion: string): boolean {
  const group = apiVersion.includes('/') ? (apiVersion.split('/')[0] as string) : '';
  return !group.includes('.') || group.endsWith('.k8s.io');
}

function checkLabels(path: string, labels: unknown, violations: SchemaViolation[]): void {
  if (!isRecord(labels)) return;
  for (const [key, value] of Object.entries(labels)) {
    const keyProblem = qualifiedNameProblem(key);
    if (keyProblem) violations.push({ path: joinPath(path, key), message: `label key ${keyProblem}` });
    if (typeof value === 'string' && (value.length > 63 || !LABEL_VALUE.test(value))) {
      violations.push({
        path: joinPath(path, key),
        message: `label value "${value}" must be at most 63 characters of letters, digits, "-", "_" and ".", starting and ending with a letter or digit`,
      });
    }
  }
}

function checkAnnotations(path: string, annotations: unknown, violations: SchemaViolation[]): void {
  if (!isRecord(annotations)) return;
  let size = 0;
  for (const [key, value] of Object.entries(annotations)) {
    const keyProblem = qualifiedNameProblem(key);
    if (keyProblem) violations.push({ path: joinPath(path, key), message: `annotation key ${keyProblem}` });
    size += Buffer.byteLength(key) + (typeof value === 'string' ? Buffer.byteLength(value) : 0);
  }
  if (size > MAX_ANNOTATIONS_BYTES) violations.push({ path, message: `annotations total ${size} bytes; the limit is 256 KiB` });
}

/** Why `key` is not a qualified name (`[prefix/]name`), or undefined. */
function qualifiedNameProblem(key: string): string | undefined {
  const parts = key.split('/');
  if (parts.length > 2) return `"${key}" has more than one "/"`;
  const [prefix, name] = parts.length === 2 ? parts : [undefined, parts[0] as string];
  if (prefix !== undefined && (prefix.length > 253 || !DNS1123_SUBDOMAIN.test(prefix))) return `"${key}" has a prefix that is not a DNS-1123 subdomain`;
  if (name === undefined || name.length > 63 || !QUALIFIED_NAME_PART.test(name)) {
    return `"${key}" must have a name part of at most 63 letters, digits, "-", "_" and ".", starting and ending with a letter or digit`;
  }
  return undefined;
}

function checkPort(path: () => string, value: unknown, violations: SchemaViolation[]): void {
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value < 1 || value > 65535) violations.push({ path: path(), message: `port ${value} is outside 1-65535` });
  } else if (typeof value === 'string' && (value.length > 15 || !IANA_SERVICE_NAME.test(value))) {
    violations.push({ path: path(), message: `port name "${value}" must be at most 15 lowercase letters, digits and single "-", with at least one letter` });
  }
}

function checkPortName(path: () => string, name: string, service: boolean, violations: SchemaViolation[]): void {
  if (service ? name.length > 63 || !DNS1123_LABEL.test(name) : name.length > 15 || !IANA_SERVICE_NAME.test(name)) {
    const rule = service ? 'a DNS-1123 label' : 'at most 15 lowercase letters, digits and single "-", with at least one letter';
    violations.push({ path: path(), message: `port name "${name}" must be ${rule}` });
  }
}

function checkQuantities(path: string, values: unknown, violations: SchemaViolation[]): void {
  if (!isRecord(values)) return;
  for (const [resource, quantity] of Object.entries(values)) {
    if (typeof quantity === 'string' && parseQuantity(quantity) === undefined) {
      violations.push({ path: joinPath(path, resource), message: `"${quantity}" is not a Kubernetes quantity (e.g. 250m, 1, 512Mi, 2Gi)` });
    } else if (typeof quantity === 'number' && quantity < 0) {
      violations.push({ path: joinPath(path, resource), message: `${quantity} must not be negative` });
    }
  }
}

function checkRequestsWithinLimits(path: string, requests: Record<string, unknown>, limits: Record<string, unknown>, violations: SchemaViolation[]): void {
  for (const [resource, limit] of Object.entries(limits)) {
    const request = requests[resource];
    const requested = quantityValue(request);
    const limited = quantityValue(limit);
    if (requested !== undefined && limited !== undefined && requested > limited) {
      violations.push({ path: joinPath(`${path}.requests`, resource), message: `request ${String(request)} is above the limit ${String(limit)}` });
    }
  }
}

function checkDataKey(path: string, key: string, violations: SchemaViolation[]): void {
  if (key.length > 253 || !DATA_KEY.test(key)) {
    violations.push({ path, message: `key "${key}" must hold only letters, digits, "-", "_" and "." (at most 253)` });
  }
}

/** Container names unique across containers and init containers; each container's mount paths set and unique. */
function checkPodSpec(path: string, spec: Record<string, unknown>, violations: SchemaViolation[]): void {
  const names = new Set<string>();
  for (const field of ['initContainers', 'containers']) {
    const containers = Array.isArray(spec[field]) ? spec[field] : [];
    for (const [index, container] of containers.entries()) {
      if (!isRecord(container)) continue;
      const at = `${path}.${field}[${index}]`;
      if (typeof container.name === 'string') {
        if (names.has(container.name)) violations.push({ path: `${at}.name`, message: `container name "${container.name}" is used twice in one pod` });
        names.add(container.name);
      }
      const mounts = new Set<string>();
      for (const [mountIndex, mount] of (Array.isArray(container.volumeMounts) ? container.volumeMounts : []).entries()) {
        const mountPath = isRecord(mount) ? mount.mountPath : undefined;
        if (typeof mountPath !== 'string') continue;
        const where = `${at}.volumeMounts[${mountIndex}].mountPath`;
        if (mountPath === '') violations.push({ path: where, message: 'mountPath must not be empty' });
        else if (mounts.has(mountPath)) violations.push({ path: where, message: `mountPath "${mountPath}" is mounted twice in one container` });
        mounts.add(mountPath);
      }
    }
  }
}

/** A workload's selector must select its own pods: every matchLabels entry is a label of the template. */
function checkSelector(spec: Record<string, unknown>, violations: SchemaViolation[]): void {
  const matchLabels = isRecord(spec.selector) && isRecord(spec.selector.matchLabels) ? spec.selector.matchLabels : undefined;
  const template = isRecord(spec.template) && isRecord(spec.template.metadata) ? spec.template.metadata : undefined;
  if (!matchLabels) return;
  const labels = isRecord(template?.labels) ? template.labels : {};
  for (const [key, value] of Object.entries(matchLabels)) {
    if (labels[key] !== value) {
      violations.push({
        path: 'spec.selector.matchLabels',
        message: `selector ${key}=${String(value)} does not match the pod template's labels (${labels[key] === undefined ? 'no such label' : `${key}=${String(labels[key])}`})`,
      });
      return;
    }
  }
}

function checkCronJob(spec: Record<string, unknown>, violations: SchemaViolation[]): void {
  if (typeof spec.schedule === 'string') {
    const problem = cronScheduleProblem(spec.schedule);
    if (problem) violations.push({ path: 'spec.schedule', message: `schedule "${spec.schedule}" ${problem}` });
  }
  if (typeof spec.timeZone === 'string' && !isTimeZone(spec.timeZone)) {
    violations.push({ path: 'spec.timeZone', message: `"${spec.timeZone}" is not an IANA time zone (e.g. Etc/UTC, Europe/Berlin)` });
  }
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return zone !== '' && !/\s/.test(zone);
  } catch {
    return false;
  }
}

function quantityValue(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  return typeof value === 'string' ? parseQuantity(value) : undefined;
}

/** The numeric value of a Kubernetes quantity, or undefined when it is not one. */
export function parseQuantity(text: string): number | undefined {
  const match = QUANTITY.exec(text);
  if (!match) return undefined;
  const [, sign = '', digits = '', , suffix = ''] = match;
  const number = Number(`${sign}${digits}`);
  if (suffix in BINARY_SUFFIXES) return number * (BINARY_SUFFIXES[suffix] as number);
  if (suffix in DECIMAL_SUFFIXES) return number * (DECIMAL_SUFFIXES[suffix] as number);
  return number * 10 ** Number(suffix.slice(1));
}

/** Called for every map entry with the keys and indexes from the root to it (the same array, reused). */
type Visitor = (stack: readonly (string | number)[], key: string, value: unknown) => void;

function walk(value: unknown, visit: Visitor, stack: (string | number)[] = []): void {
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      stack.push(index);
      walk(item, visit, stack);
      stack.pop();
    }
  } else if (isRecord(value)) {
    for (const [key, child] of Object.entries(value)) {
      stack.push(key);
      visit(stack, key, child);
      walk(child, visit, stack);
      stack.pop();
    }
  }
}

/** `spec.containers[0].image` for the keys and indexes in `stack`. */
function pathText(stack: readonly (string | number)[]): string {
  let text = '';
  for (const part of stack) text = typeof part === 'number' ? `${text}[${part}]` : joinPath(text, part);
  return text;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
