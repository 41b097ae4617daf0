// The React demo (www/react) end to end: see demo-harness.mjs.
import { demoSuite } from './demo-harness.mjs';

demoSuite('react', {
  // The notes store (outside React, reset by the client's onLogout) after a reset.
  resetState: { 'notes-count': '0' },
});
