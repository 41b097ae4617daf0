// The demos' own unit tests (www/vue: Vitest on jsdom with Vue Test Utils and
// the real Pinia store; www/react: Vitest on happy-dom with React Testing
// Library), each against sociapp-auth/testing's fake API: each demo is
// installed with the package folder given (npm ci when its lock changed, then
// the package's files copied in, as tests/e2e/demo-build.mjs does for the
// builds), then `vitest run`.
//
// Prints Vitest's report, then for each demo node:test's closing count lines
// (`# pass N`, `# fail N`, read from Vitest's JSON report), which
// .ci/summary.sh adds up. Exits 1 when a test failed or a demo could not run.
//
//   node tests/node/run-apps.mjs [--pkg DIR] [vue] [react]
//
// Run by `make test-apps` (after `make pkg`); DIR defaults to SOCIAPP_PKG_DIR,
// else pkg/.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMOS, install } from '../e2e/demo-build.mjs';

function main(argv) {
  let pkgDir = process.env.SOCIAPP_PKG_DIR ?? 'pkg';
  const names = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--pkg') pkgDir = argv[++i];
    else if (argv[i] in DEMOS) names.push(argv[i]);
    else throw new Error(`usage: run-apps.mjs [--pkg DIR] [${Object.keys(DEMOS).join('] [')}]`);
  }
  let failed = false;
  for (const name of names.length ? names : Object.keys(DEMOS)) {
    const started = Date.now();
    const { dir } = DEMOS[name];
    const did = install(name, pkgDir);
    const out = mkdtempSync(join(tmpdir(), `sociapp-${name}-vitest-`));
    const report = join(out, 'report.json');
    const result = spawnSync(
      join(dir, 'node_modules', '.bin', 'vitest'),
      ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`],
      { cwd: dir, stdio: 'inherit', env: { ...process.env, NO_COLOR: '1', CI: 'true' } },
    );
    let counts;
    try {
      counts = JSON.parse(readFileSync(report, 'utf8'));
    } catch {
      counts = null;
    }
    rmSync(out, { recursive: true, force: true });
    const passed = counts?.numPassedTests ?? 0;
    // A run that failed with no failed test (a crash, a file that did not load, an unhandled error) counts as one.
    let failures = counts?.numFailedTests ?? 0;
    if (result.status !== 0 && failures === 0) failures = 1;
    console.log(`run-apps: ${name}: ${did}, vitest exited ${result.status ?? result.signal}: ${passed} passed, ${failures} failed (${Date.now() - started} ms)`);
    console.log(`# pass ${passed}`);
    console.log(`# fail ${failures}`);
    if (result.status !== 0 || failures > 0) failed = true;
  }
  return failed ? 1 : 0;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (e) {
  console.error(`run-apps: ${e.message}`);
  process.exitCode = 1;
}
