// Renders helm/globalmart with a real Helm and checks the manifests. Needs a Helm v3 at hand (the pinned one that
// `npm run helm:check` builds, or one on PATH): without one every test here fails, saying so (CI runs helm:check
// first). The test run itself never downloads or builds anything.
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { allTopics, appIds, edgeAppId, type AppId } from '@globalmart/contracts';
import { chartDir, findHelm, helm, helmCheck, minKubeVersion, pubsubTypes, type Rendering } from '../../scripts/helm-check.ts';
import {
  nonEmpty,
  normalizePolicies,
  pubsubApps,
  secretApps,
  tablePolicies,
  tablePublishing,
  tableSecrets,
  tableSubscription,
  type Policies,
} from './access-table.ts';
import { daprResource, helmValues, runFile } from './deploy-files.ts';

interface Manifest {
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: Record<string, unknown>;
  scopes?: string[];
  automountServiceAccountToken?: boolean;
  rules?: { resources: string[]; verbs: string[]; resourceNames?: string[] }[];
  roleRef?: { name: string };
  subjects?: { kind: string; name: string }[];
}
interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string } };
}
interface PodTemplate {
  metadata: { annotations: Record<string, string> };
  spec: {
    serviceAccountName: string;
    automountServiceAccountToken?: boolean;
    volumes: { name: string; projected?: unknown }[];
    containers: { image: string; env: EnvVar[]; readinessProbe: unknown; ports: { containerPort: number }[] }[];
  };
}
interface AccessControl {
  defaultAction: string;
  trustDomain: string;
  policies: {
    appId: string;
    defaultAction: string;
    trustDomain: string;
    namespace: string;
    operations: { name: string; httpVerb: string[]; action: string }[];
  }[];
}
interface SecretScope {
  storeName: string;
  defaultAccess: string;
  allowedSecrets?: string[];
}
interface Peer {
  podSelector?: { matchLabels?: Record<string, string> };
  namespaceSelector?: { matchLabels?: Record<string, string> };
  ipBlock?: { cidr: string };
}
interface PolicyRule {
  from?: Peer[];
  to?: Peer[];
  ports?: { port: number | string; protocol?: string }[];
}
interface NetworkPolicySpec {
  podSelector: { matchLabels?: Record<string, string> };
  policyTypes: string[];
  ingress?: PolicyRule[];
  egress?: PolicyRule[];
}

const parse = (manifest: string): Manifest[] => parseAllDocuments(manifest).flatMap((d) => (d.contents ? [d.toJS() as Manifest] : []));
const ofKind = (docs: Manifest[], kind: string) => docs.filter((d) => d.kind === kind);
const component = (docs: Manifest[], name: string) => ofKind(docs, 'Component').find((c) => c.metadata.name === name);
const metadataValue = (c: Manifest | undefined, name: string) =>
  (c?.spec.metadata as { name: string; value?: string }[] | undefined)?.find((m) => m.name === name)?.value;

const helmBin = await findHelm();
const apps = runFile().apps;
const values = helmValues();
// scripts/helm-check.ts renders release `globalmart` into namespace `globalmart`.
const release = 'globalmart';
const namespace = 'globalmart';
const resourceName = (app: string) => `${release}-${app}`;
const podLabels = (app: string) => ({ 'app.kubernetes.io/name': app, 'app.kubernetes.io/instance': release });

/** `app=topic,topic;app=` (Dapr's publishingScopes/subscriptionScopes) as a map without the empty entries. */
const scopeMap = (value: string | undefined) =>
  nonEmpty(Object.fromEntries((value ?? '').split(';').map((e) => [e.split('=')[0]!, (e.split('=')[1] ?? '').split(',').filter(Boolean)])));

