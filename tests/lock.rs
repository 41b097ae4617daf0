//! The browser's refresh lock under the lock suite (`lock_suite/`), in real
//! browsers and real time: with Web Locks, and with the localStorage lock
//! that stands in where a page has none (not a secure context).
#![cfg(target_arch = "wasm32")]

use js_sys::Function;
use sociapp_auth::js::{run_in_module, BrowserLock};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

mod lock_suite;
use lock_suite::*;

wasm_bindgen_test_configure!(run_in_browser);

struct Browser;

impl Bench for Browser {
    type Lock = BrowserLock;
    fn tabs(&self) -> (BrowserLock, BrowserLock) {
        (BrowserLock, BrowserLock)
    }
    // Real time: what is awaited after this waits for it.
    async fn pass(&self, _ms: u32) {}
}

/// Runs a suite test on the module's executor (the browser lock's futures
/// are polled by it alone) and waits for it.
async fn module(test: impl core::future::Future<Output = ()> + 'static) {
    JsFuture::from(run_in_module(test)).await.expect("the test ran to its end");
}

fn run(script: &str) {
    Function::new_no_args(script).call0(&JsValue::UNDEFINED).expect("script");
}

/// Runs `test` without Web Locks (the page's `navigator.locks` hidden), then puts them back.
async fn without_web_locks<F: core::future::Future<Output = ()>>(test: F) {
    run("window.__locks = Object.getOwnPropertyDescriptor(Navigator.prototype, 'locks');
         Object.defineProperty(Navigator.prototype, 'locks', { get: () => undefined, configurable: true });");
    test.await;
    run("Object.defineProperty(Navigator.prototype, 'locks', window.__locks); localStorage.clear();");
}

#[wasm_bindgen_test]
async fn web_locks_one_holder_at_a_time() {
    module(one_holder_at_a_time(&Browser)).await;
}

#[wasm_bindgen_test]
async fn web_locks_a_waiter_gives_up_after_its_timeout() {
    module(a_waiter_gives_up_after_its_timeout(&Browser)).await;
}

#[wasm_bindgen_test]
async fn web_locks_a_holder_lets_go_after_its_timeout() {
    module(a_holder_lets_go_after_its_timeout(&Browser)).await;
}

#[wasm_bindgen_test]
async fn web_locks_names_are_independent() {
    module(names_are_independent(&Browser)).await;
}

#[wasm_bindgen_test]
async fn web_locks_turns_alternate() {
    module(turns_alternate(&Browser)).await;
}

#[wasm_bindgen_test]
async fn storage_lock_one_holder_at_a_time() {
    module(without_web_locks(one_holder_at_a_time(&Browser))).await;
}

#[wasm_bindgen_test]
async fn storage_lock_a_waiter_gives_up_after_its_timeout() {
    module(without_web_locks(a_waiter_gives_up_after_its_timeout(&Browser))).await;
}

#[wasm_bindgen_test]
async fn storage_lock_a_holder_lets_go_after_its_timeout() {
    module(without_web_locks(a_holder_lets_go_after_its_timeout(&Browser))).await;
}

#[wasm_bindgen_test]
async fn storage_lock_names_are_independent() {
    module(without_web_locks(names_are_independent(&Browser))).await;
}

#[wasm_bindgen_test]
async fn storage_lock_turns_alternate() {
    module(without_web_locks(turns_alternate(&Browser))).await;
}
