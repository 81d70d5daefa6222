// Renders helm/globalmart with a real Helm and checks the manifests. Runs only when a Helm v3 is already at hand
// (the pinned one cached by `node scripts/helm-check.ts`, or one on PATH): the default test run never downloads.
import { parseAllDocuments } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { chartDir, findHelm, helm, helmCheck, minKubeVersion, pubsubTypes, type Rendering } from '../../scripts/helm-check.ts';
import { daprResource, runFile } from './deploy-files.ts';

interface Manifest {
  kind: string;
  metadata: { name: string; annotations?: Record<string, string> };
  spec: Record<string, unknown>;
  scopes?: string[];
}
interface PodTemplate {
  metadata: { annotations: Record<string, string> };
  spec: { containers: { image: string; env: { name: string; value?: string; valueFrom?: unknown }[]; readinessProbe: unknown }[] };
}

const parse = (manifest: string): Manifest[] => parseAllDocuments(manifest).flatMap((d) => (d.contents ? [d.toJS() as Manifest] : []));
const ofKind = (docs: Manifest[], kind: string) => docs.filter((d) => d.kind === kind);
const component = (docs: Manifest[], name: string) => ofKind(docs, 'Component').find((c) => c.metadata.name === name);

const helmBin = await findHelm();
const apps = runFile().apps;

describe.runIf(helmBin !== undefined)(`helm chart (${helmBin ?? 'no helm'})`, () => {
  let renderings: Rendering[] = [];
  let docs: Manifest[] = [];
  beforeAll(async () => {
    renderings = await helmCheck(helmBin!, () => {});
    docs = parse(renderings.find((r) => r.name === 'default')!.manifest);
  }, 120_000);

  it('renders one Deployment per dapr.yaml app, with its Dapr annotations, image and probes', () => {
    const deployments = ofKind(docs, 'Deployment');
    expect(deployments).toHaveLength(apps.length);
    for (const app of apps) {
      const deployment = deployments.find((d) => (d.spec.template as PodTemplate).metadata.annotations['dapr.io/app-id'] === app.appID);
      expect(deployment, `no Deployment with dapr.io/app-id ${app.appID}`).toBeDefined();
      const pod = deployment!.spec.template as PodTemplate;
      expect(pod.metadata.annotations).toMatchObject({
        'dapr.io/enabled': 'true',
        'dapr.io/app-port': String(app.appPort),
        'dapr.io/app-protocol': 'http',
        'dapr.io/enable-app-health-check': 'true',
        'dapr.io/app-health-check-path': '/healthz',
      });
      const [container] = pod.spec.containers;
      expect(container?.image).toMatch(new RegExp(`/globalmart/${app.appID}:`));
      expect(container?.env).toContainEqual({ name: 'APP_ID', value: app.appID });
      expect(container?.env.some((e) => e.name === 'MONGODB_URI' && e.valueFrom !== undefined)).toBe(app.env?.MONGODB_URI !== undefined);
      expect(container?.readinessProbe).toMatchObject({ httpGet: { path: '/readyz' } });
    }
  });

  it('points every sidecar at the rendered Configuration, and protects all apps but the public gateway with a token', () => {
    const config = ofKind(docs, 'Configuration')[0];
    expect(config?.metadata.name).toBeTruthy();
    for (const d of ofKind(docs, 'Deployment')) {
      const annotations = (d.spec.template as PodTemplate).metadata.annotations;
      expect(annotations['dapr.io/config']).toBe(config?.metadata.name);
      expect(annotations['dapr.io/app-token-secret'] !== undefined).toBe(annotations['dapr.io/app-id'] !== 'gateway');
    }
  });

  it('renders the components with the scopes of components/ and the Resiliency of dapr-config/', () => {
    for (const name of ['statestore', 'pubsub', 'secretstore', 'email', 'analytics-rollup']) {
      expect(component(docs, name)?.scopes).toEqual(daprResource('components', `${name}.yaml`).scopes);
    }
    expect(component(docs, 'secretstore')?.spec.type).toBe('secretstores.kubernetes');
    expect(ofKind(docs, 'Resiliency')[0]?.spec).toEqual(daprResource('dapr-config', 'resiliency.yaml').spec);
  });

  it('renders every broker as the `pubsub` component', () => {
    const types = Object.fromEntries(
      renderings
        .filter((r) => r.name === 'default' || r.name.startsWith('pubsub.type='))
        .map((r) => [r.name, component(parse(r.manifest), 'pubsub')?.spec.type]),
    );
    expect(types).toEqual({
      default: 'pubsub.redis',
      'pubsub.type=rabbitmq': 'pubsub.rabbitmq',
      'pubsub.type=jetstream': 'pubsub.jetstream',
      'pubsub.type=mqtt': 'pubsub.mqtt3',
      'pubsub.type=kafka': 'pubsub.kafka',
    });
    expect(Object.keys(types)).toHaveLength(pubsubTypes.length);
  });

  it('routes the Ingress to the gateway only when enabled', () => {
    expect(ofKind(docs, 'Ingress')).toEqual([]);
    const ingress = ofKind(parse(renderings.find((r) => r.name === 'ingress.enabled=true')!.manifest), 'Ingress');
    expect(JSON.stringify(ingress)).toContain('-gateway');
  });

  it('refuses an unknown broker', async () => {
    const args = ['template', 'globalmart', chartDir, '--kube-version', minKubeVersion(), '--set', 'pubsub.type=carrier-pigeon'];
    await expect(helm(helmBin!, args)).rejects.toThrow(/pubsub\/type/);
  });
});
