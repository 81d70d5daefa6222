// The Helm values copy what Kubernetes cannot read from the repository (component scopes, the Resiliency spec, the
// access table of packages/contracts/src/access.ts): these tests fail when a copy drifts from components/,
// dapr-config/ or the table. They need no Helm binary.
import { existsSync, readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { allTopics, appIds, edgeAppId } from '@globalmart/contracts';
import { jetStreamStreams } from '@globalmart/devstack';
import { describe, expect, it } from 'vitest';
import { nonEmpty, normalizePolicies, tablePolicies, tablePublishing, tableSecrets, tableSubscription } from './access-table.ts';
import { daprResource, helmValues, repoFile } from './deploy-files.ts';

const values = helmValues();

describe('Helm values', () => {
  it.each([
    ['statestore', 'statestore'],
    ['email', 'email'],
    ['lockstore', 'lockstore'],
  ] as const)('give component %s the scopes of its file in components/', (name, key) => {
    const component = daprResource('components', `${name}.yaml`);
    expect(component.metadata.name).toBe(name);
    expect(component.scopes?.length).toBeGreaterThan(0);
    expect(values[key].scopes).toEqual(component.scopes);
  });

  it("hold exactly the table's apps, with the edge the only one without an app token and the Ingress's target", () => {
    expect(Object.keys(values.apps).sort()).toEqual([...appIds].sort());
    expect(values.ingress.app).toBe(edgeAppId);
    for (const [id, app] of Object.entries(values.apps)) expect(app.appToken !== false, id).toBe(id !== edgeAppId);
  });

  it("carry the table's call rules as accessControl policies (target → caller → operations and verbs)", () => {
    expect(values.accessControl.trustDomain).toBe('public');
    expect(normalizePolicies(values.accessControl.policies)).toEqual(tablePolicies());
    // The case the issue names: payments answers orders only, and orders answers the gateway only.
    expect(Object.keys(values.accessControl.policies.payments ?? {})).toEqual(['orders']);
    expect(Object.keys(values.accessControl.policies.orders ?? {})).toEqual(['gateway']);
  });

  it("carry the table's topics: allowed topics, and who may publish and subscribe to which", () => {
    expect([...values.pubsub.allowedTopics].sort()).toEqual(allTopics());
    expect(nonEmpty(values.pubsub.publishingScopes)).toEqual(tablePublishing());
    expect(nonEmpty(values.pubsub.subscriptionScopes)).toEqual(tableSubscription());
  });

  it("carry the table's secret access, and the gateway reads no secret", () => {
    expect(nonEmpty(values.secretstore.allowedSecrets)).toEqual(tableSecrets());
    expect(values.secretstore.allowedSecrets[edgeAppId]).toBeUndefined();
  });

  it("carry components/resiliency.yaml's policies and targets unchanged", () => {
    const resiliency = daprResource('components', 'resiliency.yaml');
    expect(resiliency.kind).toBe('Resiliency');
    expect(values.resiliency.enabled).toBe(true);
    expect(values.resiliency.spec).toEqual(resiliency.spec);
  });

  it('turn the zero-trust controls on by default: network policies, per-app token Secrets', () => {
    expect(values.networkPolicy.enabled).toBe(true);
    expect(values.dapr.apiTokenSecret).toContain('{app}');
    expect(values.dapr.appTokenSecret).toContain('{app}');
  });

  it('run two replicas of every app (what the replica system tests prove), the simulated PSP one', () => {
    for (const [id, app] of Object.entries(values.apps)) expect(app.replicas, id).toBe(id === 'psp' ? 1 : 2);
  });

  it('are valid against the chart values schema, which rejects unknown brokers, keys and shared tokens', () => {
    const schema = JSON.parse(readFileSync(repoFile('helm', 'globalmart', 'values.schema.json'), 'utf8')) as Record<string, unknown>;
    const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
    expect(validate(values), JSON.stringify(validate.errors, null, 2)).toBe(true);
    const invalid = {
      'an unknown broker': { ...values, pubsub: { ...values.pubsub, type: 'carrier-pigeon' } },
      'a port that is no number': { ...values, apps: { ...values.apps, gateway: { port: 'eighty' } } },
      'one API token Secret shared by every app': { ...values, dapr: { ...values.dapr, apiTokenSecret: 'globalmart-dapr-api-token' } },
      "the old chart's component scopes": { ...values, pubsub: { ...values.pubsub, scopes: ['gateway'] } },
      'a misspelt network policy key': { ...values, networkPolicy: { ...values.networkPolicy, egres: { enabled: true } } },
      'an egress rule without `to`': {
        ...values,
        networkPolicy: { ...values.networkPolicy, egress: { ...values.networkPolicy.egress, smtp: { ports: [{ port: 25 }] } } },
      },
      'an unknown HTTP verb': {
        ...values,
        accessControl: {
          ...values.accessControl,
          policies: { ...values.accessControl.policies, psp: { payments: [{ path: '/v1/charges', verbs: ['FETCH'] }] } },
        },
      },
      'an unknown top-level key': { ...values, accessControls: {} },
      'two replicas of the simulated PSP (its ledger is in process memory)': {
        ...values,
        apps: { ...values.apps, psp: { ...values.apps.psp, replicas: 2 } },
      },
      'a misspelt key on the simulated PSP': { ...values, apps: { ...values.apps, psp: { ...values.apps.psp, replica: 1 } } },
      'an autoscaled simulated PSP': { ...values, apps: { ...values.apps, psp: { ...values.apps.psp, autoscaling: { enabled: true } } } },
      'a misspelt Redis key': { ...values, redis: { host: 'redis:6379', passwordkey: 'x' } },
      'a misspelt broker setting': { ...values, pubsub: { ...values.pubsub, kafka: { brokers: 'k:9092', authtype: 'password' } } },
      'a misspelt probe setting': { ...values, probes: { startup: {}, liveness: {}, readiness: { periodSecond: 5 } } },
      'an unknown OTLP protocol': { ...values, tracing: { otlp: { endpoint: 'x:4317', protocol: 'grpcs' } } },
      'a custom state store other than state.redis': { ...values, statestore: { type: 'custom', custom: { type: 'state.postgresql' } } },
      'a secretKeyRef without key in a custom state store': {
        ...values,
        statestore: { type: 'custom', custom: { type: 'state.redis', metadata: [{ name: 'redisHost', secretKeyRef: { name: 'r' } }] } },
      },
      'a resources typo': { ...values, sidecarResources: { request: { cpu: '50m' } } },
      'a recommendations stack in another language': {
        ...values,
        apps: { ...values.apps, recommendations: { ...values.apps.recommendations, stack: 'rust' } },
      },
      'a misspelt collector key': { ...values, otelCollector: { enabled: true, exporter: {} } },
    };
    for (const [what, candidate] of Object.entries(invalid)) expect(validate(candidate), what).toBe(false);
  });

  it("name images as the README and the runbook build them: <registry>/globalmart/<app-id>:<the chart's appVersion>", () => {
    const appVersion = /^appVersion:\s*'?([^'\s]+)'?/m.exec(readFileSync(repoFile('helm', 'globalmart', 'Chart.yaml'), 'utf8'))?.[1];
    const image = parse(readFileSync(repoFile('helm', 'globalmart', 'values.yaml'), 'utf8')) as {
      image: { registry: string; tag: string };
    };
    expect(image.image.tag).toBe('');
    const readme = readFileSync(repoFile('README.md'), 'utf8');
    const deploy = readme.slice(readme.indexOf('## Deploy'), readme.indexOf('\n## ', readme.indexOf('## Deploy') + 1));
    const builds = [...deploy.matchAll(/docker build --build-arg APP=([\w-]+) -t (\S+) \./g)];
    expect(builds.length).toBeGreaterThan(0);
    for (const [, app, tag] of builds) expect(tag).toBe(`${image.image.registry}/globalmart/${app}:${appVersion}`);
    const runbook = readFileSync(repoFile('docs', 'deploy-kubernetes.md'), 'utf8');
    expect(runbook).toContain(`TAG=${appVersion} `);
    expect(runbook).toContain('docker build --build-arg APP=$app -t $REGISTRY/globalmart/$app:$TAG .');
    // apps.recommendations.stack=go: the Go twin's image, from its own folder (its Dockerfile's build context).
    expect(runbook).toContain('docker build -t $REGISTRY/globalmart/recommendations-go:$TAG services/recommendations-go');
    expect(existsSync(repoFile('services', 'recommendations-go', 'Dockerfile'))).toBe(true);
  });

  it('give the runbook the JetStream streams npm start creates (Dapr creates none; the chart cannot)', () => {
    const runbook = readFileSync(repoFile('docs', 'deploy-kubernetes.md'), 'utf8');
    const documented = [...runbook.matchAll(/^ *(\{"name": "globalmart[^]*?\})\n *EOF/gm)].map(
      (m) => JSON.parse(m[1]!.replace(/\n\s*/g, ' ')) as { name: string; subjects: string[]; max_age: number },
    );
    expect(documented.map((s) => [s.name, [...s.subjects].sort(), s.max_age])).toEqual(
      jetStreamStreams().map((s) => [s.name, [...s.subjects].sort(), s.max_age]),
    );
  });

  it('hold no secret values: every credential is a reference to an existing Secret', () => {
    const text = readFileSync(repoFile('helm', 'globalmart', 'values.yaml'), 'utf8');
    // No credential-holding key has a value (keys naming a Secret or a Secret's key, like passwordKey, are fine).
    const literal = text.split('\n').filter((line) => {
      const m = /^\s*(\w+)\s*:\s*(.*)$/.exec(line);
      return m !== null && /(password|token|apiKey|privateKey)$/i.test(m[1]!) && !['', 'true', 'false', '""', "''"].includes(m[2]!.trim());
    });
    expect(literal).toEqual([]);
    expect(text).not.toMatch(/(mongodb|amqp|redis):\/\/[^\s<]*:[^\s<@]+@/);
  });
});
