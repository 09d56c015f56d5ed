import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { manifestName, type ValidationProblem } from './k8s.validate.js';

/**
 * kubeconform's `-strict` from the same API definitions: the OpenAPI schemas in kubernetes-models
 * accept unknown fields, but its TypeScript interfaces list every field, and TypeScript refuses an
 * unknown property in an object literal at any depth. Each manifest becomes
 * `const m: IDeployment = {…}` in one in-memory file that the compiler checks; its diagnostics
 * name the manifest and the field (a typo such as `readinesProbe`, a field in the wrong place).
 * The compiler stops at the first mismatch of each manifest: fix it and the next one shows.
 */

const HERE = dirname(fileURLToPath(import.meta.url));
const VIRTUAL = join(HERE, '__manifests__.ts');

const PACKAGES: Record<string, string> = {
  'monitoring.coreos.com': '@kubernetes-models/prometheus-operator/monitoring.coreos.com',
};

/** The module and interface that type a manifest (`kubernetes-models/apps/v1/Deployment`, IDeployment). */
function typeOf(apiVersion: string, kind: string): { module: string; name: string } {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  const base = group ? (PACKAGES[group!] ?? `kubernetes-models/${group}`) : 'kubernetes-models';
  return { module: `${base}/${version}/${kind}`, name: `I${kind}` };
}

export function unknownFieldProblems(docs: Record<string, unknown>[]): ValidationProblem[] {
  const imports = new Map<string, string>();
  const lines: string[] = [];
  const owners: number[] = [];
  docs.forEach((doc, i) => {
    const { module, name } = typeOf(String(doc.apiVersion), String(doc.kind));
    const alias = `T${imports.size}`;
    if (!imports.has(module)) imports.set(module, `import type { ${name} as ${alias} } from '${module}';`);
    const type = imports.get(module)!.match(/as (T\d+)/)![1];
    // One property per line, so a diagnostic's line points at the field.
    for (const line of `const m${i}: ${type} = ${JSON.stringify(doc, null, 1)};`.split('\n')) {
      lines.push(line);
      owners.push(i);
    }
  });
  const header = [...imports.values()];
  const source = [...header, ...lines, 'export {};'].join('\n');

  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (file, language, ...rest) =>
    file === VIRTUAL ? ts.createSourceFile(file, source, language) : getSourceFile(file, language, ...rest);
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (file) => file === VIRTUAL || fileExists(file);
  const program = ts.createProgram([VIRTUAL], options, host);
  const file = program.getSourceFile(VIRTUAL)!;

  return ts.getPreEmitDiagnostics(program, file).map((d) => {
    // The last line of the chain names the field; an inline type is cut to its start.
    const message = ts
      .flattenDiagnosticMessageText(d.messageText, '\n')
      .split('\n')
      .at(-1)!
      .replace(/in type '(.{40})[\s\S]{20,}'\.$/, "in type '$1…'.");
    if (d.file !== file || d.start === undefined) return { name: '(chart)', message };
    const line = file.getLineAndCharacterOfPosition(d.start).line - header.length;
    const owner = owners[line];
    if (owner === undefined) return { name: '(chart)', message };
    return { name: manifestName(docs[owner]!), message: `${message} (${lines[line]!.trim()})` };
  });
}
