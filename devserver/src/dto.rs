//! Request bodies checked the way the public backend's NestJS
//! `ValidationPipe` (whitelist, forbidNonWhitelisted, transform with implicit
//! conversion) checks its DTOs. The error is the `message` of the 400
//! answer: a string for a JSON body that does not parse, otherwise the
//! class-validator messages (unknown properties first, then each property in
//! the DTO's order).

use axum::http::{header, HeaderMap};
use serde_json::{Map, Value};

use crate::accounts::{Profile, Registration};

/// The body as a JSON object. A JSON content type with a body that does not
/// parse is an error with a string message; any other content type (or a
/// JSON array) counts as an empty object, as in Express.
pub fn json_object(headers: &HeaderMap, body: &[u8]) -> Result<Map<String, Value>, Value> {
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .is_some_and(|v| v == "application/json" || v.ends_with("+json"));
    if !is_json || body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(obj)) => Ok(obj),
        Ok(Value::Array(_)) => Ok(Map::new()),
        Ok(_) => Err(Value::from("Request body must be a JSON object")),
        Err(e) => Err(Value::from(format!("Invalid JSON in request body: {e}"))),
    }
}

/// Validates a login body as `{ @IsEmail() email; @IsString() @IsNotEmpty() password }`.
pub fn validate_login(headers: &HeaderMap, body: &[u8]) -> Result<(String, String), Value> {
    let obj = json_object(headers, body)?;
    let mut messages: Vec<Value> = obj
        .keys()
        .filter(|k| *k != "email" && *k != "password")
        .map(|k| Value::from(format!("property {k} should not exist")))
        .collect();
    let email = obj
        .get("email")
        .and_then(Value::as_str)
        .filter(|e| looks_like_email(e));
    if email.is_none() {
        messages.push("email must be an email".into());
    }
    let password = obj.get("password");
    if !password.is_some_and(Value::is_string) {
        messages.push("password must be a string".into());
    }
    if password.is_none_or(|p| p.is_null() || p.as_str() == Some("")) {
        messages.push("password should not be empty".into());
    }
    match (email, password.and_then(Value::as_str)) {
        (Some(email), Some(password)) if messages.is_empty() => {
            Ok((email.to_owned(), password.to_owned()))
        }
        _ => Err(Value::Array(messages)),
    }
}

/// A plain `local@domain.tld` check, close enough to `IsEmail` for a dev server.
pub fn looks_like_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    let labels_ok = domain.split('.').count() >= 2
        && domain.split('.').all(|l| {
            !l.is_empty()
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_alphanumeric() || c == '-')
        });
    !local.is_empty()
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && !local
            .contains(|c: char| c.is_whitespace() || c.is_control() || "@<>()[]\\,;:\"".contains(c))
        && labels_ok
}

/// Collects the messages of one DTO's checks.
struct Checks<'a> {
    obj: &'a Map<String, Value>,
    messages: Vec<Value>,
}

impl<'a> Checks<'a> {
    /// Starts with "property X should not exist" for every property not in `allowed`.
    fn new(obj: &'a Map<String, Value>, allowed: &[&str]) -> Self {
        let messages = obj
            .keys()
            .filter(|k| !allowed.contains(&k.as_str()))
            .map(|k| Value::from(format!("property {k} should not exist")))
            .collect();
        Self { obj, messages }
    }

    fn fail(&mut self, message: String) {
        self.messages.push(Value::from(message));
    }

    /// `@IsString()`.
    fn string(&mut self, key: &str) -> String {
        match self.obj.get(key) {
            Some(Value::String(s)) => s.clone(),
            _ => {
                self.fail(format!("{key} must be a string"));
                String::new()
            }
        }
    }

    /// `@IsEmail()`.
    fn email(&mut self, key: &str) -> String {
        match self.obj.get(key) {
            Some(Value::String(s)) if looks_like_email(s) => s.clone(),
            _ => {
                self.fail(format!("{key} must be an email"));
                String::new()
            }
        }
    }

