// A DOM for node:test, as a test setup file would install one: the window of
// a real jsdom or happy-dom instance, its properties made globals. Node's own
// globals stay (fetch, Request, Response, Headers, AbortSignal, URL,
// BroadcastChannel, …), as with global-jsdom and Vitest's environments, so the
// objects that meet in one request come from one implementation.
//
// Also the package folder the tests load (SOCIAPP_PKG_DIR, default pkg/), with
// its entries resolved through its package.json's "exports", as an app's
// import of "sociapp-auth/…" resolves them.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const PKG_DIR = resolve(ROOT, process.env.SOCIAPP_PKG_DIR ?? 'pkg');

/** The page the DOM pretends to be (the app), and the API's origin, another one. */
export const PAGE_URL = 'http://localhost:5173/';
export const API = 'http://localhost:3000';

/** The URL of the package's entry `name` ('.', './testing', …), read from its exports. */
export function entry(name) {
  const manifest = join(PKG_DIR, 'package.json');
  if (!existsSync(manifest)) throw new Error(`${manifest} is missing: build the package with 'make pkg' (or set SOCIAPP_PKG_DIR)`);
  const target = JSON.parse(readFileSync(manifest, 'utf8')).exports?.[name]?.default;
  if (!target) throw new Error(`${manifest} exports no "${name}"`);
  return pathToFileURL(join(PKG_DIR, target)).href;
}

// Names that start with a capital are classes and constructors: left unbound.
const isClassName = (key) => /^[A-Z]/.test(key);

/**
 * Makes each property of `window` that Node lacks a global (functions bound
 * to the window, as DOM methods called bare in a page are), and `window`
 * itself. Returns the function that removes them again.
 */
function install(window) {
  const added = [];
  const keys = new Set(['window', 'self', 'document', 'location', 'navigator', 'localStorage', 'sessionStorage']);
  for (let o = window; o && o !== Object.prototype; o = Object.getPrototypeOf(o)) {
    for (const key of Object.getOwnPropertyNames(o)) keys.add(key);
  }
  for (const key of keys) {
    if (key.startsWith('_') || key === 'constructor' || key in globalThis) continue;
    let value;
    try {
      value = window[key];
    } catch {
      continue;
    }
    if (value === undefined) continue;
    Object.defineProperty(globalThis, key, {
      configurable: true,
      enumerable: false,
      get: () => {
        const v = key === 'window' || key === 'self' ? window : window[key];
        return typeof v === 'function' && !isClassName(key) ? v.bind(window) : v;
      },
    });
    added.push(key);
  }
  return () => {
    for (const key of added) delete globalThis[key];
  };
}

/** A jsdom window on PAGE_URL as the globals; returns `{ window, close }`. */
export async function installJsdom() {
  const { JSDOM } = await import('jsdom');
  const dom = new JSDOM('<!doctype html><html><head></head><body></body></html>', { url: PAGE_URL, pretendToBeVisual: true });
  const remove = install(dom.window);
  return {
    window: dom.window,
    close() {
      remove();
      dom.window.close();
    },
  };
}

/** A happy-dom window on PAGE_URL as the globals; returns `{ window, close }`. */
export async function installHappyDom() {
  const { Window } = await import('happy-dom');
  const window = new Window({ url: PAGE_URL });
  const remove = install(window);
  return {
    window,
    async close() {
      remove();
      await window.happyDOM.close();
    },
  };
}
