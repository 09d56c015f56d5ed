import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { IPrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import type { IServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import type { IJob } from 'kubernetes-models/batch/v1/Job';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import type { IService } from 'kubernetes-models/v1/Service';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { loadValues, renderChart } from '../scripts/chart/helm.render.js';
import { unknownFieldProblems } from '../scripts/chart/k8s.strict.js';
import { validateManifest, validateManifests } from '../scripts/chart/k8s.validate.js';
import { loadConfig, SECRET_SETTINGS, settingsSchema } from '../src/platform/config/config.js';
import { SERVICE_NAMES } from '../src/runtime/services.js';

/**
 * The Helm chart (deploy/helm/orderline), rendered the way `helm template` does
 * (scripts/chart/helm.render.ts) with each values file, every manifest checked against the
 * Kubernetes schemas, and the wiring between them asserted: the processes the registry needs, the
 * Service names behind SERVICE_URL_*, the settings' real names, probes, hooks, no secret values.
 */

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CHART = join(ROOT, 'deploy', 'helm', 'orderline');
const RELEASE = 'orderline';

type Doc = Record<string, unknown>;

interface ServiceEntry {
  name: string;
  api?: { enabled?: boolean };
  worker?: { enabled?: boolean };
  database?: { secretName: string; key?: string };
}

/** Credentials a real install keeps in its Secret; fakes, for loading the rendered settings. */
const SECRET_PLACEHOLDERS = {
  DATABASE_URL: 'postgres://orderline:placeholder@postgres:5432/orderline',
  BUS_URL: 'redis://redis:6379',
  REDIS_URL: 'redis://redis:6379',
  SMTP_URL: 'smtp://mail:587',
  SERVICE_TOKEN_SECRET: 'placeholder-service-token-secret-0123456789',
  AUTH_JWT_KEYS: '[]',
  ORDERLINE_ADMIN_EMAIL: 'ops@orderline.test',
  ORDERLINE_ADMIN_PASSWORD: 'placeholder-password',
  PAYMENT_TESTPAY_WEBHOOK_SECRETS: 'whsec_placeholder',
  SHIPPING_SIMCARRIER_WEBHOOK_SECRETS: 'whsec_placeholder',
  ANALYTICS_PII_HASH_KEY: 'placeholder-analytics-hash-key-0123456789',
};

const render = (valuesFiles: string[], values: Record<string, unknown>[] = []) =>
  renderChart({ chartDir: CHART, valuesFiles, values, releaseName: RELEASE }).map((m) => m.document);

const ofKind = <T>(docs: Doc[], kind: string): T[] => docs.filter((d) => d.kind === kind) as T[];
const named = <T extends { metadata?: { name?: string } }>(docs: T[], name: string): T => {
  const found = docs.filter((d) => d.metadata?.name === name);
  expect(found, name).toHaveLength(1);
  return found[0]!;
};
const container = (spec: IPodSpec | undefined): IContainer => {
  expect(spec?.containers).toHaveLength(1);
  return spec!.containers[0]!;
};
/** Deployments whose pods carry every label of the selector. */
const selected = (deployments: IDeployment[], selector: Record<string, string> | undefined) =>
  deployments.filter((d) =>
    Object.entries(selector ?? {}).every(([k, v]) => d.spec?.template.metadata?.labels?.[k] === v),
  );

const VALUES_FILES: [string, string[]][] = [
  ['values.yaml', []],
  ['values-small.yaml', [join(CHART, 'values-small.yaml')]],
  ['values-large.yaml', [join(CHART, 'values-large.yaml')]],
];

describe.each(VALUES_FILES)('chart with %s', (_label, files) => {
  const docs = render(files);
  const values = loadValues({ chartDir: CHART, valuesFiles: files });
  const services = values.services as ServiceEntry[];
  const deployments = ofKind<IDeployment>(docs, 'Deployment');
  const k8sServices = ofKind<IService>(docs, 'Service');
  const configMap = named(ofKind<IConfigMap>(docs, 'ConfigMap'), `${RELEASE}-config`);
  const port = Number(configMap.data?.PORT);
  const workerEnabled = (s: ServiceEntry) => s.worker?.enabled !== false;

  it('renders only manifests that pass the Kubernetes and Prometheus Operator schemas', () => {
    expect(docs.length).toBeGreaterThan(50);
    expect(validateManifests(docs)).toEqual([]);
    const kinds = new Set(docs.map((d) => d.kind));
    for (const kind of ['ConfigMap', 'Deployment', 'Service', 'PodDisruptionBudget', 'Job', 'ServiceMonitor'])
      expect(kinds).toContain(kind);
    expect(kinds).toContain('PrometheusRule');
  });

  it('deploys every service of the registry as an api, its worker unless disabled, and the gateway', () => {
    expect(services.map((s) => s.name).sort()).toEqual([...SERVICE_NAMES].sort());
    const args = (name: string) => container(named(deployments, name).spec?.template.spec).args;
    expect(args(`${RELEASE}-gateway-api`)).toEqual(['start', '--services', 'gateway', '--role', 'api']);
    for (const service of services) {
      expect(args(`${RELEASE}-${service.name}-api`)).toEqual([
        'start',
        '--services',
        service.name,
        '--role',
        'api',
      ]);
      if (workerEnabled(service))
        expect(args(`${RELEASE}-${service.name}-worker`)).toEqual([
          'start',
          '--services',
          service.name,
          '--role',
          'worker',
        ]);
      else
        expect(deployments.map((d) => d.metadata?.name)).not.toContain(`${RELEASE}-${service.name}-worker`);
    }
    expect(deployments).toHaveLength(1 + services.length + services.filter(workerEnabled).length);
  });

  it("points SERVICE_URL_<SERVICE> of every service at the Service in front of that service's api", () => {
    const urls = Object.keys(configMap.data ?? {}).filter((k) => k.startsWith('SERVICE_URL_'));
    expect(urls.sort()).toEqual(SERVICE_NAMES.map((n) => `SERVICE_URL_${n.toUpperCase()}`).sort());
    for (const name of SERVICE_NAMES) {
      const service = named(k8sServices, `${RELEASE}-${name}-api`);
      const http = service.spec?.ports?.find((p) => p.name === 'http');
      expect(configMap.data?.[`SERVICE_URL_${name.toUpperCase()}`]).toBe(
        `http://${service.metadata?.name}:${http?.port}`,
      );
      expect(selected(deployments, service.spec?.selector).map((d) => d.metadata?.name)).toEqual([
        `${RELEASE}-${name}-api`,
      ]);
    }
  });

  it('selects exactly one Deployment with each Service, PodDisruptionBudget and autoscaler', () => {
    for (const service of k8sServices) {
      expect(selected(deployments, service.spec?.selector), service.metadata?.name).toHaveLength(1);
      expect(service.spec?.ports).toEqual([{ name: 'http', port, targetPort: 'http', protocol: 'TCP' }]);
    }
    for (const pdb of ofKind<IPodDisruptionBudget>(docs, 'PodDisruptionBudget'))
      expect(selected(deployments, pdb.spec?.selector?.matchLabels), pdb.metadata?.name).toHaveLength(1);
    const autoscalers = ofKind<IHorizontalPodAutoscaler>(docs, 'HorizontalPodAutoscaler');
    for (const hpa of autoscalers) {
      const target = named(deployments, hpa.spec!.scaleTargetRef.name);
      // The autoscaler owns the replica count: a replicas field would reset it at each upgrade.
      expect(target.spec?.replicas).toBeUndefined();
      expect(hpa.spec?.metrics?.[0]?.resource?.name).toBe('cpu');
      expect(container(target.spec?.template.spec).resources?.requests?.cpu).toBeDefined();
    }
    const scaled = new Set(autoscalers.map((h) => h.spec?.scaleTargetRef.name));
    for (const d of deployments.filter((d) => !scaled.has(d.metadata?.name)))
      expect(d.spec?.replicas, d.metadata?.name).toBeGreaterThanOrEqual(1);
  });

  it('probes /healthz and /readyz on the port each process listens on, and scrapes /metrics', () => {
    expect(port).toBe(8080);
    for (const d of deployments) {
      const c = container(d.spec?.template.spec);
      expect(c.ports).toEqual([{ name: 'http', containerPort: port, protocol: 'TCP' }]);
      expect(c.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: 'http' });
      expect(c.startupProbe?.httpGet).toEqual({ path: '/healthz', port: 'http' });
      expect(c.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 'http' });
      expect(c.resources?.limits?.memory).toBeDefined();
    }
    const monitor = ofKind<IServiceMonitor>(docs, 'ServiceMonitor')[0]!;
    expect(monitor.spec.endpoints).toEqual([expect.objectContaining({ port: 'http', path: '/metrics' })]);
    // Workers too: their headless Services are what the ServiceMonitor finds.
    expect(selected(deployments, monitor.spec.selector.matchLabels as Record<string, string>)).toHaveLength(
      deployments.length,
    );
  });

  it('sets only settings the platform reads, and ones that load in production', () => {
    const names = new Set(Object.keys(configMap.data ?? {}));
    const pods = [
      ...deployments.map((d) => d.spec?.template.spec),
      ...ofKind<IJob>(docs, 'Job').map((j) => j.spec?.template.spec),
    ];
    for (const spec of pods) for (const e of container(spec).env ?? []) names.add(e.name);
    const known = new Set(Object.keys(settingsSchema.shape));
    const services = new Set(SERVICE_NAMES.map((n) => n.toUpperCase()));
    // Distributed mode's per-service names: SERVICE_URL_<SERVICE>, DATABASE_URL_<SERVICE>.
    const perService = (name: string) => {
      const match = name.match(/^(SERVICE_URL|DATABASE_URL)_([A-Z]+)$/);
      return match !== null && services.has(match[2]!);
    };
    expect([...names].filter((n) => !known.has(n) && !perService(n))).toEqual([]);
    const config = loadConfig({ ...configMap.data, ...SECRET_PLACEHOLDERS });
    expect(config.isProduction).toBe(true);
    expect(config.PORT).toBe(port);
  });

  it('keeps every secret value out of the chart: settings of the Secret are only referenced', () => {
    expect(ofKind(docs, 'Secret')).toEqual([]);
    const secretNames = new Set([...SECRET_SETTINGS, ...Object.keys(SECRET_PLACEHOLDERS)]);
    secretNames.delete('ORDERLINE_ADMIN_EMAIL');
    expect(Object.keys(configMap.data ?? {}).filter((k) => secretNames.has(k))).toEqual([]);
    for (const d of [...deployments, ...ofKind<IJob>(docs, 'Job')]) {
      const c = container(d.spec?.template.spec);
      expect(c.envFrom).toContainEqual({
        secretRef: { name: values.secrets && (values.secrets as { name: string }).name },
      });
      for (const e of c.env ?? []) {
        if (secretNames.has(e.name) || e.name.startsWith('DATABASE_URL_')) {
          expect(e.value, e.name).toBeUndefined();
          expect(e.valueFrom?.secretKeyRef?.name).toBeDefined();
        }
      }
    }
    for (const service of services.filter((s) => s.database)) {
      const env = container(named(deployments, `${RELEASE}-${service.name}-api`).spec?.template.spec).env;
      expect(env).toContainEqual({
        name: `DATABASE_URL_${service.name.toUpperCase()}`,
        valueFrom: {
          secretKeyRef: { name: service.database!.secretName, key: service.database!.key ?? 'DATABASE_URL' },
        },
      });
    }
  });

  it('migrates every service in a pre-install/pre-upgrade hook before any process starts', () => {
    const jobs = ofKind<IJob>(docs, 'Job');
    expect(jobs).toHaveLength(SERVICE_NAMES.length);
    const image = container(deployments[0]!.spec?.template.spec).image;
    for (const name of SERVICE_NAMES) {
      const job = named(jobs, `${RELEASE}-${name}-migrate`);
      expect(job.metadata?.annotations?.['helm.sh/hook']).toBe('pre-install,pre-upgrade');
      const c = container(job.spec?.template.spec);
      expect(c.args).toEqual(['migrate', '--services', name]);
      expect(c.image).toBe(image);
      // Hooks run before the release's ConfigMap exists: the settings are inlined, the same ones.
      expect(c.envFrom?.some((e) => e.configMapRef)).toBe(false);
      const inline = Object.fromEntries(
        (c.env ?? []).filter((e) => e.value !== undefined).map((e) => [e.name, e.value]),
      );
      expect(inline).toEqual(expect.objectContaining(configMap.data));
      expect(job.spec?.template.spec?.restartPolicy).toBe('Never');
    }
  });

  it('runs every pod as a non-root user on a read-only root filesystem', () => {
    const pods = [...deployments, ...ofKind<IJob>(docs, 'Job')].map((d) => d.spec?.template.spec);
    for (const spec of pods) {
      expect(spec?.securityContext?.runAsNonRoot).toBe(true);
      expect(spec?.automountServiceAccountToken).toBe(false);
      const c = container(spec);
      expect(c.securityContext).toEqual(
        expect.objectContaining({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false }),
      );
      expect(c.volumeMounts).toContainEqual({ name: 'tmp', mountPath: '/tmp' });
    }
  });
});

