// The built package under node:test with a DOM from jsdom (a real jsdom
// window as the globals, as a test setup file installs it), its session flow
// against sociapp-auth/testing's fake API: the SDK reads its .wasm from the
// file system when its URL is a file: URL.
//
// Run by `make test-apps` as `node --test tests/node/` (after `make pkg`).
// Environment: SOCIAPP_PKG_DIR, the package folder (default pkg/).

import { installJsdom } from './dom.mjs';
import { sessionFlow } from './flow.mjs';

sessionFlow('jsdom', installJsdom);
