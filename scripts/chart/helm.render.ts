import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, isAbsolute, join, normalize } from 'node:path';
import { parseAllDocuments, parse as parseYaml, stringify } from 'yaml';
import { execute, include, isMap, type Templates } from './go-template.exec.js';
import type { TemplateNode } from './go-template.parse.js';
import { parseTemplate, TemplateError } from './go-template.parse.js';
import { helmFunctions } from './helm.functions.js';

/**
 * `helm template` for this repository's chart without the helm binary: merges values the way
 * Helm does (files in order over the chart's values.yaml, maps deep, lists replaced, null deletes a
 * key), renders every file of templates/ not starting with `_` with the built-in objects the chart
 * uses (.Values, .Release, .Chart, .Files, .Template; no .Capabilities: nothing asks a cluster),
 * and splits the output into documents.
 */

export interface RenderOptions {
  chartDir: string;
  /** Values files applied in order over the chart's values.yaml (helm's `-f`). */
  valuesFiles?: string[];
  /** Values applied after the files (helm's `--set`, as objects). */
  values?: Record<string, unknown>[];
  releaseName?: string;
  namespace?: string;
}

export interface Manifest {
  /** templates/<file> the document came from. */
  source: string;
  document: Record<string, unknown>;
}

export type Values = Record<string, unknown>;

/** Helm's coalescing of values: `over` wins; maps merge deeply; a null in `over` deletes the key. */
export function mergeValues(base: Values, over: Values): Values {
  const out: Values = { ...base };
  for (const [key, value] of Object.entries(over)) {
    if (value === null) delete out[key];
    else if (isMap(value) && isMap(out[key])) out[key] = mergeValues(out[key] as Values, value);
    else out[key] = value;
  }
  return out;
}

function readYamlMap(path: string): Values {
  const parsed: unknown = parseYaml(readFileSync(path, 'utf8'));
  if (parsed === null || parsed === undefined) return {};
  if (!isMap(parsed)) throw new Error(`${path}: must hold a map of values`);
  return parsed;
}

/** Chart.yaml's fields as Helm exposes them (.Chart.Name, .Chart.AppVersion …). */
function chartObject(chartDir: string): Values {
  const chart = readYamlMap(join(chartDir, 'Chart.yaml'));
  return Object.fromEntries(
    Object.entries(chart).map(([k, v]) => [k.charAt(0).toUpperCase() + k.slice(1), v]),
  );
}

function filesObject(chartDir: string): Values {
  return {
    Get: (path: unknown) => {
      const rel = normalize(String(path));
      if (isAbsolute(rel) || rel.startsWith('..')) throw new Error(`.Files.Get ${rel}: outside the chart`);
      const full = join(chartDir, rel);
      // Helm gives an empty string for a file it does not have.
      return existsSync(full) ? readFileSync(full, 'utf8') : '';
    },
  };
}

export function loadValues(options: RenderOptions): Values {
  let values = readYamlMap(join(options.chartDir, 'values.yaml'));
  for (const file of options.valuesFiles ?? []) values = mergeValues(values, readYamlMap(file));
  for (const over of options.values ?? []) values = mergeValues(values, over);
  return values;
}

export function renderChart(options: RenderOptions): Manifest[] {
  const { chartDir } = options;
  const chart = chartObject(chartDir);
  const templatesDir = join(chartDir, 'templates');
  const files = readdirSync(templatesDir)
    .filter((f) => /\.(ya?ml|tpl)$/.test(f))
    .sort();
  const defines = new Map<string, TemplateNode[]>();
  const bodies: { file: string; body: TemplateNode[] }[] = [];
  for (const file of files) {
    const parsed = parseTemplate(readFileSync(join(templatesDir, file), 'utf8'), `templates/${file}`);
    for (const [name, body] of parsed.defines) defines.set(name, body);
    if (!file.startsWith('_')) bodies.push({ file, body: parsed.body });
  }
  const templates: Templates = { defines, functions: { ...helmFunctions } };
  templates.functions.include = (name, data) => include(String(name), data, templates);

  const root = {
    Values: loadValues(options),
    Release: {
      Name: options.releaseName ?? 'orderline',
      Namespace: options.namespace ?? 'default',
      Service: 'Helm',
      IsInstall: true,
      IsUpgrade: false,
      Revision: 1,
    },
    Chart: chart,
    Files: filesObject(chartDir),
  };
  const chartName = basename(chartDir);
  const manifests: Manifest[] = [];
  for (const { file, body } of bodies) {
    const source = `templates/${file}`;
    const text = execute(
      body,
      {
        ...root,
        Template: { Name: `${chartName}/${source}`, BasePath: `${chartName}/templates` },
      },
      templates,
    );
    for (const doc of parseAllDocuments(text)) {
      if (doc.errors.length > 0)
        throw new TemplateError(source, `rendered YAML is invalid: ${doc.errors[0]!.message}`);
      const value: unknown = doc.toJS();
      if (value === null || value === undefined) continue;
      if (!isMap(value)) throw new TemplateError(source, 'a rendered document is not a map');
      manifests.push({ source, document: value });
    }
  }
  return manifests;
}

/** Multi-document YAML of the manifests, as `helm template` prints it. */
export function manifestsToYaml(manifests: Manifest[]): string {
  return manifests
    .map((m) => `---\n# Source: ${m.source}\n${stringify(m.document, { lineWidth: 0 })}`)
    .join('');
}
