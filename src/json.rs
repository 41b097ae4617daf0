//! A small, strict JSON reader for the few documents the SDK reads: token
//! payloads and the API's response bodies. It never panics: every malformed
//! input is `None`.

/// A parsed JSON value.
#[derive(Clone, Debug, PartialEq)]
pub enum Json {
    Null,
    Bool(bool),
    Num(f64),
    Str(String),
    Arr(Vec<Json>),
    Obj(Vec<(String, Json)>),
    /// A value no JSON text produces (a JavaScript function or symbol, met
    /// when reading options); the parser never returns it.
    Opaque,
}

/// Nesting deeper than this is rejected (bounds the recursion).
const MAX_DEPTH: u32 = 32;

impl Json {
    /// Parses a complete document; trailing non-space input is an error.
    pub fn parse(text: &str) -> Option<Json> {
        let mut p = Parser { s: text.as_bytes(), i: 0 };
        let v = p.value(0)?;
        p.ws();
        if p.i == p.s.len() {
            Some(v)
        } else {
            None
        }
    }

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

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn bump(&mut self) -> Option<u8> {
        let b = self.peek()?;
        self.i += 1;
        Some(b)
    }

    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.i += 1;
        }
    }

    fn eat(&mut self, lit: &[u8]) -> Option<()> {
        let end = self.i.checked_add(lit.len())?;
        if self.s.get(self.i..end)? == lit {
            self.i = end;
            Some(())
        } else {
            None
        }
    }

    fn value(&mut self, depth: u32) -> Option<Json> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.ws();
        match self.peek()? {
            b'n' => self.eat(b"null").map(|_| Json::Null),
            b't' => self.eat(b"true").map(|_| Json::Bool(true)),
            b'f' => self.eat(b"false").map(|_| Json::Bool(false)),
            b'"' => self.string().map(Json::Str),
            b'[' => {
                self.i += 1;
                let mut items = Vec::new();
                self.ws();
                if self.peek()? == b']' {
                    self.i += 1;
                    return Some(Json::Arr(items));
                }
                loop {
                    items.push(self.value(depth + 1)?);
                    self.ws();
                    match self.bump()? {
                        b',' => continue,
                        b']' => return Some(Json::Arr(items)),
                        _ => return None,
                    }
                }
            }
            b'{' => {
                self.i += 1;
                let mut members = Vec::new();
                self.ws();
                if self.peek()? == b'}' {
                    self.i += 1;
                    return Some(Json::Obj(members));
                }
                loop {
                    self.ws();
                    if self.peek()? != b'"' {
                        return None;
                    }
                    let key = self.string()?;
                    self.ws();
                    if self.bump()? != b':' {
                        return None;
                    }
                    let v = self.value(depth + 1)?;
                    members.push((key, v));
                    self.ws();
                    match self.bump()? {
                        b',' => continue,
                        b'}' => return Some(Json::Obj(members)),
                        _ => return None,
                    }
                }
            }
            b'-' | b'0'..=b'9' => self.number(),
            _ => None,
        }
    }

    /// Numbers are exact for integers up to 2^53 (timestamps, ids) and close
    /// otherwise; the SDK reads no other kind.
    fn number(&mut self) -> Option<Json> {
        let negative = self.peek() == Some(b'-');
        if negative {
            self.i += 1;
        }
        let mut mantissa = 0f64;
        let mut scale = 0i32;
        let digits = |p: &mut Self, mut each: Option<&mut dyn FnMut(u8)>| {
            let from = p.i;
            while let Some(d @ b'0'..=b'9') = p.peek() {
                if let Some(f) = each.as_mut() {
                    f(d - b'0');
                }
                p.i += 1;
            }
            p.i > from
        };
        if !digits(self, Some(&mut |d| mantissa = mantissa * 10.0 + f64::from(d))) {
            return None;
        }
        if self.peek() == Some(b'.') {
            self.i += 1;
            let mut add = |d: u8| {
                mantissa = mantissa * 10.0 + f64::from(d);
                scale = scale.saturating_sub(1);
            };
            if !digits(self, Some(&mut add)) {
                return None;
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.i += 1;
            let sign = match self.peek() {
                Some(b'-') => {
                    self.i += 1;
                    -1
                }
                Some(b'+') => {
                    self.i += 1;
                    1
                }
                _ => 1,
            };
            let mut exp = 0i32;
            if !digits(self, Some(&mut |d| exp = exp.saturating_mul(10).saturating_add(i32::from(d)))) {
                return None;
            }
            scale = scale.saturating_add(sign * exp);
        }
        let mut value = mantissa;
        // Whole powers of ten keep integers exact.
        let mut n = scale.clamp(-400, 400);
        while n > 0 {
            value *= 10.0;
            n -= 1;
        }
        while n < 0 {
            value /= 10.0;
            n += 1;
        }
        Some(Json::Num(if negative { -value } else { value }))
    }

    fn hex4(&mut self) -> Option<u32> {
        let mut n = 0u32;
        for _ in 0..4 {
            let d = char::from(self.bump()?).to_digit(16)?;
            n = n * 16 + d;
        }
        Some(n)
    }

    fn string(&mut self) -> Option<String> {
        self.i += 1; // opening quote
        let mut out = String::new();
        loop {
            let start = self.i;
            while let Some(b) = self.peek() {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.i += 1;
            }
            out.push_str(core::str::from_utf8(self.s.get(start..self.i)?).ok()?);
            match self.bump()? {
                b'"' => return Some(out),
                b'\\' => {
                    let c = match self.bump()? {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            let hi = self.hex4()?;
                            let code = if (0xD800..0xDC00).contains(&hi) {
                                self.eat(b"\\u")?;
                                let lo = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&lo) {
                                    return None;
                                }
                                0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                            } else {
                                hi
                            };
                            char::from_u32(code)?
                        }
                        _ => return None,
                    };
                    out.push(c);
                }
                _ => return None, // raw control character
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_objects_arrays_and_scalars() {
        let v = Json::parse(r#" {"a": [1, -2.5e1, true, false, null], "b": "x\"\u00e9\ud83d\ude00"} "#)
            .expect("valid");
        assert_eq!(
            v.get("a"),
            Some(&Json::Arr(vec![
                Json::Num(1.0),
                Json::Num(-25.0),
                Json::Bool(true),
                Json::Bool(false),
                Json::Null
            ]))
        );
        assert_eq!(v.get("b").and_then(Json::as_str), Some("x\"é😀"));
    }

    #[test]
    fn rejects_malformed_documents() {
        for bad in [
            "", "{", "{\"a\":}", "[1,]", "01x", "\"abc", "{\"a\" 1}", "tru", "1 2", "-", "1.", "1e",
            "\"\\x\"", "\"\\ud800\"", "{1:2}", "\"a\u{1}\"",
        ] {
            assert_eq!(Json::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn reads_numbers() {
        for (text, n) in [
            ("0", 0.0),
            ("-7", -7.0),
            ("1700000900", 1_700_000_900.0),
            ("9007199254740991", 9_007_199_254_740_991.0),
            ("2.5", 2.5),
            ("1e3", 1000.0),
            ("17e+8", 1_700_000_000.0),
            ("25E-1", 2.5),
        ] {
            assert_eq!(Json::parse(text), Some(Json::Num(n)), "{text}");
        }
        assert_eq!(Json::parse("1e999"), Some(Json::Num(f64::INFINITY)));
    }

    #[test]
    fn bounds_nesting() {
        let deep = "[".repeat(1000) + &"]".repeat(1000);
        assert_eq!(Json::parse(&deep), None);
        let ok = "[".repeat(20) + &"]".repeat(20);
        assert!(Json::parse(&ok).is_some());
    }

    #[test]
    fn writes_escaped_strings_that_parse_back() {
        let original = "a\"b\\c\n\u{1}é";
        let mut out = String::new();
        write_str(&mut out, original);
        assert_eq!(Json::parse(&out), Some(Json::Str(original.into())));
    }
}