describe('chart', () => {
  it('renders the alert rules of deploy/prometheus/orderline-alerts.yaml, not a copy of them', () => {
    const source = join(ROOT, 'deploy', 'prometheus', 'orderline-alerts.yaml');
    expect(realpathSync(join(CHART, 'files', 'orderline-alerts.yaml'))).toBe(realpathSync(source));
    const rule = ofKind<IPrometheusRule>(render([]), 'PrometheusRule')[0]!;
    const file = parseYaml(readFileSync(source, 'utf8')) as IPrometheusRule;
    expect(rule.spec).toEqual(file.spec);
    expect(JSON.stringify(rule.spec)).toContain('{{ $labels.service }}');
  });

  it('refuses a secret setting in config at render time', () => {
    expect(() => render([], [{ config: { DATABASE_URL: 'postgres://u:p@db/orderline' } }])).toThrow(
      /config\.DATABASE_URL is a secret/,
    );
    expect(() => render([], [{ config: { DATABASE_URL_ORDER: 'postgres://u:p@db/order' } }])).toThrow(
      /is a secret/,
    );
  });

  it('leaves out what values turn off', () => {
    const docs = render(
      [],
      [
        {
          serviceMonitor: { enabled: false },
          prometheusRule: { enabled: false },
          migrations: { enabled: false },
          podDisruptionBudget: { enabled: false },
        },
      ],
    );
    const kinds = new Set(docs.map((d) => d.kind));
    for (const kind of ['ServiceMonitor', 'PrometheusRule', 'Job', 'PodDisruptionBudget'])
      expect(kinds).not.toContain(kind);
    expect(validateManifests(docs)).toEqual([]);
  });

  it('keeps names DNS labels under a long release name', () => {
    const docs = renderChart({
      chartDir: CHART,
      releaseName: 'a-very-long-release-name-for-a-store-in-production-eu',
    }).map((m) => m.document);
    expect(validateManifests(docs)).toEqual([]);
    for (const d of docs)
      expect(String((d.metadata as { name: string }).name).length).toBeLessThanOrEqual(63);
  });

  it('has the appVersion of package.json, the tag of the image it runs by default', () => {
    const chart = parseYaml(readFileSync(join(CHART, 'Chart.yaml'), 'utf8')) as { appVersion: string };
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(chart.appVersion).toBe(pkg.version);
    const deployment = ofKind<IDeployment>(render([]), 'Deployment')[0]!;
    expect(container(deployment.spec?.template.spec).image).toBe(`orderline:${pkg.version}`);
  });
});

