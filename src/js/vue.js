// sociapp-auth/vue: a Pinia store bound to one AuthClient. Needs vue and
// pinia (peer dependencies); vue-router is optional (any object with `push`).
import { computed, onScopeDispose, shallowRef } from 'vue';
import { defineStore, getActivePinia, setActivePinia } from 'pinia';
import { createAuthClient } from './index.js';

// Until the client is made (the WebAssembly module loads), the store reads as
// signed out with `ready` false.
const NOT_READY = Object.freeze({ status: 'signedOut', user: null, reason: null, expiresAt: null, renewal: null });
// The client's methods the store has as actions.
const ACTIONS = ['login', 'logout', 'fetch', 'me', 'refresh', 'setSession', 'register', 'verifyEmail', 'resendCode'];

function optionError(field, problem) {
  const error = new Error(`${field} ${problem}`);
  error.name = 'AuthError';
  error.code = 'invalid_option';
  return error;
}

// One entry of `resetStores`: a function is called; a store runs its own
// `reset()` action when it has one (setup stores), else `$reset()`.
async function resetOne(entry) {
  if (typeof entry === 'function') return entry();
  if (entry && typeof entry.reset === 'function') return entry.reset();
  if (entry && typeof entry.$reset === 'function') return entry.$reset();
  throw optionError('resetStores', 'entries must be stores or functions');
}

// Checks the adapter's own options; returns them with the client's apart.
function storeOptions(options, factory) {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw optionError('options', factory
      ? 'must be returned as an object by the options function'
      : 'must be an object such as { baseUrl: "https://api.example.com" }');
  }
  const { id, router, resetStores, ...clientOptions } = options;
  if (factory && id !== undefined) throw optionError('id', 'goes before the options function: defineAuthStore(id, () => options)');
  if (router != null && typeof router.push !== 'function') throw optionError('router', 'must have a push(path) method');
  if (router != null && clientOptions.navigate != null) throw optionError('router', 'and navigate cannot both be given');
  if (resetStores != null && typeof resetStores !== 'function') {
    throw optionError('resetStores', 'must be a function returning the stores to reset');
  }
  return { id: id ?? 'auth', router, resetStores, clientOptions };
}

/**
 * Defines the Pinia store of the session: `defineAuthStore(options)` returns
 * `useAuthStore`. The options are the client's (`AuthOptions`) plus `id`,
 * `router` and `resetStores`; or a function returning them
 * (`defineAuthStore(() => options)`, `defineAuthStore(id, () => options)`),
 * called when the store is first used in the browser, where composables
 * such as `useRouter()` and `useRuntimeConfig()` work. The client is made
 * in the browser only; on a server the store reads signed out, not ready,
 * and its state is plain data (serialisable for hydration).
 */
export function defineAuthStore(first, second) {
  let id = 'auth';
  let factory = null;
  let checked = null;
  if (typeof first === 'string') {
    id = first;
    if (typeof second !== 'function') {
      throw optionError('options', 'must be a function after the id: defineAuthStore(id, () => options)');
    }
    factory = second;
  } else if (typeof first === 'function') {
    factory = first;
  } else {
    checked = storeOptions(first, false);
    id = checked.id;
  }
  if (typeof id !== 'string' || id === '') throw optionError('id', 'must be a non-empty string');

  return defineStore(id, () => {
    const pinia = getActivePinia();
    const snapshot = shallowRef(NOT_READY);
    const ready = shallowRef(false);
    const error = shallowRef(null);
    let unsubscribe;
    let disposed = false;
    let clientPromise = null;

    // Creates the client (in the browser): reads the options, adds the
    // store's hook and navigation, follows the snapshot.
    function start() {
      let made;
      try {
        const { router, resetStores, clientOptions } = checked ?? storeOptions(factory(), true);
        made = createAuthClient(clientConfig(pinia, router, resetStores, clientOptions));
      } catch (e) {
        made = Promise.reject(e);
      }
      return made.then(
        (client) => {
          if (!disposed) {
            snapshot.value = client.getSnapshot();
            unsubscribe = client.subscribe((next) => {
              snapshot.value = next;
            });
            ready.value = true;
          }
          return client;
        },
        (e) => {
          error.value = e;
          throw e;
        },
      );
    }
    if (typeof window === 'object') {
      clientPromise = start();
      // The failure is in `error`; the actions reject with it.
      clientPromise.catch(() => {});
    }
    // On a server, createAuthClient rejects with code "unsupported_environment".
    const client = () => clientPromise ?? createAuthClient();

    onScopeDispose(() => {
      disposed = true;
      unsubscribe?.();
    });

    return {
      snapshot,
      ready,
      error,
      status: computed(() => snapshot.value.status),
      signedIn: computed(() => snapshot.value.status === 'signedIn'),
      user: computed(() => snapshot.value.user),
      reason: computed(() => snapshot.value.reason),
      expiresAt: computed(() => snapshot.value.expiresAt),
      getClient: client,
      // The client's methods, each waiting for the client first.
      ...Object.fromEntries(ACTIONS.map((name) => [name, async (a, b) => (await client())[name](a, b)])),
    };
  });
}

// The client's options with the store's reset hook first and, with a
// router, navigation through it.
function clientConfig(pinia, router, resetStores, clientOptions) {
  // First of the client's onLogout hooks: reset every listed store, each on
  // its own (one failing does not stop the others).
  async function resetListed() {
    if (!resetStores) return;
    if (pinia) setActivePinia(pinia);
    const failures = [];
    for (const entry of resetStores()) {
      try {
        await resetOne(entry);
      } catch (e) {
        failures.push(e);
      }
    }
    if (failures.length === 1) throw failures[0];
    if (failures.length > 1) throw new AggregateError(failures, `${failures.length} store resets failed`);
  }

  const appHooks = clientOptions.onLogout;
  const onLogout =
    appHooks == null ? [resetListed]
    : typeof appHooks === 'function' ? [resetListed, appHooks]
    : Array.isArray(appHooks) ? [resetListed, ...appHooks]
    : appHooks; // not a hook: left for the client to refuse by name
  const config = { ...clientOptions, onLogout };
  if (router != null) config.navigate = (path) => router.push(path);
  return config;
}
