//! The token payload decoder and base64url under generated input: whatever
//! arrives in storage or from a server, they return, never panic. (JSON is
//! read by the platform's parser: `JSON.parse` in the browser, its native
//! twin here.)
#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use sociapp_auth::effects::NativeParsers;
use sociapp_auth::json::Json;
use sociapp_auth::jwt::{base64url_decode, is_expired};

fn decode_claims(token: &str) -> Option<sociapp_auth::jwt::Claims> {
    sociapp_auth::jwt::decode_claims(token, &NativeParsers)
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

fn b64(data: &[u8]) -> String {
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |acc, (i, b)| acc | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(B64[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

/// JSON-ish payloads: real claims with `exp` of every type, and near-misses.
fn payload() -> impl Strategy<Value = String> {
    let exp = prop_oneof![
        any::<i64>().prop_map(|n| n.to_string()),
        any::<f64>().prop_map(|f| format!("{f:e}")),
        "\"[a-z0-9]{0,12}\"",
        Just("null".to_owned()),
        Just("true".to_owned()),
        Just("[1]".to_owned()),
        Just("{\"a\":1}".to_owned()),
        Just("1e999".to_owned()),
        Just("-".to_owned()),
    ];
    let sub = prop_oneof![any::<u32>().prop_map(|n| n.to_string()), "\"[ -~]{0,8}\"", Just("{}".to_owned())];
    prop_oneof![
        (sub, exp, "[ -~]{0,16}").prop_map(|(s, e, mail)| format!(r#"{{"sub":{s},"email":{mail:?},"exp":{e}}}"#)),
        "[ -~]{0,64}",
        proptest::collection::vec(any::<u8>(), 0..96).prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
        (1usize..40).prop_map(|d| "[".repeat(d) + &"]".repeat(d)),
        (1usize..40).prop_map(|d| "{\"a\":".repeat(d)),
    ]
}

fn token() -> impl Strategy<Value = String> {
    prop_oneof![
        // Well-formed segments around generated payloads.
        payload().prop_map(|p| format!("eyJhbGciOiJIUzI1NiJ9.{}.c2ln", b64(p.as_bytes()))),
        // Raw bytes as the payload segment.
        proptest::collection::vec(any::<u8>(), 0..128).prop_map(|b| format!("h.{}.s", b64(&b))),
        // Anything at all.
        "\\PC{0,96}",
        "[A-Za-z0-9_.=+/-]{0,96}",
        // Long inputs, beyond the decoder's size bound.
        (0usize..3).prop_map(|n| format!("a.{}.c", "A".repeat(16 * 1024 + n))),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 60_000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn token_decoding_never_panics(t in token(), now in any::<f64>()) {
        let claims = decode_claims(&t);
        let _ = is_expired(claims.as_ref(), now);
        if let Some(c) = claims {
            prop_assert!(c.exp.is_none_or(f64::is_finite));
        }
    }

    #[test]
    fn base64_never_panics(s in "\\PC{0,128}", p in payload()) {
        let _ = base64url_decode(&s);
        let _ = base64url_decode(&p);
    }
}

#[test]
fn generated_claims_decode_as_written() {
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig { cases: 2_000, ..ProptestConfig::default() });
    runner
        .run(&(any::<u32>(), 0u32..4_000_000_000), |(sub, exp)| {
            let t = format!("h.{}.s", b64(format!(r#"{{"sub":{sub},"exp":{exp}}}"#).as_bytes()));
            let c = decode_claims(&t).expect("claims");
            prop_assert_eq!(c.sub, Some(Json::Num(f64::from(sub))));
            prop_assert_eq!(c.exp, Some(f64::from(exp)));
            Ok(())
        })
        .expect("all decode");
}
