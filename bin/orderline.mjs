#!/usr/bin/env node
// Launcher: runs the compiled platform (dist/main.js) in this process; nothing is transpiled at run
// time. In a checkout (src/ present) it first rebuilds dist/ when src/ changed since the last build
// (scripts/build.mjs), so `npm start` and `npx orderline …` work on a fresh clone and never run
// stale code; likewise the admin console (scripts/build-admin.mjs). An image that ships dist/ without
// src/ runs dist/ as it is.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'dist', 'main.js');
if (existsSync(join(root, 'src')) && existsSync(join(root, 'scripts', 'build.mjs'))) {
  const { buildIfStale } = await import(pathToFileURL(join(root, 'scripts', 'build.mjs')).href);
  try {
    await buildIfStale({ log: (m) => process.stderr.write(`orderline: ${m}\n`) });
  } catch (err) {
    process.stderr.write(`orderline: build failed: ${err.message}\n`);
    process.exit(1);
  }
}
// The admin console (admin/ → admin/dist, served at /admin) is built the same way when stale.
if (existsSync(join(root, 'admin', 'src')) && existsSync(join(root, 'scripts', 'build-admin.mjs'))) {
  const { buildAdminIfStale } = await import(pathToFileURL(join(root, 'scripts', 'build-admin.mjs')).href);
  try {
    await buildAdminIfStale({ log: (m) => process.stderr.write(`orderline: ${m}\n`) });
  } catch (err) {
    process.stderr.write(`orderline: admin console build failed: ${err.message}\n`);
    process.exit(1);
  }
}
if (!existsSync(entry)) {
  process.stderr.write(`orderline: ${entry} is missing; run \`npm run build\`\n`);
  process.exit(1);
}
await import(pathToFileURL(entry).href);
