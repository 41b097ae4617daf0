//! JSON values as the SDK reads them: token payloads, the API's response
//! bodies (both parsed by the platform's parser, see
//! [`crate::effects::Parsers`]) and the options object. Also the one writer
//! the SDK needs, for the login body.

/// A JSON value.
#[derive(Clone, Debug, PartialEq)]
pub enum Json {
    Null,
    Bool(bool),
    Num(f64),
    Str(String),
    Arr(Vec<Json>),
    Obj(Vec<(String, Json)>),
    /// A value no JSON text produces (a JavaScript function or symbol, met
    /// when reading options); no JSON text gives it.
    Opaque,
}

impl Json {
    /// The member `key` of an object.
    pub fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Obj(members) => members.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Json::Num(n) => Some(*n),
            _ => None,
        }
    }
}

/// Appends `s` to `out` as a JSON string literal.
pub fn write_str(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                out.push_str("\\u00");
                out.push(hex_digit((c as u32) >> 4));
                out.push(hex_digit((c as u32) & 0xf));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

fn hex_digit(n: u32) -> char {
    char::from_digit(n, 16).unwrap_or('0')
}

// The native tests read JSON and URLs with the native parsers.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::effects::{NativeParsers, Parsers};

    #[test]
    fn writes_escaped_strings_that_parse_back() {
        let original = "a\"b\\c\n\u{1}\u{1f}é😀";
        let mut out = String::new();
        write_str(&mut out, original);
        assert_eq!(NativeParsers.json(&out), Some(Json::Str(original.into())));
    }

    #[test]
    fn members_are_found_by_key() {
        let v = NativeParsers.json(r#"{"a":[1,true,null],"b":"x"}"#).expect("valid");
        assert_eq!(v.get("b").and_then(Json::as_str), Some("x"));
        assert_eq!(v.get("a"), Some(&Json::Arr(vec![Json::Num(1.0), Json::Bool(true), Json::Null])));
        assert_eq!(v.get("c"), None);
        assert_eq!(Json::Num(2.0).get("a"), None);
    }
}