    /// `@IsDateString()`, with `@IsOptional()` when `optional` (absent or
    /// null is then `None`). The value is kept as a date column keeps it:
    /// the date of a `YYYY-MM-DD…` string, otherwise the string as sent.
    fn date(&mut self, key: &str, optional: bool) -> Option<String> {
        match self.obj.get(key) {
            None | Some(Value::Null) if optional => None,
            Some(Value::String(s)) if is_iso8601(s) => Some(date_part(s).to_owned()),
            _ => {
                self.fail(format!("{key} must be a valid ISO 8601 date string"));
                None
            }
        }
    }

    /// `@Type(() => Number) @IsNumber()`: the value goes through
    /// JavaScript's `Number()` first, so `"25"` is 25 and `true` is 1.
    fn number(&mut self, key: &str) -> f64 {
        let n = match self.obj.get(key) {
            Some(Value::Number(n)) => n.as_f64(),
            Some(Value::String(s)) => js_number(s),
            Some(Value::Bool(b)) => Some(f64::from(u8::from(*b))),
            _ => None,
        };
        match n.filter(|n| n.is_finite()) {
            Some(n) => n,
            None => {
                self.fail(format!(
                    "{key} must be a number conforming to the specified constraints"
                ));
                0.0
            }
        }
    }

    /// `@IsEnum([...])` after the DTO's transform of the numbers 0 and 1.
    fn socio(&mut self, key: &str) -> String {
        let value = match self.obj.get(key) {
            Some(Value::String(s)) if s == "Socio" || s == "NoSocio" => Some(s.as_str()),
            Some(Value::Number(n)) if n.as_f64() == Some(0.0) => Some("NoSocio"),
            Some(Value::Number(n)) if n.as_f64() == Some(1.0) => Some("Socio"),
            _ => None,
        };
        match value {
            Some(v) => v.to_owned(),
            None => {
                self.fail(format!(
                    "{key} must be one of the following values: Socio, NoSocio"
                ));
                String::new()
            }
        }
    }

    /// `@IsString() @Length(min, max)`: class-validator reports the length
    /// first (its decorator is the one applied first).
    fn string_of_length(&mut self, key: &str, min: usize, max: usize) -> String {
        let value = self.obj.get(key);
        let length_message = match value {
            Some(Value::String(s)) => {
                let n = s.chars().count();
                (n < min || n > max).then(|| {
                    if n < min {
                        format!("{key} must be longer than or equal to {min} characters")
                    } else {
                        format!("{key} must be shorter than or equal to {max} characters")
                    }
                })
            }
            // class-validator's message for a value that is not a string.
            None | Some(Value::Null | Value::Bool(false)) => Some(format!(
                "{key} must be longer than or equal to {min} characters"
            )),
            Some(Value::Number(n)) if n.as_f64() == Some(0.0) => Some(format!(
                "{key} must be longer than or equal to {min} characters"
            )),
            Some(Value::Array(a)) if a.len() < min => Some(format!(
                "{key} must be longer than or equal to {min} characters"
            )),
            Some(Value::Array(a)) if a.len() > max => Some(format!(
                "{key} must be shorter than or equal to {max} characters"
            )),
            Some(_) => Some(format!(
                "{key} must be longer than or equal to {min} and shorter than or equal to {max} characters"
            )),
        };
        if let Some(message) = length_message {
            self.fail(message);
        }
        self.string(key)
    }

    fn finish<T>(self, value: T) -> Result<T, Value> {
        if self.messages.is_empty() {
            Ok(value)
        } else {
            Err(Value::Array(self.messages))
        }
    }
}

const REGISTER_FIELDS: [&str; 17] = [
    "nombre",
    "apellidos",
    "password",
    "dni",
    "direccion",
    "CP",
    "provincia",
    "poblacion",
    "pais",
    "email",
    "telefono",
    "fechaalta",
    "fechabaja",
    "formadepago",
    "cuota",
    "categoria",
    "socio",
];

