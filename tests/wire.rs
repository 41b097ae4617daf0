//! The JS⇄wasm protocol is defined once, in `src/wire.rs`: this test reads
//! the JavaScript half (`index.js`, `host.js`, the adapters) and the
//! TypeScript declarations, and fails when one of them disagrees with it —
//! a call number, a debug event or its facts, a storage operation, a page
//! event, an answer or error code, the snapshot's fields, an option name.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::BTreeSet;

use sociapp_auth::error::AuthError;
use sociapp_auth::options::{KNOWN_KEYS, PATHS};
use sociapp_auth::wire::{self, CALLS, EVENTS, JS_ERROR_CODES, SNAPSHOT_FIELDS, TAB_MESSAGES};

fn source(path: &str) -> String {
    let full = format!("{}/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{full}: {e}"))
}

/// The text between `start` (which must occur) and the next `end` after it.
fn between<'a>(text: &'a str, start: &str, end: &str) -> &'a str {
    let from = text.find(start).unwrap_or_else(|| panic!("{start:?} not found")) + start.len();
    let len = text[from..].find(end).unwrap_or_else(|| panic!("{end:?} not found after {start:?}"));
    &text[from..from + len]
}

/// Every `'…'` string literal in `text`, in order.
fn quoted(text: &str, quote: char) -> Vec<String> {
    text.split(quote).skip(1).step_by(2).map(str::to_owned).collect()
}

fn set<I: IntoIterator<Item = S>, S: Into<String>>(items: I) -> BTreeSet<String> {
    items.into_iter().map(Into::into).collect()
}

/// The methods of `index.js`'s `AuthClient` that make a client call: name → number.
fn index_calls(index: &str) -> Vec<(String, u32)> {
    let mut out = Vec::new();
    for (i, _) in index.match_indices("this.#call(") {
        let number: String = index[i + "this.#call(".len()..].chars().take_while(char::is_ascii_digit).collect();
        if number.is_empty() {
            continue; // the definition of #call itself
        }
        // The method is the last `name(` that opens a line before the call.
        let head = &index[..i];
        let line = head.lines().rev().find(|l| l.starts_with("  ") && !l.starts_with("   ") && l.trim_end().ends_with('{'));
        let name: String = line.expect("a method").trim().chars().take_while(|c| c.is_alphanumeric()).collect();
        out.push((name, number.parse().expect("a number")));
    }
    out
}

#[test]
fn index_js_makes_each_call_by_its_number() {
    let index = source("src/js/index.js");
    let calls = index_calls(&index);
    for (name, number) in &calls {
        assert_eq!(CALLS.get(*number as usize), Some(&name.as_str()), "index.js: {name}() makes call {number}");
    }
    let methods: BTreeSet<&str> = calls.iter().map(|(n, _)| n.as_str()).collect();
    for (number, name) in CALLS.iter().enumerate() {
        match *name {
            "create" => assert!(index.contains(&format!("clientCall(0, {number}, options")), "index.js creates with {number}"),
            "free" => assert_eq!(index.matches(&format!("clientCall(at, {number})")).count(), 2, "index.js frees with {number}"),
            _ => assert!(methods.contains(name), "index.js: no method {name} making call {number}"),
        }
    }
    // The TypeScript declarations list every method.
    let dts = source("src/js/index.d.ts");
    for name in CALLS.iter().filter(|n| !matches!(**n, "create" | "free")) {
        assert!(dts.contains(&format!("  {name}(")), "index.d.ts declares no {name}()");
    }
}

#[test]
fn each_call_constant_is_its_name_s_number() {
    use wire::call::*;
    let named = [
        (LOGIN, "login"),
        (LOGOUT, "logout"),
        (FETCH, "fetch"),
        (ME, "me"),
        (GET_ACCESS_TOKEN, "getAccessToken"),
        (GET_SNAPSHOT, "getSnapshot"),
        (CREATE, "create"),
        (FREE, "free"),
        (REFRESH, "refresh"),
        (SET_SESSION, "setSession"),
        (REGISTER, "register"),
        (VERIFY_EMAIL, "verifyEmail"),
        (RESEND_CODE, "resendCode"),
    ];
    assert_eq!(named.len(), CALLS.len());
    // clientCall refuses any number above the last call's.
    assert_eq!(RESEND_CODE as usize, CALLS.len() - 1);
    for (number, name) in named {
        assert_eq!(CALLS.get(number as usize), Some(&name), "call::{name}");
    }
}

#[test]
fn host_js_names_the_debug_events_and_their_facts_as_the_module_numbers_them() {
    let host = source("src/js/host.js");
    let table = between(&host, "const EVENTS = [", "\n];");
    let rows: Vec<Vec<String>> = table.lines().filter(|l| l.trim().starts_with('[')).map(|l| quoted(l, '\'')).collect();
    let expected: Vec<Vec<String>> = EVENTS
        .iter()
        .map(|(name, facts)| std::iter::once(*name).chain(facts.iter().copied()).map(str::to_owned).collect())
        .collect();
    assert_eq!(rows, expected, "host.js EVENTS and wire::EVENTS");
}

