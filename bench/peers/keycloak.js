// keycloak-js: a client and its logout. The constructor makes no request
// (init() would); the benchmark only constructs it.
import Keycloak from 'keycloak-js';

export function create(api) {
  return new Keycloak({ url: api, realm: 'bench', clientId: 'bench' });
}

export function logout(client) {
  return client.logout();
}
