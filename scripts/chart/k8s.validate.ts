import * as monitoringV1 from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import * as appsV1 from 'kubernetes-models/apps/v1';
import * as autoscalingV2 from 'kubernetes-models/autoscaling/v2';
import * as batchV1 from 'kubernetes-models/batch/v1';
import * as networkingV1 from 'kubernetes-models/networking.k8s.io/v1';
import * as policyV1 from 'kubernetes-models/policy/v1';
import * as coreV1 from 'kubernetes-models/v1';

/**
 * Checks manifests against the Kubernetes OpenAPI schemas bundled in `kubernetes-models` (and the
 * Prometheus Operator CRDs' schemas in `@kubernetes-models/prometheus-operator`): required fields,
 * types, enums and formats. A kind without a schema here is refused, as kubeconform does without
 * `-ignore-missing-schemas`. The schemas allow unknown fields (kubeconform's `-strict` does not):
 * test/deploy.chart.test.ts asserts the fields that matter by value.
 */

interface ModelClass {
  new (data: Record<string, unknown>): { validate(): void };
}

const GROUPS: Record<string, Record<string, unknown>> = {
  v1: coreV1,
  'apps/v1': appsV1,
  'batch/v1': batchV1,
  'policy/v1': policyV1,
  'autoscaling/v2': autoscalingV2,
  'networking.k8s.io/v1': networkingV1,
  'monitoring.coreos.com/v1': monitoringV1,
};

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
  const model = GROUPS[apiVersion]?.[kind] as ModelClass | undefined;
  if (typeof model !== 'function') return [`no schema for ${apiVersion} ${kind}`];
  const metadata = doc.metadata as { name?: unknown } | undefined;
  const problems: string[] = [];
  // The schemas leave metadata.name optional (generateName); the API server does not, here.
  if (typeof metadata?.name !== 'string' || !/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/.test(metadata.name))
    problems.push('metadata.name must be a DNS subdomain name');
  // A Service's name is also a DNS label (its cluster DNS name): at most 63 characters.
  else if (kind === 'Service' && !/^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/.test(metadata.name))
    problems.push('a Service name must be a DNS label (a letter first, at most 63 characters)');
  try {
    new model(doc).validate();
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
