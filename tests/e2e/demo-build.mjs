// Installs, type-checks and builds the demo apps (www/vue, www/react; the
// server-rendered www/nuxt and www/next) on top of a built package folder, as
// an app that installed the package would.
//
// Each demo depends on "sociapp-auth": "file:../../pkg", installed as a copy
// (.npmrc: install-links=true). `npm ci` runs only when node_modules is older
// than package-lock.json; the package copy in node_modules is then replaced by
// the files of the package folder given (so `PKG=dir` builds work too).
//
// As a command (used by `make demo`):
//   node tests/e2e/demo-build.mjs --pkg DIR --out DIR [--api URL] [vue] [react] [nuxt] [next]
// builds each Vite demo into OUT/<name>/ (default: all), with VITE_API_URL=URL,
// and each framework app in place with its own CLI (nuxi build, next build).

import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, utimesSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** The demos: where each lives and how it type-checks (strict, both tsconfig projects). */
export const DEMOS = {
  vue: { dir: join(ROOT, 'www/vue'), typecheck: ['vue-tsc', '-b', '--force'] },
  react: { dir: join(ROOT, 'www/react'), typecheck: ['tsc', '-b', '--force'] },
};

/**
 * The server-rendered apps: each is built with its own CLI (in place) and
 * served by its own production server. `serve(port, apiUrl)` gives the
 * command, its arguments and environment; `listening(line)` tells when the
 * server is up.
 */
export const FRAMEWORK_APPS = {
  nuxt: {
    dir: join(ROOT, 'www/nuxt'),
    build: ['nuxi', 'build'],
    serve: (port, apiUrl) => ({
      command: process.execPath,
      args: ['.output/server/index.mjs'],
      env: { PORT: String(port), HOST: '127.0.0.1', NUXT_PUBLIC_API_URL: apiUrl },
    }),
    listening: (line) => line.includes('Listening on'),
  },
  next: {
    dir: join(ROOT, 'www/next'),
    build: ['next', 'build'],
    serve: (port, apiUrl) => ({
      command: join(ROOT, 'www/next/node_modules/.bin/next'),
      args: ['start', '--port', String(port), '--hostname', '127.0.0.1'],
      env: { SOCIAPP_API_URL: apiUrl },
    }),
    listening: (line) => /Ready in/.test(line),
  },
};

// Telemetry off; no colours in the logs.
export const QUIET_ENV = { NEXT_TELEMETRY_DISABLED: '1', NUXT_TELEMETRY_DISABLED: '1', NO_COLOR: '1' };

function demo(name) {
  const d = DEMOS[name] ?? FRAMEWORK_APPS[name];
  if (!d) throw new Error(`no demo named ${name} (known: ${[...Object.keys(DEMOS), ...Object.keys(FRAMEWORK_APPS)].join(', ')})`);
  return d;
}

