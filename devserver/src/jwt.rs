//! HS256 JSON Web Tokens (RFC 7519 compact form), signed and checked with
//! HMAC-SHA256.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::{Map, Value};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// Encoded `{"alg":"HS256","typ":"JWT"}`.
const HEADER: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9";

/// Why a token was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JwtError {
    /// Not three base64url parts, not JSON, or not an HS256 token.
    Malformed,
    /// The signature does not match.
    BadSignature,
    /// `exp` is missing or not in the future.
    Expired,
}

/// Signs and verifies tokens with one shared secret.
#[derive(Clone)]
pub struct Hs256 {
    key: Vec<u8>,
}

impl Hs256 {
    pub fn new(secret: &[u8]) -> Self {
        Self {
            key: secret.to_vec(),
        }
    }

    fn mac(&self) -> HmacSha256 {
        // HMAC accepts keys of any length, so this cannot fail.
        match HmacSha256::new_from_slice(&self.key) {
            Ok(mac) => mac,
            Err(_) => unreachable!("HMAC takes keys of any length"),
        }
    }

    /// Signs an already serialised JSON payload.
    pub fn sign(&self, payload_json: &str) -> String {
        let signing_input = format!("{HEADER}.{}", URL_SAFE_NO_PAD.encode(payload_json));
        let mut mac = self.mac();
        mac.update(signing_input.as_bytes());
        let signature = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
        format!("{signing_input}.{signature}")
    }

    /// Checks the signature and `exp` (seconds since the epoch, compared with
    /// `now`) and returns the payload claims.
    pub fn verify(&self, token: &str, now: u64) -> Result<Map<String, Value>, JwtError> {
        let (signing_input, signature) = token.rsplit_once('.').ok_or(JwtError::Malformed)?;
        let (header, payload) = signing_input
            .split_once('.')
            .filter(|(_, payload)| !payload.contains('.'))
            .ok_or(JwtError::Malformed)?;
        let header: Value = decode_json(header)?;
        if header.get("alg").and_then(Value::as_str) != Some("HS256") {
            return Err(JwtError::Malformed);
        }
        let signature = URL_SAFE_NO_PAD
            .decode(signature)
            .map_err(|_| JwtError::Malformed)?;
        let mut mac = self.mac();
        mac.update(signing_input.as_bytes());
        mac.verify_slice(&signature)
            .map_err(|_| JwtError::BadSignature)?;
        let Value::Object(claims) = decode_json(payload)? else {
            return Err(JwtError::Malformed);
        };
        match claims.get("exp").and_then(Value::as_u64) {
            Some(exp) if exp > now => Ok(claims),
            _ => Err(JwtError::Expired),
        }
    }
}

fn decode_json(part: &str) -> Result<Value, JwtError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(part)
        .map_err(|_| JwtError::Malformed)?;
    serde_json::from_slice(&bytes).map_err(|_| JwtError::Malformed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_constant_matches_its_json() {
        assert_eq!(
            URL_SAFE_NO_PAD.decode(HEADER).unwrap(),
            br#"{"alg":"HS256","typ":"JWT"}"#
        );
    }

    #[test]
    fn known_vector() {
        // The well-known example token of RFC 7515 style tools, secret "your-256-bit-secret".
        let jwt = Hs256::new(b"your-256-bit-secret");
        let token = jwt.sign(r#"{"sub":"1234567890","name":"John Doe","iat":1516239022}"#);
        assert_eq!(
            token,
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
        );
    }

    #[test]
    fn round_trip_expiry_and_tampering() {
        let jwt = Hs256::new(b"secret");
        let token = jwt.sign(r#"{"sub":1,"exp":100}"#);
        assert_eq!(jwt.verify(&token, 99).unwrap()["sub"], 1);
        assert_eq!(jwt.verify(&token, 100), Err(JwtError::Expired));
        assert_eq!(
            Hs256::new(b"other").verify(&token, 0),
            Err(JwtError::BadSignature)
        );
        let forged = format!(
            "{HEADER}.{}.{}",
            URL_SAFE_NO_PAD.encode(r#"{"sub":2,"exp":100}"#),
            token.rsplit('.').next().unwrap()
        );
        assert_eq!(jwt.verify(&forged, 0), Err(JwtError::BadSignature));
        assert_eq!(jwt.verify("a.b", 0), Err(JwtError::Malformed));
        let none = format!(
            "{}.{}.",
            URL_SAFE_NO_PAD.encode(r#"{"alg":"none"}"#),
            URL_SAFE_NO_PAD.encode(r#"{"sub":1,"exp":100}"#)
        );
        assert_eq!(jwt.verify(&none, 0), Err(JwtError::Malformed));
    }
}