#[test]
fn the_debug_event_type_declares_each_event_with_its_facts() {
    let types = source("src/js/types.rs");
    let union = between(&types, "export type DebugEvent =", "\n);");
    let mut declared = BTreeSet::new();
    for member in union.split("\n  | ").filter(|m| m.contains("type:")) {
        let body = member.split_once("type:").map_or("", |(_, rest)| rest);
        let names: Vec<String> = quoted(body.split([';', '}']).next().unwrap_or_default(), '\'');
        for name in names {
            let (_, facts) = EVENTS.iter().find(|(n, _)| *n == name).unwrap_or_else(|| panic!("DebugEvent declares {name}, the module has none"));
            for fact in *facts {
                assert!(body.contains(&format!("readonly {fact}")), "DebugEvent {name} lacks {fact}");
            }
            declared.insert(name);
        }
    }
    assert_eq!(declared, set(EVENTS.iter().map(|(n, _)| *n)), "every event declared");
}

#[test]
fn host_js_storage_page_events_answers_errors_and_promise_states_match() {
    let host = source("src/js/host.js");
    let store = between(&host, "export function store(area, op, key, value) {", "\n}");
    for (op, method) in [(wire::store::GET, "getItem"), (wire::store::SET, "setItem"), (wire::store::REMOVE, "removeItem")] {
        assert!(store.contains(&format!("op === {op} ? area.{method}(")), "store op {op} is {method}");
    }
    assert!(store.contains(": area.clear()") && wire::store::CLEAR == 3, "any other op clears");

    let storage = between(&host, "export function storage(kind) {", "\n}");
    assert!(storage.contains(&format!(
        "kind === {} ? local : kind === {} ? session : memory()",
        wire::token_storage::LOCAL,
        wire::token_storage::SESSION
    )));
    assert_eq!(wire::token_storage::MEMORY, 2);

    let events = between(&host, "function events(channel) {", "\n}");
    for (kind, listener) in [
        (wire::page_event::MESSAGE, "[channel, 'message', (e) => on(0, e.data)]"),
        (wire::page_event::STORAGE, "[window, 'storage', (e) => on(1, e.key, e.newValue)]"),
        (wire::page_event::ONLINE, "[window, 'online', () => on(2)]"),
        (wire::page_event::RESTORED, "[window, 'pageshow', (e) => e.persisted && on(3)]"),
    ] {
        assert!(events.contains(listener), "page event {kind}: {listener}");
        assert!(listener.contains(&format!("on({kind}")), "{listener} reports {kind}");
    }

    let no_answer = format!(".aborted ? {} : {};", wire::failure::TIMEOUT, wire::failure::NETWORK);
    assert_eq!(host.matches(&no_answer).count(), 2, "send and read: {no_answer}");
    assert!(between(&host, "export async function send(", "\n}").contains(&format!("return signal.aborted ? {} :", wire::failure::TIMEOUT)));

    let error = between(&host, "export function error(message, code, status, how) {", "\n}");
    assert!(error.contains(&format!("how === {} ? Promise.reject(e) : how ? [e] : e", wire::error_as::REJECTED)));
    assert_eq!((wire::error_as::VALUE, wire::error_as::IN_ARRAY), (0, 2));

    let watch = between(&host, "export function watch(promise) {", "\n}");
    assert!(watch.contains(&format!("then(done({}), done({}))", wire::promise_state::RESOLVED, wire::promise_state::REJECTED)));
    let state = between(&host, "export function state(w, id) {", "\n}");
    assert!(state.contains(&format!("return {};", wire::promise_state::PENDING)));
}

#[test]
fn the_snapshot_has_one_shape_everywhere() {
    let host = source("src/js/host.js");
    let snapshot = between(&host, "export function snapshot(", "\n}");
    let written: Vec<String> =
        between(snapshot, "Object.freeze({", "\n  });").lines().filter_map(|l| l.trim().split_once(':').map(|(k, _)| k.to_owned())).collect();
    assert_eq!(written, SNAPSHOT_FIELDS, "host.js snapshot()");
    for adapter in ["src/js/vue.js", "src/js/react.js"] {
        let text = source(adapter);
        let not_ready = between(&text, "const NOT_READY = Object.freeze({", "});");
        let keys: Vec<String> = not_ready.split(',').filter_map(|p| p.split_once(':').map(|(k, _)| k.trim().to_owned())).collect();
        assert_eq!(keys, SNAPSHOT_FIELDS, "{adapter} NOT_READY");
    }
    let types = source("src/js/types.rs");
    let declared: Vec<String> = between(&types, "export interface Snapshot {", "\n}")
        .lines()
        .filter_map(|l| l.trim().strip_prefix("readonly ").and_then(|r| r.split_once(':')).map(|(k, _)| k.to_owned()))
        .collect();
    assert_eq!(declared, SNAPSHOT_FIELDS, "the Snapshot type");
}

