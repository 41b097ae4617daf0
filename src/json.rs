//! JSON values as the SDK reads them: token payloads, the API's response
//! bodies (both parsed by the platform's parser, see
//! [`crate::effects::Parsers`]) and the options object.

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

// The native tests read JSON and URLs with the native parsers.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::effects::NativeParsers;

    #[test]
    fn members_are_found_by_key() {
        let v = NativeParsers.json(r#"{"a":[1,true,null],"b":"x"}"#).expect("valid");
        assert_eq!(v.get("b").and_then(Json::as_str), Some("x"));
        assert_eq!(v.get("a"), Some(&Json::Arr(vec![Json::Num(1.0), Json::Bool(true), Json::Null])));
        assert_eq!(v.get("c"), None);
        assert_eq!(Json::Num(2.0).get("a"), None);
    }
}
