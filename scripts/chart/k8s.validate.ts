import { PodMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor';
import { PrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { StatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { CronJob } from 'kubernetes-models/batch/v1/CronJob';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';

/**
 * Checks manifests against the Kubernetes OpenAPI schemas bundled in `kubernetes-models` (and the
 * Prometheus Operator CRDs' schemas in `@kubernetes-models/prometheus-operator`): required fields,
 * types, enums and formats. A kind without a schema here is refused, as kubeconform does without
 * `-ignore-missing-schemas`. The schemas allow unknown fields; k8s.strict.ts refuses them.
 */

/** A model class; each types its own input, so the manifest is handed over as `never`. */
interface ModelClass {
  new (data: never): { validate(): void };
  apiVersion: string;
  kind: string;
}

/** The kinds a chart of this repository may render (one import each: the group indexes are slow). */
const MODELS: ModelClass[] = [
  ConfigMap,
  Secret,
  Service,
  ServiceAccount,
  Deployment,
  StatefulSet,
  Job,
  CronJob,
  PodDisruptionBudget,
  HorizontalPodAutoscaler,
  Ingress,
  NetworkPolicy,
  ServiceMonitor,
  PodMonitor,
  PrometheusRule,
];
const BY_TYPE = new Map(MODELS.map((m) => [`${m.apiVersion} ${m.kind}`, m]));

export interface ValidationProblem {
  name: string;
  message: string;
}

/** `Kind/name` of a manifest, for messages. */
export function manifestName(doc: Record<string, unknown>): string {
  const metadata = (doc.metadata ?? {}) as { name?: unknown };
  return `${String(doc.kind)}/${String(metadata.name)}`;
}

/** Problems of one manifest; empty when it is valid. */
export function validateManifest(doc: Record<string, unknown>): string[] {
  const { apiVersion, kind } = doc;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') return ['apiVersion and kind are required'];
  const model = BY_TYPE.get(`${apiVersion} ${kind}`);
  if (!model) return [`no schema for ${apiVersion} ${kind}`];
  const metadata = doc.metadata as { name?: unknown } | undefined;
  const problems: string[] = [];
  // The schemas leave metadata.name optional (generateName); the API server does not, here.
  if (typeof metadata?.name !== 'string' || !/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/.test(metadata.name))
    problems.push('metadata.name must be a DNS subdomain name');
  // A Service's name is also a DNS label (its cluster DNS name): at most 63 characters.
  else if (kind === 'Service' && !/^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/.test(metadata.name))
    problems.push('a Service name must be a DNS label (a letter first, at most 63 characters)');
  try {
    new model(doc as never).validate();
  } catch (err) {
    problems.push((err as Error).message);
  }
  return problems;
}

export function validateManifests(docs: Record<string, unknown>[]): ValidationProblem[] {
  return docs.flatMap((doc) =>
    validateManifest(doc).map((message) => ({ name: manifestName(doc), message })),
  );
}