describe('manifest validation', () => {
  const docs = render([]);
  const deployment = ofKind<IDeployment>(docs, 'Deployment')[0]!;
  const broken = (mutate: (d: IDeployment) => void): Doc => {
    const copy = structuredClone(deployment);
    mutate(copy);
    return copy as unknown as Doc;
  };

  it('accepts the rendered Deployment and refuses it broken', () => {
    expect(validateManifest(deployment as unknown as Doc)).toEqual([]);
    expect(validateManifest(broken((d) => Object.assign(d.spec!, { replicas: 'two' })))).toEqual([
      expect.stringMatching(/replicas must be integer/),
    ]);
    expect(
      validateManifest(
        broken((d) => delete (d.spec!.template.spec!.containers[0] as { name?: string }).name),
      ),
    ).toEqual([expect.stringMatching(/must have required property 'name'|required property name/)]);
    expect(validateManifest(broken((d) => Object.assign(d.spec!, { selector: undefined })))).not.toEqual([]);
    expect(validateManifest(broken((d) => Object.assign(d.metadata!, { name: 'Not_A_Name' })))).not.toEqual(
      [],
    );
    expect(validateManifest({ ...deployment, kind: 'Deploymnet' } as unknown as Doc)).toEqual([
      'no schema for apps/v1 Deploymnet',
    ]);
  });

  it('refuses unknown fields, as kubeconform -strict does, and finds none in any values file', () => {
    const all = VALUES_FILES.flatMap(([, files]) => render(files));
    const typo = broken((d) => {
      const c = d.spec!.template.spec!.containers[0]!;
      Object.assign(c, { readinesProbe: c.readinessProbe });
    });
    const monitor = structuredClone(ofKind<IServiceMonitor>(docs, 'ServiceMonitor')[0]!);
    Object.assign(monitor.spec.endpoints![0]!, { pth: '/metrics' });
    const problems = unknownFieldProblems([...all, typo, monitor as unknown as Doc]);
    expect(problems).toEqual([
      {
        name: `Deployment/${deployment.metadata!.name}`,
        message: expect.stringMatching(/'"readinesProbe"' does not exist in type 'IContainer'/),
      },
      { name: 'ServiceMonitor/orderline', message: expect.stringMatching(/'"pth"' does not exist/) },
    ]);
  }, 60_000);

  it("refuses a broken Service name and the Prometheus Operator's objects broken", () => {
    const service = ofKind<IService>(docs, 'Service')[0]!;
    expect(
      validateManifest({ ...service, metadata: { name: 'x'.repeat(64) } } as unknown as Doc),
    ).not.toEqual([]);
    const rule = structuredClone(ofKind<IPrometheusRule>(docs, 'PrometheusRule')[0]!);
    delete (rule.spec.groups![0]!.rules![0] as { expr?: unknown }).expr;
    expect(validateManifest(rule as unknown as Doc)).toEqual([expect.stringMatching(/expr/)]);
    const monitor = structuredClone(ofKind<IServiceMonitor>(docs, 'ServiceMonitor')[0]!);
    Object.assign(monitor.spec, { endpoints: 'http' });
    expect(validateManifest(monitor as unknown as Doc)).not.toEqual([]);
  });

  it('fails `npm run chart:render` when a values file makes a manifest invalid', () => {
    const tsx = join(ROOT, 'node_modules', '.bin', 'tsx');
    const script = join(ROOT, 'scripts', 'chart', 'render.ts');
    const ok = spawnSync(tsx, [script, '--values', join(CHART, 'values-small.yaml')], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(ok.stderr).toMatch(/manifests, all valid/);
    expect(ok.status).toBe(0);
    expect(parseYaml(ok.stdout.split('\n---\n')[1]!)).toEqual(
      expect.objectContaining({ apiVersion: expect.any(String) }),
    );
    const dir = mkdtempSync(join(tmpdir(), 'orderline-chart-'));
    try {
      const bad = join(dir, 'bad.yaml');
      writeFileSync(bad, 'defaults:\n  api:\n    replicas: many\n');
      const refused = spawnSync(tsx, [script, '--values', bad], { cwd: ROOT, encoding: 'utf8' });
      expect(refused.status).toBe(1);
      expect(refused.stderr).toMatch(/Deployment\/orderline-user-api: .*replicas must be integer/);
      expect(refused.stdout).toBe('');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
