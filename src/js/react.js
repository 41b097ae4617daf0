// sociapp-auth/react: the session as React state. Needs react (a peer
// dependency, 18 or later); no router of its own: the client's `navigate`
// option takes the app's router (e.g. `(path) => router.push(path)`).
//
// Renders at once, on the server too: until the client is there (on the
// server, in the first render of a hydrating page, while the WebAssembly
// module loads), `useAuth()` reads signed out with `ready` false.
import { createContext, createElement, useContext, useEffect, useMemo, useState, useSyncExternalStore } from 'react';
import { createAuthClient } from './index.js';

const NOT_READY = Object.freeze({ status: 'signedOut', user: null, reason: null, expiresAt: null, renewal: null });
// The client's methods `useAuth()` returns, as stable functions.
const ACTIONS = ['login', 'logout', 'fetch', 'me', 'refresh', 'setSession', 'register', 'verifyEmail', 'resendCode'];
// What the server renders, and the first render of a hydrating page.
const LOADING = Object.freeze({ client: null, error: null, snapshot: NOT_READY, ready: false });
const serverState = () => LOADING;

const AuthContext = createContext(null);

function usageError(message) {
  const error = new Error(message);
  error.name = 'AuthError';
  error.code = 'invalid_option';
  return error;
}

// The state of one client, there or on its way: a small external store for
// useSyncExternalStore, and the actions, which wait for the client.
function clientSource() {
  let state = LOADING;
  let started = false;
  let settle;
  const listeners = new Set();
  const notify = () => listeners.forEach((listener) => listener());
  const found = new Promise((resolve, reject) => {
    settle = [resolve, reject];
  });
  found.catch(() => {}); // a failure is in `error`; the actions reject with it
  const client = () => (started || typeof window === 'object' ? found : createAuthClient());
  const src = {
    // Takes the client, or waits for the promise of one.
    follow(given) {
      if (started) return;
      started = true;
      const attach = (c) => {
        state = { client: c, error: null, snapshot: c.getSnapshot(), ready: true };
        c.subscribe(notify);
        settle[0](c);
        notify();
      };
      if (typeof given?.then !== 'function') return attach(given);
      given.then(attach, (e) => {
        state = { ...LOADING, error: e };
        settle[1](e);
        notify();
      });
    },
    // Creates the client from options, once (effects may run twice in development).
    create(options) {
      if (!started) src.follow(createAuthClient(options));
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    getSnapshot() {
      const current = state.client?.getSnapshot();
      if (current && current !== state.snapshot) state = { ...state, snapshot: current };
      return state;
    },
    // The client's methods, each waiting for the client first.
    actions: Object.fromEntries(ACTIONS.map((name) => [name, async (a, b) => (await client())[name](a, b)])),
  };
  return src;
}

// One source per client or promise, shared by every hook that names it.
const sources = new WeakMap();
function sourceOf(given) {
  let src = sources.get(given);
  if (!src) {
    src = clientSource();
    sources.set(given, src);
    src.follow(given);
  }
  return src;
}

/**
 * Gives the components below it their client: `client` (an AuthClient, or
 * the promise `createAuthClient()` returns), or `options`, from which it
 * creates the client itself, in the browser only, once. Renders its
 * children at once.
 */
export function AuthProvider({ client, options, children }) {
  if ((client == null) === (options == null)) {
    throw usageError('AuthProvider needs client (an AuthClient or the promise createAuthClient returns) or options, not both');
  }
  const [own] = useState(() => (client == null ? clientSource() : null));
  // Effects run in the browser only: the server never creates a client.
  useEffect(() => {
    if (own) own.create(options);
  }, [own]);
  return createElement(AuthContext.Provider, { value: own ?? sourceOf(client) }, children);
}

function useSource(client) {
  const provided = useContext(AuthContext);
  const src = client != null ? sourceOf(client) : provided;
  if (src == null) {
    throw new Error('useAuth: no client: render <AuthProvider client={…}> or <AuthProvider options={…}> above this component, or pass the client');
  }
  return src;
}

/** The client once it is there (else null): the one given, or the nearest <AuthProvider>'s. */
export function useAuthClient(client) {
  const src = useSource(client);
  return useSyncExternalStore(src.subscribe, src.getSnapshot, serverState).client;
}

/**
 * The session (re-rendering when it changes, and only then), whether the
 * client is ready, and the actions. Built on useSyncExternalStore, with a
 * constant server snapshot: a hydrating page renders what the server did.
 */
export function useAuth(client) {
  const src = useSource(client);
  const state = useSyncExternalStore(src.subscribe, src.getSnapshot, serverState);
  return useMemo(() => {
    const { snapshot } = state;
    return {
      client: state.client,
      ready: state.ready,
      error: state.error,
      snapshot,
      status: snapshot.status,
      signedIn: snapshot.status === 'signedIn',
      user: snapshot.user,
      reason: snapshot.reason,
      expiresAt: snapshot.expiresAt,
      ...src.actions,
    };
  }, [state, src]);
}