/** Does a NetworkPolicy's podSelector select this app's pods? (matchLabels only: the chart uses nothing else.) */
const selects = (policy: Manifest, app: string) =>
  Object.entries((policy.spec as unknown as NetworkPolicySpec).podSelector.matchLabels ?? {}).every(
    ([k, v]) => ({ ...podLabels(app), 'app.kubernetes.io/part-of': 'globalmart' })[k] === v,
  );
const appsOf = (peers: Peer[] | undefined) => (peers ?? []).map((p) => p.podSelector?.matchLabels?.['app.kubernetes.io/name']);

describe(`helm chart (${helmBin ?? 'no helm'})`, () => {
  let renderings: Rendering[] = [];
  let docs: Manifest[] = [];
  // Parsed once: YAML parsing of a whole release takes a while on a busy machine.
  const parsed = new Map<string, Manifest[]>();
  const rendering = (name: string) => parsed.get(name)!;
  const deploymentOf = (app: string) => ofKind(docs, 'Deployment').find((d) => d.metadata.name === resourceName(app));
  const podOf = (app: string) => deploymentOf(app)!.spec.template as PodTemplate;
  const configOf = (app: string) =>
    ofKind(docs, 'Configuration').find((c) => c.metadata.name === podOf(app).metadata.annotations['dapr.io/config']);

  beforeAll(async () => {
    if (!helmBin) {
      throw new Error(
        'no Helm v3 at hand: run `npm run helm:check` first (it builds the pinned Helm from the Go module proxy into ~/.cache/globalmart/bin)',
      );
    }
    renderings = await helmCheck(helmBin, () => {});
    for (const r of renderings.filter((x) => x.name !== 'NOTES.txt')) parsed.set(r.name, parse(r.manifest));
    docs = rendering('default');
  }, 300_000);

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

  it("serves every app's own metrics (METRICS_PORT on the pod IP, a `metrics` container port) when metrics are on", () => {
    for (const app of appIds) {
      const [container] = podOf(app).spec.containers;
      expect(container?.env).toContainEqual({ name: 'METRICS_PORT', value: String(values.metrics.appPort) });
      expect(container?.env).toContainEqual({ name: 'METRICS_HOST', value: '0.0.0.0' });
      expect(container?.ports).toContainEqual({ name: 'metrics', containerPort: values.metrics.appPort, protocol: 'TCP' });
    }
  });

  it("gives the gateway, and only it, its rate limiter's Redis, the ingress hops it trusts and HSTS off by default", () => {
    const env = (app: string) => podOf(app).spec.containers[0]!.env;
    const gateway = env('gateway');
    expect(gateway).toContainEqual({ name: 'RATE_LIMIT_REDIS_HOST', value: 'redis-master.redis.svc.cluster.local:6379' });
    expect(gateway).toContainEqual({ name: 'RATE_LIMIT_REDIS_URL', value: 'redis://$(RATE_LIMIT_REDIS_HOST)' });
    // Dependent variables must come first: Kubernetes expands $(VAR) only from earlier entries.
    const names = gateway.map((e) => e.name);
    expect(names.indexOf('RATE_LIMIT_REDIS_HOST')).toBeLessThan(names.indexOf('RATE_LIMIT_REDIS_URL'));
    expect(gateway).toContainEqual({ name: 'TRUST_PROXY', value: '1' });
    expect(gateway).toContainEqual({ name: 'HSTS', value: 'off' });
    for (const app of appIds.filter((a) => a !== 'gateway')) expect(env(app).some((e) => e.name.startsWith('RATE_LIMIT_'))).toBe(false);
  });

  it('runs every app under its own ServiceAccount, with no Kubernetes API token in the app container', () => {
    const accounts = ofKind(docs, 'ServiceAccount');
    for (const app of appIds) {
      const pod = podOf(app);
      expect(pod.spec.serviceAccountName).toBe(resourceName(app));
      expect(pod.spec.automountServiceAccountToken).toBe(false);
      expect(accounts.find((a) => a.metadata.name === resourceName(app))?.automountServiceAccountToken).toBe(false);
    }
    expect(accounts).toHaveLength(appIds.length);
  });

  it('gives each sidecar its own API token Secret, and each app but the gateway its own app token Secret', () => {
    const apiTokens = new Set<string>();
    const appTokens = new Set<string>();
    for (const app of appIds) {
      const pod = podOf(app);
      const annotations = pod.metadata.annotations;
      const env = (name: string) => pod.spec.containers[0]!.env.find((e) => e.name === name)?.valueFrom?.secretKeyRef;
      expect(annotations['dapr.io/api-token-secret']).toBe(`${release}-${app}-dapr-api-token`);
      // The app sends its sidecar the same token the sidecar requires (and checks the one the sidecar sends it).
      expect(env('DAPR_API_TOKEN')).toEqual({ name: annotations['dapr.io/api-token-secret'], key: 'token' });
      apiTokens.add(annotations['dapr.io/api-token-secret']!);
      if (app === edgeAppId) {
        expect(annotations['dapr.io/app-token-secret']).toBeUndefined();
        expect(env('APP_API_TOKEN')).toBeUndefined();
      } else {
        expect(annotations['dapr.io/app-token-secret']).toBe(`${release}-${app}-app-api-token`);
        expect(env('APP_API_TOKEN')).toEqual({ name: annotations['dapr.io/app-token-secret'], key: 'token' });
        appTokens.add(annotations['dapr.io/app-token-secret']!);
      }
    }
    expect(apiTokens.size).toBe(appIds.length);
    expect(appTokens.size).toBe(appIds.length - 1);
  });

  it("points every sidecar at its own Configuration, which admits exactly the table's callers and denies the rest", () => {
    expect(ofKind(docs, 'Configuration')).toHaveLength(appIds.length);
    const rendered: Policies = {};
    for (const app of appIds) {
      const config = configOf(app);
      expect(config, `${app}'s dapr.io/config names no rendered Configuration`).toBeDefined();
      expect(config!.metadata.labels?.['app.kubernetes.io/name']).toBe(app);
      expect(config!.spec).toMatchObject({ tracing: { samplingRate: '1' }, metrics: { enabled: true } });
      const ac = config!.spec.accessControl as AccessControl;
      expect(ac).toMatchObject({ defaultAction: 'deny', trustDomain: 'public' });
      for (const p of ac.policies) {
        expect(p).toMatchObject({ defaultAction: 'deny', trustDomain: 'public', namespace });
        expect(p.operations.every((o) => o.action === 'allow')).toBe(true);
        (rendered[app] ??= {})[p.appId] = p.operations.map((o) => ({ path: o.name, verbs: o.httpVerb }));
      }
    }
    expect(normalizePolicies(rendered)).toEqual(tablePolicies());
    // The example: payments may call nothing on orders; only the gateway may, and only its routes.
    const orders = configOf('orders')!.spec.accessControl as AccessControl;
    expect(orders.defaultAction).toBe('deny');
    expect(orders.policies.map((p) => p.appId)).toEqual(['gateway']);
    expect(orders.policies.find((p) => p.appId === 'payments')).toBeUndefined();
    // And an app nobody calls inside the mesh accepts no invocation at all.
    expect((configOf('gateway')!.spec.accessControl as AccessControl).policies).toEqual([]);
  });

  it("scopes every app's secrets (default deny) and disables Dapr's built-in Kubernetes secret store", () => {
    for (const app of appIds) {
      const scopes = (configOf(app)!.spec.secrets as { scopes: SecretScope[] }).scopes;
      expect(scopes).toContainEqual({ storeName: 'secretstore', defaultAccess: 'deny', allowedSecrets: tableSecrets()[app] ?? [] });
      expect(scopes).toContainEqual({ storeName: 'kubernetes', defaultAccess: 'deny' });
      expect(podOf(app).metadata.annotations['dapr.io/disable-builtin-k8s-secret-store']).toBe('true');
    }
    const store = component(docs, 'secretstore');
    expect(store?.spec.type).toBe('secretstores.kubernetes');
    expect([...(store?.scopes ?? [])].sort()).toEqual(secretApps());
    expect(store?.scopes).not.toContain(edgeAppId);
  });

  it('lets only the apps that read secrets get them from the API server: a Role on exactly those, a token for daprd alone', () => {
    const roles = ofKind(docs, 'Role');
    expect(roles.map((r) => r.metadata.name).sort()).toEqual(secretApps().map((a) => `${resourceName(a)}-secrets`));
    for (const app of appIds) {
      const pod = podOf(app);
      const role = roles.find((r) => r.metadata.name === `${resourceName(app)}-secrets`);
      const tokenVolume = pod.spec.volumes.find((v) => v.projected !== undefined);
      const reads = tableSecrets()[app];
      if (!reads) {
        expect(tokenVolume, app).toBeUndefined();
        expect(pod.metadata.annotations['dapr.io/volume-mounts'], app).toBeUndefined();
        continue;
      }
      expect(role?.rules).toEqual([{ apiGroups: [''], resources: ['secrets'], verbs: ['get'], resourceNames: reads }]);
      const binding = ofKind(docs, 'RoleBinding').find((b) => b.roleRef?.name === role?.metadata.name);
      expect(binding?.subjects).toEqual([{ kind: 'ServiceAccount', name: resourceName(app), namespace }]);
      // Mounted where client-go looks, in daprd only (the app container mounts /tmp and nothing else).
      expect(pod.metadata.annotations['dapr.io/volume-mounts']).toBe(`${tokenVolume!.name}:/var/run/secrets/kubernetes.io/serviceaccount`);
      expect(JSON.stringify(pod.spec.containers)).not.toContain(tokenVolume!.name);
    }
  });

  it('renders the components with the scopes of components/ and the table, and the Resiliency of components/', () => {
    for (const name of ['statestore', 'email', 'lockstore']) {
      expect(component(docs, name)?.scopes).toEqual(daprResource('components', `${name}.yaml`).scopes);
    }
    expect(ofKind(docs, 'Resiliency')[0]?.spec).toEqual(daprResource('components', 'resiliency.yaml').spec);
  });

  it("renders every broker as the `pubsub` component, each with the table's topic scopes", () => {
    const variants = renderings.filter((r) => r.name === 'default' || r.name.startsWith('pubsub.type='));
    const types = Object.fromEntries(variants.map((r) => [r.name, component(rendering(r.name), 'pubsub')?.spec.type]));
    expect(types).toEqual({
      default: 'pubsub.redis',
      'pubsub.type=rabbitmq': 'pubsub.rabbitmq',
      'pubsub.type=jetstream': 'pubsub.jetstream',
      'pubsub.type=mqtt': 'pubsub.mqtt3',
      'pubsub.type=kafka': 'pubsub.kafka',
    });
    expect(Object.keys(types)).toHaveLength(pubsubTypes.length);
    for (const r of variants) {
      const pubsub = component(rendering(r.name), 'pubsub');
      expect(metadataValue(pubsub, 'allowedTopics')?.split(',').sort(), r.name).toEqual(allTopics());
      expect(scopeMap(metadataValue(pubsub, 'publishingScopes')), r.name).toEqual(tablePublishing());
      expect(scopeMap(metadataValue(pubsub, 'subscriptionScopes')), r.name).toEqual(tableSubscription());
      // Every app is listed (an unlisted one could use every topic), e.g. the gateway subscribes to nothing.
      for (const key of ['publishingScopes', 'subscriptionScopes']) {
        const listed = metadataValue(pubsub, key)!
          .split(';')
          .map((e) => e.split('=')[0]);
        expect(listed.sort(), `${r.name} ${key}`).toEqual([...appIds].sort());
      }
      expect(metadataValue(pubsub, 'subscriptionScopes')).toContain(`${edgeAppId}=;`);
      expect([...(pubsub?.scopes ?? [])].sort(), r.name).toEqual(pubsubApps());
    }
  });

  it('isolates every pod of the release: nothing reaches a pod unless a policy admits it', () => {
    const deny = ofKind(docs, 'NetworkPolicy').find((p) => p.metadata.name === `${release}-default-deny`);
    const spec = deny!.spec as unknown as NetworkPolicySpec;
    expect(spec.policyTypes).toEqual(['Ingress']);
    expect(spec.ingress).toBeUndefined();
    for (const app of appIds) expect(selects(deny!, app), app).toBe(true);
  });

  it('admits the ingress controller to the gateway only, and no pod at all to any other app port', () => {
    const policies = ofKind(docs, 'NetworkPolicy');
    const gateway = policies.find((p) => p.metadata.name === resourceName(edgeAppId))!.spec as unknown as NetworkPolicySpec;
    const gatewayPort = values.apps[edgeAppId]!.port;
    expect(gateway.ingress).toContainEqual({
      from: [
        {
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } },
          podSelector: { matchLabels: { 'app.kubernetes.io/name': 'ingress-nginx' } },
        },
      ],
      ports: [{ port: gatewayPort, protocol: 'TCP' }],
    });
    for (const app of appIds) {
      const appPort = values.apps[app]!.port;
      const rules = policies.filter((p) => selects(p, app)).flatMap((p) => (p.spec as unknown as NetworkPolicySpec).ingress ?? []);
      // Every rule names its ports (a rule without ports would admit them all).
      expect(
        rules.every((r) => (r.ports ?? []).length > 0 && (r.from ?? []).length > 0),
        app,
      ).toBe(true);
      const toAppPort = rules.filter((r) => r.ports!.some((p) => p.port === appPort || p.port === 'http'));
      expect(toAppPort.length, `rules admitting ${app}'s port ${appPort}`).toBe(app === edgeAppId ? 1 : 0);
    }
  });

  it("opens each sidecar's internal gRPC port to exactly its table callers (and its own replicas), metrics to monitoring", () => {
    const policies = ofKind(docs, 'NetworkPolicy');
    const internal = values.dapr.internalGrpcPort;
    for (const app of appIds) {
      const spec = policies.find((p) => p.metadata.name === resourceName(app))!.spec as unknown as NetworkPolicySpec;
      expect(spec.podSelector.matchLabels).toEqual(podLabels(app));
      const sidecar = spec.ingress!.filter((r) => r.ports!.some((p) => p.port === internal));
      expect(sidecar).toHaveLength(1);
      expect(appsOf(sidecar[0]!.from).sort()).toEqual([...Object.keys(tablePolicies()[app] ?? {}), app].sort());
      expect(spec.ingress).toContainEqual({
        from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }],
        ports: [
          { port: values.dapr.metricsPort, protocol: 'TCP' },
          { port: values.metrics.appPort, protocol: 'TCP' },
        ],
      });
    }
    // psp answers payments' sidecar only: no other app's pod reaches psp at all.
    const psp = policies.find((p) => p.metadata.name === resourceName('psp'))!.spec as unknown as NetworkPolicySpec;
    expect(
      psp
        .ingress!.flatMap((r) => appsOf(r.from))
        .filter(Boolean)
        .sort(),
    ).toEqual(['payments', 'psp']);
  });

  it('with egress on, lets each app reach only DNS, Dapr, the sidecars it calls and the dependencies it uses', () => {
    const policies = ofKind(rendering('networkPolicy.egress.enabled=true'), 'NetworkPolicy');
    const egressOf = (app: AppId) => {
      const spec = policies.find((p) => p.metadata.name === resourceName(app))!.spec as unknown as NetworkPolicySpec;
      expect(spec.policyTypes).toEqual(['Ingress', 'Egress']);
      // An empty `to` would allow every destination.
      expect(
        spec.egress!.every((r) => (r.to ?? []).length > 0),
        app,
      ).toBe(true);
      return spec.egress!;
    };
    const reaches = (rules: PolicyRule[], port: number) => rules.some((r) => r.ports?.some((p) => p.port === port));
    for (const app of appIds) {
      const rules = egressOf(app);
      const sidecars = rules.find((r) => appsOf(r.to).includes(app))!;
      const callees = Object.entries(tablePolicies())
        .filter(([, callers]) => app in callers)
        .map(([target]) => target);
      expect(appsOf(sidecars.to).sort(), app).toEqual([...callees, app].sort());
      expect(reaches(rules, 53), `${app} DNS`).toBe(true);
      expect(reaches(rules, 27017), `${app} MongoDB`).toBe(values.apps[app]!.mongodb === true);
      expect(reaches(rules, 6443), `${app} API server`).toBe(tableSecrets()[app] !== undefined);
      expect(reaches(rules, 587), `${app} SMTP`).toBe(app === 'notifications');
      expect(
        rules.some((r) => r.to!.some((p) => p.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'] === 'dapr-system')),
      ).toBe(true);
    }
    const deny = policies.find((p) => p.metadata.name === `${release}-default-deny`)!.spec as unknown as NetworkPolicySpec;
    expect(deny.policyTypes).toEqual(['Ingress', 'Egress']);
  });

  it('renders no NetworkPolicy when turned off', () => {
    expect(ofKind(rendering('networkPolicy.enabled=false'), 'NetworkPolicy')).toEqual([]);
    expect(ofKind(docs, 'NetworkPolicy')).toHaveLength(appIds.length + 1);
  });

  it('routes the Ingress to the gateway only when enabled', () => {
    expect(ofKind(docs, 'Ingress')).toEqual([]);
    const ingress = ofKind(rendering('ingress with TLS'), 'Ingress');
    expect(JSON.stringify(ingress)).toContain('-gateway');
  });

  it("gives every sidecar resources (requests and a memory limit) through Dapr's annotations", () => {
    for (const app of appIds) {
      expect(podOf(app).metadata.annotations, app).toMatchObject({
        'dapr.io/sidecar-cpu-request': '50m',
        'dapr.io/sidecar-memory-request': '64Mi',
        'dapr.io/sidecar-memory-limit': '256Mi',
      });
      expect(podOf(app).metadata.annotations['dapr.io/sidecar-cpu-limit'], app).toBeUndefined();
    }
  });

  it('guards every app with 2+ replicas by a PodDisruptionBudget (maxUnavailable 1), and not psp with its one', () => {
    const budgets = ofKind(docs, 'PodDisruptionBudget');
    const guarded = appIds.filter((a) => (values.apps[a]?.replicas ?? 1) >= 2);
    expect(guarded).not.toContain('psp');
    expect(budgets.map((b) => b.metadata.name).sort()).toEqual(guarded.map(resourceName).sort());
    for (const b of budgets) {
      const app = b.metadata.labels!['app.kubernetes.io/name']!;
      expect(b.spec).toEqual({ maxUnavailable: 1, selector: { matchLabels: podLabels(app) } });
    }
  });

  it('autoscales every app but psp when asked, leaving replicas to the autoscaler, with budgets from minReplicas', () => {
    const scaled = rendering('autoscaling');
    expect(ofKind(docs, 'HorizontalPodAutoscaler')).toEqual([]);
    const hpas = ofKind(scaled, 'HorizontalPodAutoscaler');
    expect(hpas.map((h) => h.metadata.name).sort()).toEqual(
      appIds
        .filter((a) => a !== 'psp')
        .map(resourceName)
        .sort(),
    );
    for (const h of hpas) {
      expect(h.spec).toMatchObject({
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: h.metadata.name },
        minReplicas: 2,
        maxReplicas: 6,
        metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 75 } } }],
      });
    }
    for (const d of ofKind(scaled, 'Deployment')) {
      expect(d.spec.replicas, d.metadata.name).toBe(d.metadata.name === resourceName('psp') ? 1 : undefined);
    }
    expect(ofKind(scaled, 'PodDisruptionBudget')).toHaveLength(appIds.length - 1);
  });

  it('refuses to autoscale psp, and to run a Go twin of an app that has none', async () => {
    const template = (...set: string[]) => [
      'template',
      release,
      chartDir,
      '--kube-version',
      minKubeVersion(),
      ...set.flatMap((x) => ['--set', x]),
    ];
    await expect(helm(helmBin!, template('autoscaling.enabled=true', 'apps.psp.autoscaling.enabled=true'))).rejects.toThrow(/psp/);
    await expect(helm(helmBin!, template('apps.orders.stack=go'))).rejects.toThrow(/only recommendations has a Go twin/);
  });

  it('pulls the Go recommendations engine when apps.recommendations.stack is go, and changes nothing else', () => {
    const image = (docs: Manifest[], app: string) =>
      (ofKind(docs, 'Deployment').find((d) => d.metadata.name === resourceName(app))!.spec.template as PodTemplate).spec.containers[0]!
        .image;
    const go = rendering('recommendations.stack=go');
    expect(image(docs, 'recommendations')).toBe('docker.io/globalmart/recommendations:0.1.0');
    expect(image(go, 'recommendations')).toBe('docker.io/globalmart/recommendations-go:0.1.0');
    for (const app of appIds.filter((a) => a !== 'recommendations')) expect(image(go, app)).toBe(image(docs, app));
  });

  it('sends OTLP consistently: sidecars in tracing.otlp.protocol, apps always OTLP/HTTP to an HTTP receiver', () => {
    const env = (docs: Manifest[], app: string) =>
      (ofKind(docs, 'Deployment').find((d) => d.metadata.name === resourceName(app))!.spec.template as PodTemplate).spec.containers[0]!.env;
    const otel = (docs: Manifest[]) =>
      ofKind(docs, 'Configuration').map((c) => (c.spec.tracing as { otel?: { endpointAddress: string; protocol: string } }).otel);
    const host = 'opentelemetry-collector.observability.svc.cluster.local';
    expect(new Set(otel(docs).map((o) => JSON.stringify(o)))).toEqual(
      new Set([JSON.stringify({ endpointAddress: `${host}:4318`, isSecure: false, protocol: 'http' })]),
    );
    const grpc = rendering('OTLP over gRPC');
    expect(new Set(otel(grpc).map((o) => `${o?.protocol} ${o?.endpointAddress}`))).toEqual(new Set([`grpc ${host}:4317`]));
    for (const [docsOf, name] of [
      [docs, 'default'],
      [grpc, 'grpc'],
    ] as const) {
      for (const app of appIds) {
        expect(env(docsOf, app), `${name} ${app}`).toContainEqual({ name: 'OTEL_EXPORTER_OTLP_ENDPOINT', value: `http://${host}:4318` });
        expect(env(docsOf, app), `${name} ${app}`).toContainEqual({ name: 'OTEL_EXPORTER_OTLP_PROTOCOL', value: 'http/protobuf' });
      }
    }
  });

  it('refuses OTLP over gRPC without an HTTP receiver for the apps', async () => {
    const args = ['template', release, chartDir, '--kube-version', minKubeVersion(), '--set', 'tracing.otlp.protocol=grpc'];
    await expect(helm(helmBin!, args)).rejects.toThrow(/tracing\.otlp\.httpEndpoint/);
  });

  it('runs its own OpenTelemetry Collector when enabled, which every sidecar and app exports to and only they reach', () => {
    const withCollector = rendering('OpenTelemetry Collector');
    const collector = `${release}-otel-collector`;
    expect(ofKind(docs, 'ConfigMap')).toEqual([]);
    for (const kind of ['ConfigMap', 'Deployment', 'Service', 'NetworkPolicy']) {
      expect(
        ofKind(withCollector, kind).filter((d) => d.metadata.name === collector),
        kind,
      ).toHaveLength(1);
    }
    const config = parseYaml(
      (ofKind(withCollector, 'ConfigMap')[0] as unknown as { data: Record<string, string> }).data['config.yaml']!,
    ) as {
      service: { pipelines: Record<string, { receivers: string[]; exporters: string[] }> };
    };
    expect(config.service.pipelines.traces).toMatchObject({ receivers: ['otlp'], exporters: ['debug'] });
    const host = `${collector}.${namespace}.svc.cluster.local`;
    for (const c of ofKind(withCollector, 'Configuration')) {
      expect((c.spec.tracing as { otel: unknown }).otel).toEqual({ endpointAddress: `${host}:4318`, isSecure: false, protocol: 'http' });
    }
    for (const d of ofKind(withCollector, 'Deployment').filter((x) => x.metadata.name !== collector)) {
      expect((d.spec.template as PodTemplate).spec.containers[0]!.env).toContainEqual({
        name: 'OTEL_EXPORTER_OTLP_ENDPOINT',
        value: `http://${host}:4318`,
      });
    }
    const policy = ofKind(withCollector, 'NetworkPolicy').find((p) => p.metadata.name === collector)!.spec as unknown as NetworkPolicySpec;
    expect(policy.ingress?.[0]).toEqual({
      from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/part-of': 'globalmart', 'app.kubernetes.io/instance': release } } }],
      ports: [
        { port: 4317, protocol: 'TCP' },
        { port: 4318, protocol: 'TCP' },
      ],
    });
    // With egress policies on, the apps may reach the collector (and not the backend), the collector the backend.
    const all = rendering('everything on');
    const egress = (name: string) =>
      (ofKind(all, 'NetworkPolicy').find((p) => p.metadata.name === name)!.spec as unknown as NetworkPolicySpec).egress!;
    expect(egress(resourceName('orders'))).toContainEqual({
      to: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'otel-collector', 'app.kubernetes.io/instance': release } } }],
      ports: [
        { port: 4317, protocol: 'TCP' },
        { port: 4318, protocol: 'TCP' },
      ],
    });
    expect(JSON.stringify(egress(resourceName('orders')))).not.toContain('observability');
    expect(JSON.stringify(egress(collector))).toContain('observability');
  });

  it('prints the commands creating every token Secret with a random value, and holds no value', () => {
    const notes = renderings.find((r) => r.name === 'NOTES.txt')!.manifest;
    for (const app of appIds) {
      const create = (secret: string) =>
        `kubectl create secret generic ${secret} -n ${namespace} --from-literal=token="$(openssl rand -hex 32)"`;
      expect(notes).toContain(create(`${release}-${app}-dapr-api-token`));
      expect(notes.includes(create(`${release}-${app}-app-api-token`)), app).toBe(app !== edgeAppId);
    }
    expect(notes).toContain('dapr mtls -k');
    // The dashboard is its own chart: `dapr dashboard -k` finds nothing after installing Dapr's chart alone.
    expect(notes).not.toContain('dapr dashboard -k');
    expect(notes).toContain('helm upgrade --install dapr-dashboard dapr/dapr-dashboard -n dapr-system');
  });

  it('refuses an unknown broker and a token Secret shared by every app', async () => {
    const template = (set: string) => ['template', release, chartDir, '--kube-version', minKubeVersion(), '--set', set];
    await expect(helm(helmBin!, template('pubsub.type=carrier-pigeon'))).rejects.toThrow(/pubsub\/type/);
    await expect(helm(helmBin!, template('dapr.apiTokenSecret=globalmart-dapr-api-token'))).rejects.toThrow(/apiTokenSecret/);
  });
});