#[test]
fn the_adapters_offer_every_method_that_acts() {
    let acting: BTreeSet<String> =
        set(CALLS.iter().copied().filter(|n| !matches!(*n, "create" | "free" | "getAccessToken" | "getSnapshot")));
    for adapter in ["src/js/vue.js", "src/js/react.js"] {
        let text = source(adapter);
        let listed = set(quoted(between(&text, "const ACTIONS = [", "];"), '\''));
        assert_eq!(listed, acting, "{adapter} ACTIONS");
    }
    for dts in ["src/js/vue.d.ts", "src/js/react.d.ts"] {
        let text = source(dts);
        for name in &acting {
            assert!(text.contains(&format!("  {name}(")), "{dts} declares no {name}()");
        }
    }
}

/// Every AuthError the module can make (the match makes a new variant a
/// compile error here until it is listed).
fn every_error() -> Vec<AuthError> {
    let all = vec![
        AuthError::InvalidOption { field: String::new(), problem: "" },
        AuthError::InvalidArgument { field: "", problem: "" },
        AuthError::InvalidCredentials { message: String::new() },
        AuthError::InvalidRequest { message: String::new() },
        AuthError::RateLimited { message: String::new() },
        AuthError::Conflict { message: String::new() },
        AuthError::AlreadyVerified { message: String::new() },
        AuthError::Unauthorized { message: String::new() },
        AuthError::Server { status: 500, message: String::new() },
        AuthError::InvalidResponse { status: 200 },
        AuthError::Network,
        AuthError::Timeout,
        AuthError::NotSignedIn,
        AuthError::Superseded,
    ];
    for e in &all {
        match e {
            AuthError::InvalidOption { .. }
            | AuthError::InvalidArgument { .. }
            | AuthError::InvalidCredentials { .. }
            | AuthError::InvalidRequest { .. }
            | AuthError::RateLimited { .. }
            | AuthError::Conflict { .. }
            | AuthError::AlreadyVerified { .. }
            | AuthError::Unauthorized { .. }
            | AuthError::Server { .. }
            | AuthError::InvalidResponse { .. }
            | AuthError::Network
            | AuthError::Timeout
            | AuthError::NotSignedIn
            | AuthError::Superseded => {}
        }
    }
    all
}

#[test]
fn every_error_code_is_declared_and_made_by_one_side() {
    let module = set(every_error().iter().map(AuthError::code));
    let index = source("src/js/index.js");
    let thrown = set(index.match_indices("authError('").map(|(i, _)| between(&index[i..], "authError('", "'").to_owned()));
    assert_eq!(thrown, set(JS_ERROR_CODES), "the codes index.js throws");
    let types = source("src/js/types.rs");
    let declared = set(quoted(between(&types, "export type AuthErrorCode =", ";"), '\''));
    let made: BTreeSet<String> = module.union(&set(JS_ERROR_CODES)).cloned().collect();
    assert_eq!(declared, made, "AuthErrorCode and the codes made");
}

#[test]
fn the_option_names_are_declared() {
    let types = source("src/js/types.rs");
    let options = between(&types, "export interface AuthOptions {", "\n}");
    let declared: BTreeSet<String> = options
        .lines()
        .filter(|l| l.starts_with("  ") && !l.starts_with("   ") && !l.trim_start().starts_with('/') && !l.trim_start().starts_with('*'))
        .filter_map(|l| l.trim().split(['?', ':']).next().map(str::to_owned))
        .filter(|k| !k.is_empty() && k.chars().all(char::is_alphanumeric))
        .collect();
    assert_eq!(declared, set(KNOWN_KEYS), "AuthOptions and the option names createAuthClient knows");
    let paths = between(&types, "  paths?: {", "};");
    let names: BTreeSet<String> =
        paths.lines().filter_map(|l| l.trim().split_once("?:").map(|(k, _)| k.to_owned())).collect();
    assert_eq!(names, set(PATHS.iter().map(|(n, _)| *n)), "the paths option");
}

#[test]
fn tab_messages_are_the_module_s() {
    use sociapp_auth::effects::TabMessage;
    for name in TAB_MESSAGES {
        assert_eq!(TabMessage::parse(name).map(TabMessage::as_str), Some(name));
    }
    let host = source("src/js/host.js");
    // The storage fallback writes `<message>:<nonce>`; the module reads up to the colon.
    assert!(between(&host, "export function post(channel, key, message) {", "\n}").contains("`${message}:"));
}
