import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { manifestsToYaml, renderChart } from './helm.render.js';
import { unknownFieldProblems } from './k8s.strict.js';
import { validateManifests } from './k8s.validate.js';

/**
 * `npm run chart:render -- --values deploy/helm/orderline/values-small.yaml`: prints the chart's
 * manifests as `helm template` would, after checking each against the Kubernetes schemas and for
 * unknown fields; exits 1 and names the problems when one is invalid.
 */
const { values } = parseArgs({
  options: {
    values: { type: 'string', short: 'f', multiple: true, default: [] },
    'release-name': { type: 'string', default: 'orderline' },
    namespace: { type: 'string', short: 'n', default: 'default' },
    chart: { type: 'string', default: join('deploy', 'helm', 'orderline') },
  },
});

try {
  const manifests = renderChart({
    chartDir: values.chart,
    valuesFiles: values.values,
    releaseName: values['release-name'],
    namespace: values.namespace,
  });
  const docs = manifests.map((m) => m.document);
  const problems = validateManifests(docs);
  if (problems.length === 0) problems.push(...unknownFieldProblems(docs));
  if (problems.length > 0) {
    for (const p of problems) process.stderr.write(`${p.name}: ${p.message}\n`);
    process.exit(1);
  }
  process.stdout.write(manifestsToYaml(manifests));
  process.stderr.write(`${manifests.length} manifests, all valid\n`);
} catch (err) {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exit(1);
}
