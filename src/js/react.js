// sociapp-auth/react: the session as React state. Needs react (a peer
// dependency, 18 or later); no router of its own: the client's `navigate`
// option takes the app's router (e.g. `(path) => router.navigate(path)`).
import { createContext, createElement, useContext, useMemo, useSyncExternalStore } from 'react';

const AuthContext = createContext(null);

/** Makes `client` the one `useAuth()` and `useAuthClient()` use below it. */
export function AuthProvider({ client, children }) {
  return createElement(AuthContext.Provider, { value: client }, children);
}

/** The client given, else the one of the nearest <AuthProvider>. */
export function useAuthClient(client) {
  const provided = useContext(AuthContext);
  const found = client ?? provided;
  if (found == null) {
    throw new Error('useAuth: no AuthClient: render <AuthProvider client={client}> above this component, or pass the client');
  }
  if (typeof found.then === 'function') {
    throw new Error('useAuth: got a promise: pass the AuthClient that createAuthClient() resolves to');
  }
  return found;
}

/**
 * The session (re-rendering when it changes, and only then) and its actions.
 * Built on useSyncExternalStore over the client's subscribe/getSnapshot.
 */
export function useAuth(client) {
  const auth = useAuthClient(client);
  const source = useMemo(
    () => ({
      subscribe: (onChange) => auth.subscribe(onChange),
      getSnapshot: () => auth.getSnapshot(),
      actions: {
        login: (credentials) => auth.login(credentials),
        logout: () => auth.logout(),
        fetch: (input, init) => auth.fetch(input, init),
        me: () => auth.me(),
      },
    }),
    [auth],
  );
  const snapshot = useSyncExternalStore(source.subscribe, source.getSnapshot, source.getSnapshot);
  return useMemo(
    () => ({
      client: auth,
      snapshot,
      status: snapshot.status,
      signedIn: snapshot.status === 'signedIn',
      user: snapshot.user,
      reason: snapshot.reason,
      expiresAt: snapshot.expiresAt,
      ...source.actions,
    }),
    [auth, snapshot, source],
  );
}
