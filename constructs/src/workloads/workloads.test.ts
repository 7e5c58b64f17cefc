import { App, Chart, Cron } from 'cdk8s';
import { Construct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { ImageRef } from '../images/image-ref.ts';
import { ScheduledJob } from './scheduled-job.ts';
import { StatefulService } from './stateful-service.ts';
import { WebService } from './web-service.ts';
import { Worker } from './worker.ts';

const image = ImageRef.parse(`ghcr.io/acme/app:v1@sha256:${'b'.repeat(64)}`);

// biome-ignore lint/suspicious/noExplicitAny: the tests read deep into Kubernetes JSON.
type KubeObject = Record<string, any>;

function synth(build: (chart: Chart) => void, id = 'Chart'): KubeObject[] {
  const chart = new Chart(new App(), id, { namespace: 'team', disableResourceNameHashes: true });
  build(chart);
  return chart.toJson();
}

describe('workloads', () => {
  it('name objects and select pods by app name only, whatever the construct path', () => {
    const objects = synth((chart) => {
      new WebService(chart, 'Web', { name: 'web', image, host: 'web.example.com' });
      new Worker(chart, 'Worker', { name: 'worker', image });
      new ScheduledJob(chart, 'Job', { name: 'nightly', image, schedule: '0 3 * * *' });
      new StatefulService(chart, 'Db', { name: 'db', image, port: 5432, mountPath: '/data' });
    });
    const text = JSON.stringify(objects);
    expect(text).not.toContain('cdk8s.io/metadata.addr');
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      'CronJob/nightly',
      'Deployment/web',
      'Deployment/worker',
      'Ingress/web',
      'Service/db',
      'Service/web',
      'StatefulSet/db',
    ]);
    const web = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'web');
    expect(web?.spec.selector).toEqual({ matchLabels: { 'app.kubernetes.io/name': 'web' } });
    expect(objects.find((o) => o.kind === 'Service' && o.metadata.name === 'db')?.spec.selector).toEqual({ 'app.kubernetes.io/name': 'db' });
  });

  it('render the same objects when constructs are renamed or nested differently', () => {
    const first = synth((chart) => new WebService(chart, 'Web', { name: 'web', image }), 'A');
    const second = synth((chart) => new WebService(new Construct(chart, 'Nested'), 'Renamed', { name: 'web', image }), 'A');
    expect(second).toEqual(first);
  });

  it('give a StatefulService a headless Service and one volume claim per replica', () => {
    const objects = synth((chart) => new StatefulService(chart, 'Db', { name: 'db', image, port: 5432, mountPath: '/data', storage: '50Gi' }));
    const set = objects.find((o) => o.kind === 'StatefulSet');
    expect(objects.find((o) => o.kind === 'Service')?.spec.clusterIP).toBe('None');
    expect(set?.spec.serviceName).toBe('db');
    expect(set?.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('50Gi');
    expect(set?.spec.template.spec.containers[0].volumeMounts).toEqual([
      { mountPath: '/tmp', name: 'tmp' },
      { name: 'data', mountPath: '/data' },
    ]);
  });

  it('apply the size: replicas, CPU request and equal memory request and limit', () => {
    const [deployment] = synth((chart) => new Worker(chart, 'W', { name: 'w', image, size: { replicas: 3, cpu: '1', memory: '2Gi' } }));
    expect(deployment?.spec.replicas).toBe(3);
    expect(deployment?.spec.template.spec.containers[0].resources).toEqual({
      limits: { memory: '2048Mi' },
      requests: { cpu: '1000m', memory: '2048Mi' },
    });
  });

  it('write a schedule exactly as given, macros included, and refuse one Kubernetes would not take', () => {
    const schedules = (schedule: string | Cron, timeZone?: string) =>
      synth((chart) => new ScheduledJob(chart, 'Job', { name: 'nightly', image, schedule, timeZone }))[0]?.spec;
    expect(schedules('@daily')).toMatchObject({ schedule: '@daily', timeZone: 'Etc/UTC' });
    expect(schedules('*/15 9-17 * * MON-FRI', 'Europe/Berlin')).toMatchObject({ schedule: '*/15 9-17 * * MON-FRI', timeZone: 'Europe/Berlin' });
    expect(schedules(Cron.schedule({ minute: '0', hour: '4' }))?.schedule).toBe('0 4 * * *');
    expect(() => schedules('@dialy')).toThrow('unknown macro "@dialy"');
    expect(() => schedules('0 3 * *')).toThrow('has 4 fields');
    expect(() => schedules('61 * * * *')).toThrow('minute field "61"');
  });

  it('refuse an env value that is not a string', () => {
    expect(() => synth((chart) => new Worker(chart, 'W', { name: 'w', image, env: { LOG_LEVEL: 42 as unknown as string } }))).toThrow(
      'env LOG_LEVEL must be a string, not 42',
    );
  });

  it('meet the Pod Security Standard "restricted" by default, with a writable /tmp on a read-only root', () => {
    const [deployment] = synth((chart) => new Worker(chart, 'W', { name: 'w', image }));
    const container = deployment?.spec.template.spec.containers[0];
    expect(container.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      privileged: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(container.volumeMounts).toEqual([{ mountPath: '/tmp', name: 'tmp' }]);
    expect(deployment?.spec.template.spec.volumes).toEqual([{ emptyDir: {}, name: 'tmp' }]);
  });

  it('let an app opt out per setting, and give a StatefulService volume its group', () => {
    const [worker] = synth((chart) => new Worker(chart, 'W', { name: 'w', image, securityContext: { readOnlyRootFilesystem: false } }));
    expect(worker?.spec.template.spec.containers[0].securityContext).toMatchObject({ readOnlyRootFilesystem: false, capabilities: { drop: ['ALL'] } });
    expect(worker?.spec.template.spec.volumes).toBeUndefined();
    const set = synth((chart) => new StatefulService(chart, 'Db', { name: 'db', image, port: 5432, mountPath: '/data', securityContext: { group: 999 } })).find(
      (object) => object.kind === 'StatefulSet',
    );
    expect(set?.spec.template.spec.securityContext.fsGroup).toBe(999);
    expect(set?.spec.template.spec.containers[0].volumeMounts.map((mount: { mountPath: string }) => mount.mountPath)).toEqual(['/tmp', '/data']);
  });

  it('set a CPU limit only when the size has one', () => {
    const limited = synth((chart) => new Worker(chart, 'W', { name: 'w', image, size: { replicas: 1, cpu: '250m', cpuLimit: '1', memory: '256Mi' } }))[0];
    expect(limited?.spec.template.spec.containers[0].resources.limits).toEqual({ cpu: '1000m', memory: '256Mi' });
  });
});
