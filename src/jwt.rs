//! Reading an access token's payload. The client never checks the signature
//! (it has no key); it reads `sub`, `email` and `exp` to describe the session
//! and to avoid sending a token that has expired.

use crate::effects::Parsers;
use crate::json::Json;

/// What the SDK uses from an access token's payload.
#[derive(Clone, Debug, PartialEq)]
pub struct Claims {
    /// The user id (`sub`): a number or a string, kept as given.
    pub sub: Option<Json>,
    pub email: Option<String>,
    /// Expiry, seconds since the epoch.
    pub exp: Option<f64>,
}

/// Tokens longer than this are not decoded (no real access token comes near).
const MAX_TOKEN_LEN: usize = 16 * 1024;

/// Decodes the payload (second segment) of a compact JWS. `None` when the
/// token is not three segments, or the payload not base64url of a JSON
/// object (split, decoded and read by the platform's parsers).
pub fn decode_claims(token: &str, parsers: &impl Parsers) -> Option<Claims> {
    if token.len() > MAX_TOKEN_LEN {
        return None;
    }
    let claims = parsers.claims(token)?;
    // JSON's 1e999 reads as infinity.
    Some(Claims { exp: claims.exp.filter(|n| n.is_finite()), ..claims })
}

/// Whether a token with these claims is expired at `now_ms`. A token
/// without a readable `exp` is treated as not expired (the server decides).
pub fn is_expired(claims: Option<&Claims>, now_ms: f64) -> bool {
    match claims.and_then(|c| c.exp) {
        Some(exp) => exp * 1000.0 <= now_ms,
        None => false,
    }
}

/// Unpadded (or padded) base64url: the native twin of the browser's
/// `atob` (see [`crate::effects::NativeParsers`]).
#[cfg(not(target_arch = "wasm32"))]
pub fn base64url_decode(input: &str) -> Option<Vec<u8>> {
    let trimmed = input.trim_end_matches('=');
    let mut out = Vec::with_capacity(trimmed.len() * 3 / 4);
    let mut acc: u32 = 0;
    let mut bits = 0u32;
    for b in trimmed.bytes() {
        let v = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'-' => 62,
            b'_' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    // A single leftover symbol (6 bits) cannot encode a byte.
    if bits >= 6 {
        return None;
    }
    Some(out)
}

#[cfg(all(test, not(target_arch = "wasm32")))]
pub(crate) fn base64url_encode(data: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |acc, (i, b)| acc | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(ABC[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

/// A token with the given JSON payload (signature is a placeholder).
#[cfg(all(test, not(target_arch = "wasm32")))]
pub(crate) fn make_token(payload: &str) -> String {
    let mut t = base64url_encode(br#"{"alg":"HS256","typ":"JWT"}"#);
    t.push('.');
    t.push_str(&base64url_encode(payload.as_bytes()));
    t.push_str(".c2ln");
    t
}

// The native tests read JSON and URLs with the native parsers.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::effects::NativeParsers;

    fn decode_claims(token: &str) -> Option<Claims> {
        super::decode_claims(token, &NativeParsers)
    }

    #[test]
    fn decodes_the_contract_payload() {
        let t = make_token(r#"{"sub":1,"email":"demo@sociapp.dev","iat":1700000000,"exp":1700000900}"#);
        let c = decode_claims(&t).expect("claims");
        assert_eq!(c.sub, Some(Json::Num(1.0)));
        assert_eq!(c.email.as_deref(), Some("demo@sociapp.dev"));
        assert_eq!(c.exp, Some(1_700_000_900.0));
        assert!(!is_expired(Some(&c), 1_700_000_899_000.0));
        assert!(is_expired(Some(&c), 1_700_000_900_000.0));
    }

    #[test]
    fn ignores_claims_of_the_wrong_type() {
        let t = make_token(r#"{"sub":[1],"email":5,"exp":"soon"}"#);
        assert_eq!(decode_claims(&t), Some(Claims { sub: None, email: None, exp: None }));
        assert!(!is_expired(decode_claims(&t).as_ref(), 1e15));
    }

    #[test]
    fn rejects_what_is_not_a_token() {
        for bad in ["", "a", "a.b", "a.b.c.d", "a.!!!.c", "a.e30.c.", "x.W10.y", "x.bnVsbA.y"] {
            assert_eq!(decode_claims(bad), None, "{bad}");
        }
        let huge = "a.".to_string() + &"A".repeat(MAX_TOKEN_LEN) + ".c";
        assert_eq!(decode_claims(&huge), None);
    }

    #[test]
    fn base64url_round_trips_every_length() {
        let data: Vec<u8> = (0..=255u8).collect();
        for n in 0..64 {
            let slice = &data[..n];
            assert_eq!(base64url_decode(&base64url_encode(slice)).as_deref(), Some(slice));
        }
        assert_eq!(base64url_decode("QQ=="), Some(b"A".to_vec()));
        assert_eq!(base64url_decode("Q"), None);
        assert_eq!(base64url_decode("Q+=="), None);
    }
}
