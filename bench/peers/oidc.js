// oidc-client-ts: a UserManager and its logout. The constructor makes no
// request (the discovery document is fetched on first use).
import { UserManager } from 'oidc-client-ts';

export function create(api, site) {
  return new UserManager({
    authority: api,
    client_id: 'bench',
    redirect_uri: `${site}/callback`,
    post_logout_redirect_uri: `${site}/`,
  });
}

export function logout(client) {
  return client.signoutRedirect();
}