/// Validates a `POST /auth/register` body (the public backend's `RegisterDto`).
pub fn validate_register(headers: &HeaderMap, body: &[u8]) -> Result<Registration, Value> {
    let obj = json_object(headers, body)?;
    let mut c = Checks::new(&obj, &REGISTER_FIELDS);
    let nombre = c.string("nombre");
    let apellidos = c.string("apellidos");
    let password = c.string("password");
    let dni = c.string("dni");
    let direccion = c.string("direccion");
    let cp = c.string("CP");
    let provincia = c.string("provincia");
    let poblacion = c.string("poblacion");
    let pais = c.string("pais");
    let email = c.email("email");
    let telefono = c.string("telefono");
    let fechaalta = c.date("fechaalta", false).unwrap_or_default();
    let fechabaja = c.date("fechabaja", true);
    let formadepago = c.string("formadepago");
    let cuota = decimal_text(c.number("cuota"));
    let categoria = c.string("categoria");
    let socio = c.socio("socio");
    c.finish(Registration {
        email,
        password,
        profile: Profile {
            nombre,
            apellidos,
            dni,
            direccion,
            cp,
            provincia,
            poblacion,
            pais,
            telefono,
            fechaalta,
            fechabaja,
            formadepago,
            cuota,
            categoria,
            socio,
        },
    })
}

/// Validates a `POST /auth/verify-email` body: `{ @IsEmail() email; @IsString() @Length(6, 6) code }`.
pub fn validate_verify(headers: &HeaderMap, body: &[u8]) -> Result<(String, String), Value> {
    let obj = json_object(headers, body)?;
    let mut c = Checks::new(&obj, &["email", "code"]);
    let email = c.email("email");
    let code = c.string_of_length("code", 6, 6);
    c.finish((email, code))
}

/// Validates a `POST /auth/resend-code` body: `{ @IsEmail() email }`.
pub fn validate_resend(headers: &HeaderMap, body: &[u8]) -> Result<String, Value> {
    let obj = json_object(headers, body)?;
    let mut c = Checks::new(&obj, &["email"]);
    let email = c.email("email");
    c.finish(email)
}

/// JavaScript's `Number(string)`: surrounding white space ignored, empty is
/// 0, `0x`/`0o`/`0b` integers, decimal literals; `None` for NaN. Infinity
/// comes back as such (and is then refused by `@IsNumber()`).
fn js_number(s: &str) -> Option<f64> {
    let t = s.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
    if t.is_empty() {
        return Some(0.0);
    }
    for (prefix, radix) in [("0x", 16), ("0o", 8), ("0b", 2)] {
        if let Some(digits) = t
            .get(..2)
            .filter(|p| p.eq_ignore_ascii_case(prefix))
            .map(|_| &t[2..])
        {
            if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
                return None;
            }
            return Some(
                digits
                    .chars()
                    .filter_map(|c| c.to_digit(radix))
                    .fold(0.0, |n, d| n * f64::from(radix) + f64::from(d)),
            );
        }
    }
    let unsigned = t.strip_prefix(['+', '-']).unwrap_or(t);
    if unsigned == "Infinity" {
        return Some(if t.starts_with('-') {
            f64::NEG_INFINITY
        } else {
            f64::INFINITY
        });
    }
    if !unsigned
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-'))
    {
        return None;
    }
    t.parse().ok()
}

/// A number as the decimal column answers it: `25` → `"25"`, `12.5` → `"12.5"`.
fn decimal_text(n: f64) -> String {
    if n == 0.0 {
        "0".to_owned()
    } else {
        n.to_string()
    }
}

/// The `YYYY-MM-DD` a date column keeps of a calendar date (or date-time).
fn date_part(s: &str) -> &str {
    match s.get(..10) {
        Some(d)
            if d.bytes().enumerate().all(|(i, b)| {
                if i == 4 || i == 7 {
                    b == b'-'
                } else {
                    b.is_ascii_digit()
                }
            }) =>
        {
            d
        }
        _ => s,
    }
}