// Runs a command; throws with its output when it fails. Returns the output.
function run(command, args, options) {
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 64 << 20, ...options });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  if (result.error) throw new Error(`${command} ${args.join(' ')}: ${result.error.message}`);
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed (${result.status ?? result.signal}) in ${options?.cwd}:\n${output}`);
  }
  return output;
}

function mtime(path) {
  return existsSync(path) ? statSync(path).mtimeMs : -Infinity;
}

/**
 * `npm ci` unless node_modules is newer than the lock and package.json, then
 * puts the package of `pkgDir` into node_modules/sociapp-auth. Returns what
 * it did, for the log.
 */
export function install(name, pkgDir) {
  const { dir } = demo(name);
  const modules = join(dir, 'node_modules');
  const stamp = join(modules, '.package-lock.json');
  const fresh =
    existsSync(stamp) &&
    mtime(stamp) >= mtime(join(dir, 'package-lock.json')) &&
    mtime(stamp) >= mtime(join(dir, 'package.json'));
  let did = 'node_modules up to date';
  if (!fresh) {
    // The lock names the package as file:../../pkg: npm ci needs it there.
    const linked = join(ROOT, 'pkg', 'package.json');
    if (!existsSync(linked)) throw new Error(`${linked} is missing: run 'make pkg' first`);
    run('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir });
    const now = new Date();
    utimesSync(stamp, now, now);
    did = 'npm ci';
  }
  syncPackage(dir, resolve(ROOT, pkgDir));
  return did;
}

// Replaces node_modules/sociapp-auth with the files that the package ships.
function syncPackage(dir, pkgDir) {
  const manifest = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
  const target = join(dir, 'node_modules', 'sociapp-auth');
  rmSync(target, { recursive: true, force: true });
  mkdirSync(target, { recursive: true });
  for (const file of ['package.json', ...manifest.files]) {
    cpSync(join(pkgDir, file), join(target, file), { recursive: true });
  }
  // Vite's dependency cache would keep serving the package it saw before.
  rmSync(join(dir, 'node_modules', '.vite'), { recursive: true, force: true });
}

/** The strict type-check of the demo (vue-tsc / tsc over both tsconfig projects). */
export function typecheck(name) {
  const { dir, typecheck: [tool, ...args] } = demo(name);
  return run(join(dir, 'node_modules', '.bin', tool), args, { cwd: dir });
}

/** `vite build` into outDir, with VITE_API_URL=apiUrl when given. Returns Vite's report. */
export function build(name, { outDir, apiUrl }) {
  const { dir } = demo(name);
  const env = { ...process.env, NO_COLOR: '1' };
  if (apiUrl) env.VITE_API_URL = apiUrl;
  else delete env.VITE_API_URL;
  return run(
    join(dir, 'node_modules', '.bin', 'vite'),
    ['build', '--outDir', resolve(outDir), '--emptyOutDir', '--logLevel', 'warn'],
    { cwd: dir, env },
  );
}

/** Builds a framework app in place with its own CLI. Returns the CLI's output. */
export function buildFramework(name) {
  const { dir, build: [tool, ...args] } = FRAMEWORK_APPS[name];
  return run(join(dir, 'node_modules', '.bin', tool), args, { cwd: dir, env: { ...process.env, ...QUIET_ENV } });
}

/** The command that serves a built framework app on 127.0.0.1:port, for the API at apiUrl. */
export function serveCommand(name, port, apiUrl) {
  const app = FRAMEWORK_APPS[name];
  const { command, args, env } = app.serve(port, apiUrl);
  return { command, args, options: { cwd: app.dir, env: { ...process.env, ...QUIET_ENV, ...env } } };
}

function main(argv) {
  let pkgDir = 'pkg';
  let outDir;
  let apiUrl;
  const names = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--pkg') pkgDir = argv[++i];
    else if (arg === '--out') outDir = argv[++i];
    else if (arg === '--api') apiUrl = argv[++i];
    else if (arg in DEMOS || arg in FRAMEWORK_APPS) names.push(arg);
    else throw new Error(`usage: demo-build.mjs --pkg DIR --out DIR [--api URL] [${[...Object.keys(DEMOS), ...Object.keys(FRAMEWORK_APPS)].join('] [')}]`);
  }
  if (!outDir) throw new Error('--out DIR is required');
  for (const name of names.length ? names : [...Object.keys(DEMOS), ...Object.keys(FRAMEWORK_APPS)]) {
    const started = Date.now();
    const did = install(name, pkgDir);
    if (name in FRAMEWORK_APPS) {
      // The API's URL is read when the app's server starts.
      buildFramework(name);
      console.log(`demo-build: ${name}: ${did}, built in ${FRAMEWORK_APPS[name].dir} (${Date.now() - started} ms)`);
      continue;
    }
    typecheck(name);
    build(name, { outDir: join(outDir, name), apiUrl });
    console.log(`demo-build: ${name}: ${did}, type-checked, built into ${join(outDir, name)} (${Date.now() - started} ms)`);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    main(process.argv.slice(2));
  } catch (e) {
    console.error(`demo-build: ${e.message}`);
    process.exit(1);
  }
}
