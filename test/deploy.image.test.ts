import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderChart } from '../scripts/chart/helm.render.js';

/**
 * deploy/Dockerfile, checked without a Docker daemon: what it copies exists and is in the build
 * context, each stage does its job (compile, production dependencies, run), the runtime stage runs
 * the entry the build emits and the chart's commands exist, and the compiled code imports no
 * devDependency (the image has none).
 */

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

interface Instruction {
  op: string;
  args: string;
}

interface Stage {
  name: string;
  from: string;
  instructions: Instruction[];
}

function parseDockerfile(text: string): Stage[] {
  const stages: Stage[] = [];
  const lines = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  for (const line of lines) {
    const [, op, args] = line.match(/^(\S+)\s+(.*)$/)!;
    const upper = op!.toUpperCase();
    if (upper === 'FROM') {
      const [, from, name] = args!.match(/^(\S+)(?:\s+AS\s+(\S+))?$/i)!;
      stages.push({ name: name ?? String(stages.length), from: from!, instructions: [] });
    } else if (stages.length > 0) stages.at(-1)!.instructions.push({ op: upper, args: args! });
  }
  return stages;
}

const dockerfile = read('deploy/Dockerfile');
const stages = parseDockerfile(dockerfile);
const stage = (name: string) => stages.find((s) => s.name === name)!;
const ops = (s: Stage, op: string) => s.instructions.filter((i) => i.op === op).map((i) => i.args);
const runtime = stages.at(-1)!;
/** `COPY [--from=x] a b dest` → { from, sources, dest }. */
const copies = (s: Stage) =>
  ops(s, 'COPY').map((args) => {
    const parts = args.split(/\s+/);
    const from = parts[0]!.startsWith('--from=') ? parts.shift()!.slice('--from='.length) : undefined;
    const dest = parts.pop()!;
    return { from, sources: parts, dest };
  });