/// `IsDateString()`: validator.js's `isISO8601` (not strict), that is the
/// expression
/// `^([+-]?\d{4}(?!\d{2}\b))((-?)((0[1-9]|1[0-2])(\3([12]\d|0[1-9]|3[01]))?|W([0-4]\d|5[0-3])(-?[1-7])?|(00[1-9]|0[1-9]\d|[12]\d{2}|3([0-5]\d|6[1-6])))([T\s]((([01]\d|2[0-3])((:?)[0-5]\d)?|24:?00)([.,]\d+(?!:))?)?(\17[0-5]\d([.,]\d+)?)?([zZ]|([+-])([01]\d|2[0-3]):?([0-5]\d)?)?)?)?$`,
/// matched by trying every way each part can match (as the regular
/// expression engine backtracks).
pub fn is_iso8601(s: &str) -> bool {
    let Some(rest) = year(s) else {
        return false;
    };
    rest.is_empty() || date_rest(rest).into_iter().any(|r| r.is_empty())
}

/// `[+-]?\d{4}(?!\d{2}\b)`.
fn year(s: &str) -> Option<&str> {
    let s = s.strip_prefix(['+', '-']).unwrap_or(s);
    let rest = digits(s, 4)?;
    let two_more = rest.len() >= 2 && rest.as_bytes()[..2].iter().all(u8::is_ascii_digit);
    let boundary = rest
        .as_bytes()
        .get(2)
        .is_none_or(|b| !(b.is_ascii_alphanumeric() || *b == b'_'));
    (!(two_more && boundary)).then_some(rest)
}

/// Exactly `n` ASCII digits at the start.
fn digits(s: &str, n: usize) -> Option<&str> {
    let head = s.get(..n)?;
    head.bytes().all(|b| b.is_ascii_digit()).then(|| &s[n..])
}

/// Two digits between `lo` and `hi`.
fn two_digits(s: &str, lo: u32, hi: u32) -> Option<&str> {
    let rest = digits(s, 2)?;
    let n: u32 = s[..2].parse().ok()?;
    (lo..=hi).contains(&n).then_some(rest)
}

/// Everything after the year: the optional separator, a month (and day),
/// week (and weekday) or ordinal day, then the optional time. Returns every
/// possible remainder.
fn date_rest(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    for sep in ["-", ""] {
        let Some(s) = s.strip_prefix(sep) else {
            continue;
        };
        let mut dates = Vec::new();
        if let Some(after_month) = two_digits(s, 1, 12) {
            dates.push(after_month);
            if let Some(after_day) = after_month
                .strip_prefix(sep)
                .and_then(|r| two_digits(r, 1, 31))
            {
                dates.push(after_day);
            }
        }
        if let Some(after_week) = s.strip_prefix('W').and_then(|r| two_digits(r, 0, 53)) {
            dates.push(after_week);
            for day_sep in ["-", ""] {
                if let Some(r) = after_week.strip_prefix(day_sep) {
                    if r.starts_with(|c: char| ('1'..='7').contains(&c)) {
                        dates.push(&r[1..]);
                    }
                }
            }
        }
        if let Some(rest) = digits(s, 3) {
            if (1..=366).contains(&s[..3].parse::<u32>().unwrap_or(0)) {
                dates.push(rest);
            }
        }
        for d in dates {
            out.push(d);
            out.extend(time(d));
        }
    }
    out
}

