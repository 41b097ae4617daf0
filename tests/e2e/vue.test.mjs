// The Vue + Pinia demo (www/vue) end to end: see demo-harness.mjs, and
// vue-session.mjs for its SociApp-shaped session (axios, register → verify).
import { demoSuite } from './demo-harness.mjs';
import { vueSessionTests } from './vue-session.mjs';

demoSuite('vue', {
  // The setup store (notes) and the options store (profile) after a reset.
  resetState: { 'notes-count': '0', 'profile-state': 'idle' },
  more: vueSessionTests,
});
