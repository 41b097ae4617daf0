// @supabase/auth-js: a GoTrueClient and its logout. With nothing stored and
// detectSessionInUrl off, construction makes no request.
import { GoTrueClient } from '@supabase/auth-js';

export function create(api) {
  return new GoTrueClient({
    url: `${api}/auth/v1`,
    autoRefreshToken: false,
    persistSession: true,
    detectSessionInUrl: false,
  });
}

export function logout(client) {
  return client.signOut();
}