/// `[T\s]` then the optional hours (and minutes, fraction), seconds and zone.
fn time(s: &str) -> Vec<&str> {
    let Some(c) = s.chars().next().filter(|c| *c == 'T' || is_js_space(*c)) else {
        return Vec::new();
    };
    let s = &s[c.len_utf8()..];
    // (rest, the separator after the hour, `None` when that group took no part)
    let mut clocks: Vec<(&str, Option<&str>)> = vec![(s, None)];
    if let Some(after_hour) = two_digits(s, 0, 23) {
        clocks.push((after_hour, None));
        for sep in [":", ""] {
            if let Some(r) = after_hour
                .strip_prefix(sep)
                .and_then(|r| two_digits(r, 0, 59))
            {
                clocks.push((r, Some(sep)));
            }
        }
    }
    for sep in [":", ""] {
        if let Some(r) = s
            .strip_prefix("24")
            .and_then(|r| r.strip_prefix(sep))
            .and_then(|r| r.strip_prefix("00"))
        {
            clocks.push((r, None));
        }
    }
    let mut with_fraction = Vec::new();
    for (i, (r, sep)) in clocks.iter().enumerate() {
        with_fraction.push((*r, *sep));
        // The fraction belongs to the hour group, which the first entry skipped.
        if i > 0 {
            for f in fractions(r) {
                if !f.starts_with(':') {
                    with_fraction.push((f, *sep));
                }
            }
        }
    }
    let mut with_seconds = Vec::new();
    for (r, sep) in with_fraction {
        with_seconds.push(r);
        if let Some(after) = r
            .strip_prefix(sep.unwrap_or(""))
            .and_then(|r| two_digits(r, 0, 59))
        {
            with_seconds.push(after);
            with_seconds.extend(fractions(after));
        }
    }
    let mut out = Vec::new();
    for r in with_seconds {
        out.push(r);
        if let Some(z) = r.strip_prefix(['z', 'Z']) {
            out.push(z);
        }
        if let Some(h) = r
            .strip_prefix(['+', '-'])
            .and_then(|r| two_digits(r, 0, 23))
        {
            for sep in [":", ""] {
                if let Some(m) = h.strip_prefix(sep) {
                    if sep.is_empty() {
                        out.push(h);
                    }
                    if let Some(after) = two_digits(m, 0, 59) {
                        out.push(after);
                    }
                }
            }
            if let Some(colon) = h.strip_prefix(':') {
                out.push(colon);
            }
        }
    }
    out
}

/// `[.,]\d+`: every possible remainder.
fn fractions(s: &str) -> Vec<&str> {
    let Some(r) = s.strip_prefix(['.', ',']) else {
        return Vec::new();
    };
    let n = r.bytes().take_while(u8::is_ascii_digit).count();
    (1..=n).map(|k| &r[k..]).collect()
}

