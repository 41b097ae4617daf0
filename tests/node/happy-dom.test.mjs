// The same session flow as testing.test.mjs, with a DOM from happy-dom (its
// Window's properties as the globals).
//
// Run by `make test-apps` as `node --test tests/node/` (after `make pkg`).
// Environment: SOCIAPP_PKG_DIR, the package folder (default pkg/).

import { installHappyDom } from './dom.mjs';
import { sessionFlow } from './flow.mjs';

sessionFlow('happy-dom', installHappyDom);
