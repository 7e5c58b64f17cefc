/**
 * An API object whose body is plain JSON built by Manifold, not by cdk8s-plus: it renders what an
 * ApiObject with the same props renders (metadata from the chart and its own, keys sorted, empty
 * values left out), without resolving its body again. A JSON patch added to it makes it render as
 * any ApiObject does.
 */
import { ApiObject, type ApiObjectMetadata, type JsonPatch } from 'cdk8s';
import type { Construct } from 'constructs';
import { sortedJson } from '../plain-json.ts';

/** What a {@link PlainApiObject} is made of: its type, its metadata and the rest of its JSON. */
export interface PlainApiObjectProps {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: ApiObjectMetadata;
  /** Every field besides apiVersion, kind and metadata, as plain JSON. */
  readonly body: Readonly<Record<string, unknown>>;
}

export class PlainApiObject extends ApiObject {
  private readonly body: Record<string, unknown>;
  private patched = false;

  constructor(scope: Construct, id: string, { apiVersion, kind, metadata, body }: PlainApiObjectProps) {
    super(scope, id, { apiVersion, kind, metadata, ...body });
    this.body = sortedJson(body) as Record<string, unknown>;
  }

  override addJsonPatch(...ops: JsonPatch[]): void {
    this.patched = true;
    super.addJsonPatch(...ops);
  }

  override toJson(): Record<string, unknown> {
    // Unsorted output (CDK8S_DISABLE_SORT) is cdk8s's own to render.
    if (this.patched || process.env.CDK8S_DISABLE_SORT) return super.toJson();
    return { apiVersion: this.apiVersion, kind: this.kind, metadata: this.metadata.toJson(), ...this.body };
  }
}