/// JavaScript's `\s`.
fn is_js_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{feff}'
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn messages(body: &str, content_type: &str) -> Value {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_str(content_type).unwrap(),
        );
        match validate_login(&headers, body.as_bytes()) {
            Ok(creds) => panic!("accepted {creds:?}"),
            Err(message) => message,
        }
    }

    #[test]
    fn login_validation_messages() {
        let j = "application/json";
        assert_eq!(
            messages("{}", j),
            serde_json::json!([
                "email must be an email",
                "password must be a string",
                "password should not be empty"
            ])
        );
        assert_eq!(
            messages(r#"{"email":"demo@sociapp.dev","password":"x","foo":1}"#, j),
            serde_json::json!(["property foo should not exist"])
        );
        assert_eq!(
            messages(r#"{"email":"nope","password":""}"#, j),
            serde_json::json!(["email must be an email", "password should not be empty"])
        );
        assert_eq!(
            messages(r#"{"email":"a@b.co","password":5}"#, j),
            serde_json::json!(["password must be a string"])
        );
        assert!(messages("{\"email\":", j).is_string());
        assert!(messages("not json", j).is_string());
        assert!(messages(r#"{"email":"a@b.co","password":"x"}"#, "text/plain").is_array());
    }

    #[test]
    fn emails() {
        for ok in ["demo@sociapp.dev", "a.b+c@x-y.example.org"] {
            assert!(looks_like_email(ok), "{ok}");
        }
        for bad in [
            "", "a", "a@", "@b.c", "a@b", "a b@c.d", "a@b..c", "a@@b.c", "a@-b.c",
        ] {
            assert!(!looks_like_email(bad), "{bad}");
        }
    }

    fn json_headers() -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        headers
    }

    #[test]
    fn iso8601_dates() {
        for ok in [
            "2026",
            "2026-01",
            "2026-01-31",
            "20260131",
            "+2026-01-31",
            "2026-02-31",
            "2026-W05",
            "2026-W05-3",
            "2026W053",
            "2026-032",
            "2026-366",
            "2026-01-31T10:00",
            "2026-01-31T10:00:00Z",
            "2026-01-31T10:00:00.123Z",
            "2026-01-31T10:00:00.123+01:00",
            "2026-01-31T10:00:00-0500",
            "2026-01-31T10:00:00+01",
            "2026-01-31 10:00:00",
            "2026-01-31T1000",
            "2026-01-31T10",
            "2026-01-31T10.5",
            "2026-01-31T24:00",
            "2026-01-31T",
        ] {
            assert!(is_iso8601(ok), "{ok}");
        }
        for bad in [
            "",
            "26-01-01",
            "202601",
            "2026-13-01",
            "2026-00-01",
            "2026-01-32",
            "2026-01-1",
            "2026/01/01",
            "2026-01-01T25:00",
            "2026-01-01T10:60",
            "2026-367",
            "2026-W54",
            "2026-01-01x",
            "01/31/2026",
            "2026-01-01T10:00:00+24:00",
            "tomorrow",
        ] {
            assert!(!is_iso8601(bad), "{bad}");
        }
    }

    #[test]
    fn numbers_as_javascript_converts_them() {
        for (s, n) in [
            ("25", 25.0),
            (" 12.5 ", 12.5),
            ("", 0.0),
            ("1e3", 1000.0),
            ("-4", -4.0),
            ("0x1F", 31.0),
            (".5", 0.5),
        ] {
            assert_eq!(js_number(s), Some(n), "{s:?}");
        }
        for s in ["abc", "1,5", "0x", "12px", "inf", "NaN", "1_0"] {
            assert_eq!(js_number(s), None, "{s:?}");
        }
        assert_eq!(js_number("-Infinity"), Some(f64::NEG_INFINITY));
        assert_eq!(decimal_text(25.0), "25");
        assert_eq!(decimal_text(12.5), "12.5");
        assert_eq!(decimal_text(-0.0), "0");
    }

    #[test]
    fn verify_and_resend_messages() {
        let h = json_headers();
        let verify = |body: &str| validate_verify(&h, body.as_bytes());
        assert_eq!(
            verify(r#"{"email":"a@b.co","code":"123456"}"#),
            Ok(("a@b.co".to_owned(), "123456".to_owned()))
        );
        assert_eq!(
            verify("{}"),
            Err(serde_json::json!([
                "email must be an email",
                "code must be longer than or equal to 6 characters",
                "code must be a string"
            ]))
        );
        assert_eq!(
            verify(r#"{"email":"a@b.co","code":"1234567","x":1}"#),
            Err(serde_json::json!([
                "property x should not exist",
                "code must be shorter than or equal to 6 characters"
            ]))
        );
        assert_eq!(
            verify(r#"{"email":"a@b.co","code":123456}"#),
            Err(serde_json::json!([
                "code must be longer than or equal to 6 and shorter than or equal to 6 characters",
                "code must be a string"
            ]))
        );
        assert_eq!(
            validate_resend(&h, br#"{"email":"x"}"#),
            Err(serde_json::json!(["email must be an email"]))
        );
        assert!(validate_resend(&h, b"{").is_err_and(|m| m.is_string()));
    }

    #[test]
    fn register_fields() {
        let h = json_headers();
        let body = serde_json::json!({
            "nombre": "Ana", "apellidos": "López", "password": "pw", "dni": "1X",
            "direccion": "C/ Sol 2", "CP": "28001", "provincia": "Madrid",
            "poblacion": "Madrid", "pais": "España", "email": "ana@x.dev",
            "telefono": "600", "fechaalta": "2026-02-03T10:00:00Z",
            "formadepago": "Efectivo", "cuota": "12.5", "categoria": "Socio", "socio": 1
        });
        let r = validate_register(&h, body.to_string().as_bytes()).unwrap();
        assert_eq!(r.email, "ana@x.dev");
        assert_eq!(r.profile.fechaalta, "2026-02-03");
        assert_eq!(r.profile.fechabaja, None);
        assert_eq!(r.profile.cuota, "12.5");
        assert_eq!(r.profile.socio, "Socio");
        let messages = validate_register(&h, b"{}").unwrap_err();
        assert_eq!(messages.as_array().map(Vec::len), Some(16), "{messages}");
    }
}
