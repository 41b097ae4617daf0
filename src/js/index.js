// The package's entry: compiles the WebAssembly module once, then creates clients.
import { AuthClient, initSync } from './sociapp_auth.js';

const wasmUrl = new URL('./sociapp_auth_bg.wasm', import.meta.url);
let compiled;

// Fetches and compiles the module: streaming where the server sends
// application/wasm, else from the downloaded bytes.
function compile() {
  return (compiled ??= fetch(wasmUrl).then(async (response) => {
    try {
      return await WebAssembly.compileStreaming(response.clone());
    } catch (error) {
      if (!response.ok) throw error;
      return WebAssembly.compile(await response.arrayBuffer());
    }
  }));
}

// In a browser the download and compilation start as the package is
// imported; a failure there is reported by createAuthClient. On a server
// (no window) importing does nothing.
if (typeof window === 'object') compile().catch(() => {});

/**
 * Creates a client; rejects with an AuthError: code "invalid_option" for bad
 * options, "unsupported_environment" where there is no browser window.
 */
export async function createAuthClient(options) {
  if (typeof window !== 'object') {
    const error = new Error('createAuthClient needs a browser window: create the client in the browser (on a server, render signed out)');
    error.name = 'AuthError';
    error.code = 'unsupported_environment';
    throw error;
  }
  const module = await compile();
  // Instantiates once (later calls return the instance).
  initSync({ module });
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
