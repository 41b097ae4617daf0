// Minimal use of the sociapp-auth package: plain ES modules, no bundler.
import { createAuthClient } from './pkg/index.js';

// The API runs on port 3000 of the same host (`make demo`); ?api=URL overrides it.
const baseUrl = new URLSearchParams(location.search).get('api') ?? `${location.protocol}//${location.hostname}:3000`;

const $ = (id) => document.getElementById(id);
const statusLine = $('status');
const logBox = $('log');
const buttons = [...document.querySelectorAll('button')];

function log(message) {
  const time = new Date().toLocaleTimeString();
  logBox.textContent = `${time}  ${message}\n${logBox.textContent}`;
}

function describe(error) {
  return error && error.code ? `${error.code}: ${error.message}` : String(error);
}

function showSnapshot(snapshot) {
  if (snapshot.status === 'signedIn') {
    const until = snapshot.expiresAt ? `, token valid until ${new Date(snapshot.expiresAt).toLocaleTimeString()}` : '';
    statusLine.textContent = `signed in as ${snapshot.user?.email ?? 'unknown user'}${until}`;
  } else {
    statusLine.textContent = snapshot.reason ? `signed out (${snapshot.reason})` : 'signed out';
  }
}

// Runs one action with the buttons disabled, logging its outcome.
async function run(action) {
  buttons.forEach((b) => { b.disabled = true; });
  try {
    await action();
  } catch (error) {
    log(`error ${describe(error)}`);
  } finally {
    buttons.forEach((b) => { b.disabled = false; });
  }
}

let auth;
try {
  auth = await createAuthClient({
    baseUrl,
    // A real app would route to its login page; the demo stays here and logs it.
    navigate: (path) => log(`navigate to ${path}`),
  });
} catch (error) {
  statusLine.textContent = 'failed to start';
  log(`createAuthClient failed: ${describe(error)}`);
  throw error;
}

showSnapshot(auth.getSnapshot());
auth.subscribe((snapshot) => {
  showSnapshot(snapshot);
  log(`snapshot: ${snapshot.status}${snapshot.reason ? ` (${snapshot.reason})` : ''}`);
});
log(`API at ${baseUrl}`);

$('login').addEventListener('submit', (event) => {
  event.preventDefault();
  const form = new FormData(event.currentTarget);
  run(async () => {
    await auth.login({ email: String(form.get('email')), password: String(form.get('password')) });
    log('logged in');
  });
});

$('me').addEventListener('click', () => run(async () => {
  const user = await auth.me();
  log(`me: ${JSON.stringify(user)}`);
}));

$('logout').addEventListener('click', () => run(async () => {
  const result = await auth.logout();
  const status = result.status === undefined ? '' : ` (HTTP ${result.status})`;
  const errors = result.errors.length ? `, local step errors: ${result.errors.map((e) => e.step).join(', ')}` : '';
  log(`logged out: server ${result.server}${status}${errors}`);
}));