describe('deploy/Dockerfile', () => {
  it('builds in stages: compile, production dependencies, then the runtime', () => {
    expect(stages.map((s) => s.name)).toEqual(['build', 'deps', 'runtime']);
    for (const s of stages) expect(s.from).toMatch(/^node:\$\{NODE_VERSION\}-bookworm-slim$/);
    expect(dockerfile).toMatch(/^ARG NODE_VERSION=20$/m);
    expect(ops(stage('build'), 'RUN')).toEqual([
      'npm ci --ignore-scripts --no-audit --no-fund',
      'node scripts/build.mjs',
      'node scripts/build-admin.mjs',
    ]);
    expect(ops(stage('deps'), 'RUN')[0]).toMatch(/^npm ci --omit=dev\b/);
    expect(ops(runtime, 'RUN')).toEqual([]);
  });

  it('copies only files that exist and that .dockerignore leaves in the build context', () => {
    const ignored = read('.dockerignore')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    const sources = stages.flatMap((s) => copies(s).filter((c) => !c.from)).flatMap((c) => c.sources);
    expect(sources.length).toBeGreaterThan(3);
    for (const source of sources) {
      expect(existsSync(join(ROOT, source)), source).toBe(true);
      expect(ignored.filter((pattern) => source === pattern || source.startsWith(`${pattern}/`))).toEqual([]);
    }
    for (const local of ['node_modules', 'dist', '.data', '.git']) expect(ignored).toContain(local);
  });

  it("runs the build's compiled entry as the unprivileged node user in production, probed by the orchestrator", () => {
    // bin/orderline.mjs (package.json's bin) runs dist/main.js; the build compiles src/ into dist/.
    expect(JSON.parse(read('package.json')).bin.orderline).toBe('bin/orderline.mjs');
    expect(read('bin/orderline.mjs')).toContain("join(root, 'dist', 'main.js')");
    const build = JSON.parse(read('tsconfig.build.json')).compilerOptions;
    expect([build.rootDir, build.outDir]).toEqual(['src', 'dist']);
    expect(existsSync(join(ROOT, 'src', 'main.ts'))).toBe(true);

    expect(ops(runtime, 'ENTRYPOINT')).toEqual(['["node", "dist/main.js"]']);
    expect(ops(runtime, 'CMD')).toEqual(['["start"]']);
    expect(ops(runtime, 'USER')).toEqual(['node']);
    expect(ops(runtime, 'ENV')).toContain('NODE_ENV=production');
    expect(ops(runtime, 'WORKDIR')).toEqual(['/app']);
    expect(copies(runtime)).toEqual(
      expect.arrayContaining([
        { from: 'deps', sources: ['/app/node_modules'], dest: './node_modules' },
        { from: 'build', sources: ['/app/dist'], dest: './dist' },
        // The gateway serves the admin console from admin/dist (src/services/gateway/admin-console.ts).
        { from: 'build', sources: ['/app/admin/dist'], dest: './admin/dist' },
        // "type": "module" makes dist/*.js ES modules.
        { from: undefined, sources: ['package.json'], dest: './' },
      ]),
    );
    expect(stages.flatMap((s) => ops(s, 'HEALTHCHECK'))).toEqual([]);
  });

  it("exposes the chart's port, and the chart runs commands the entry defines", () => {
    const docs = renderChart({ chartDir: join(ROOT, 'deploy', 'helm', 'orderline') }).map((m) => m.document);
    const port = (docs.find((d) => d.kind === 'ConfigMap') as { data: Record<string, string> }).data.PORT;
    expect(ops(runtime, 'EXPOSE')).toEqual([port]);
    const main = read('src/main.ts');
    const commands = new Set([...main.matchAll(/\.command\('([a-z-]+)/g)].map((m) => m[1]));
    const pods = docs.flatMap((d) => {
      const spec = (d as { spec?: { template?: { spec?: { containers: { args: string[] }[] } } } }).spec;
      return spec?.template?.spec?.containers ?? [];
    });
    expect(pods.length).toBeGreaterThan(20);
    for (const { args } of pods) {
      expect(commands).toContain(args[0]);
      expect(args[1]).toBe('--services');
      if (args[0] === 'start') expect(['api', 'worker']).toContain(args[args.indexOf('--role') + 1]);
    }
    expect(main).toMatch(/choices\(\['api', 'worker', 'all'\]\)/);
  });

  it('ships compiled code that imports only dependencies, never a devDependency', () => {
    const pkg = JSON.parse(read('package.json')) as { dependencies: Record<string, string> };
    const builtins = new Set(builtinModules);
    // The files scripts/build.mjs compiles: no tests, scenarios or fixtures.
    const files = (readdirSync(join(ROOT, 'src'), { recursive: true }) as string[]).filter(
      (f) => f.endsWith('.ts') && !/\.(test|scenarios|fixtures)\.ts$/.test(f),
    );
    expect(files.length).toBeGreaterThan(100);
    const missing: string[] = [];
    for (const file of files) {
      // Type-only imports are erased by the compiler.
      const text = readFileSync(join(ROOT, 'src', file), 'utf8').replace(
        /(?:import|export)\s+type\s[\s\S]*?from\s+'[^']*'/g,
        '',
      );
      const statements =
        /^\s*(?:import|export)\s[^;]*?from\s+'([^']+)'|^\s*import\s+'([^']+)'|\bimport\(\s*'([^']+)'\s*\)|\brequire\(\s*'([^']+)'\s*\)/gm;
      for (const match of text.matchAll(statements)) {
        const specifier = (match[1] ?? match[2] ?? match[3] ?? match[4])!;
        if (specifier.startsWith('.') || specifier.startsWith('node:') || builtins.has(specifier)) continue;
        const name = specifier.startsWith('@')
          ? specifier.split('/').slice(0, 2).join('/')
          : specifier.split('/')[0]!;
        if (!(name in pkg.dependencies))
          missing.push(`${relative(ROOT, join(ROOT, 'src', file))}: ${specifier}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
