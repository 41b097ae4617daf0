// The Vue + Pinia demo (www/vue) end to end: see demo-harness.mjs.
import { demoSuite } from './demo-harness.mjs';

demoSuite('vue', {
  // The setup store (notes) and the options store (profile) after a reset.
  resetState: { 'notes-count': '0', 'profile-state': 'idle' },
});
