// @auth0/auth0-spa-js: an Auth0Client and its logout. `new Auth0Client`
// makes no request (createAuth0Client would check the session).
import { Auth0Client } from '@auth0/auth0-spa-js';

export function create(api, site) {
  return new Auth0Client({
    domain: api,
    clientId: 'bench',
    authorizationParams: { redirect_uri: site },
  });
}

export function logout(client, site) {
  return client.logout({ logoutParams: { returnTo: site } });
}
