//! Endurance: 10,000 login/logout cycles with one client in one page. Every
//! cycle must be correct; the module's memory must stay within a fixed
//! bound; no event listener or timer may be left behind.
#![cfg(target_arch = "wasm32")]

use js_sys::{Function, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

mod common;
use common::*;

wasm_bindgen_test_configure!(run_in_browser);

const CYCLES: u32 = 10_000;
/// The module's linear memory may not grow past this (it starts near 1 MiB).
const MEMORY_BOUND: f64 = 4.0 * 1024.0 * 1024.0;

/// Counts live event listeners (added minus removed) and live timers (set,
/// neither fired nor cleared) on the page from now on.
fn watch_listeners_and_timers() {
    Function::new_no_args(
        "const live = window.__live = { listeners: 0, timers: new Set() };
         const add = EventTarget.prototype.addEventListener, remove = EventTarget.prototype.removeEventListener;
         EventTarget.prototype.addEventListener = function (...a) { live.listeners++; return add.apply(this, a); };
         EventTarget.prototype.removeEventListener = function (...a) { live.listeners--; return remove.apply(this, a); };
         const set = window.setTimeout, clear = window.clearTimeout;
         window.setTimeout = function (f, ms, ...rest) {
           const id = set.call(window, (...x) => { live.timers.delete(id); return f(...x); }, ms, ...rest);
           live.timers.add(id);
           return id;
         };
         window.clearTimeout = function (id) { live.timers.delete(id); return clear.call(window, id); };",
    )
    .call0(&JsValue::UNDEFINED)
    .expect("install");
}

fn live(key: &str) -> f64 {
    let live = get(&js_sys::global(), "__live");
    let v = get(&live, key);
    v.as_f64().unwrap_or_else(|| get(&v, "size").as_f64().expect("a count"))
}

fn memory_bytes() -> f64 {
    let memory = wasm_bindgen::memory();
    let buffer = Reflect::get(&memory, &"buffer".into()).expect("buffer");
    get(&buffer, "byteLength").as_f64().expect("byteLength")
}

#[wasm_bindgen_test]
async fn ten_thousand_login_logout_cycles() {
    fresh().await;
    watch_listeners_and_timers();
    let h = Harness::new();
    let client = h.client(API, &[("redirectTo", "/bye".into())]);
    let listeners_at_start = live("listeners");
    let memory_at_start = memory_bytes();
    let mut peak = memory_at_start;
    for cycle in 0..CYCLES {
        let snap = login(&client).await;
        assert_eq!(get(&snap, "status").as_string().as_deref(), Some("signedIn"), "cycle {cycle}");
        assert!(local().get_item("access_token").expect("read").is_some(), "cycle {cycle}");
        let result = settle(client.logout()).await.expect("logout never rejects");
        assert_eq!(get(&result, "server").as_string().as_deref(), Some("ok"), "cycle {cycle}");
        assert_eq!(client.get_access_token(), None, "cycle {cycle}");
        assert_eq!(local().get_item("access_token").expect("read"), None, "cycle {cycle}");
        assert_eq!(
            get(&client.get_snapshot(), "reason").as_string().as_deref(),
            Some("logout"),
            "cycle {cycle}"
        );
        if cycle % 1000 == 999 {
            peak = peak.max(memory_bytes());
            let log = h.log.replace(Vec::new());
            assert_eq!(log.len(), 3000, "two hooks and one navigation a cycle");
            assert!(log.chunks(3).all(|c| c == ["hookA", "hookC", "navigate:/bye"]), "cycle {cycle}");
        }
    }
    peak = peak.max(memory_bytes());
    web_sys::console::log_1(
        &format!(
            "endurance: {CYCLES} cycles; wasm memory {memory_at_start} B at start, {peak} B at peak (bound {MEMORY_BOUND} B); \
             listeners {listeners_at_start} -> {}; live timers {}",
            live("listeners"),
            live("timers")
        )
        .into(),
    );
    assert!(peak <= MEMORY_BOUND, "wasm memory grew to {peak} B");
    assert_eq!(live("listeners"), listeners_at_start, "no listener added by the cycles is left");
    assert_eq!(live("timers"), 0.0, "no timer left running");
    drop(client);
    assert_eq!(live("listeners"), 0.0, "a dropped client removes its listeners");
}
