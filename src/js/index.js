// The package's entry: loads the WebAssembly module once, then creates clients.
import init, { AuthClient } from './sociapp_auth.js';

let ready;

/** Creates a client; rejects with an AuthError (code "invalid_option") for bad options. */
export async function createAuthClient(options) {
  ready ??= init({ module_or_path: new URL('./sociapp_auth_bg.wasm', import.meta.url) });
  await ready;
  return AuthClient.create(options);
}

AuthClient.prototype.subscribe = function subscribe(listener) {
  const id = this.addListener(listener);
  let active = true;
  return () => {
    if (active) {
      active = false;
      this.removeListener(id);
    }
  };
};

export { AuthClient };
