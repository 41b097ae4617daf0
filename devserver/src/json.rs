//! Small helpers for JSON bodies whose key order is fixed (the NestJS error
//! shape and the user object read best in a stable order).

use axum::body::Body;
use axum::http::{header, HeaderValue, Response, StatusCode};
use serde_json::Value;

/// Serialises `fields` as a JSON object, keeping the given key order.
pub fn object(fields: &[(&str, Value)]) -> String {
    let mut out = String::from("{");
    for (i, (key, value)) in fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&Value::from(*key).to_string());
        out.push(':');
        out.push_str(&value.to_string());
    }
    out.push('}');
    out
}

/// A response with a JSON body and the content type Express sends.
pub fn response(status: StatusCode, body: String) -> Response<Body> {
    let mut res = Response::new(Body::from(body));
    *res.status_mut() = status;
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    res
}

/// `{"statusCode":N,"message":M,"error":E}` as NestJS sends it; `error` is
/// left out when `None` (e.g. guards answer `{"statusCode":401,"message":"Unauthorized"}`).
pub fn nest_error(status: StatusCode, message: Value, error: Option<&str>) -> Response<Body> {
    let mut fields = vec![
        ("statusCode", Value::from(status.as_u16())),
        ("message", message),
    ];
    if let Some(error) = error {
        fields.push(("error", Value::from(error)));
    }
    response(status, object(&fields))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_keeps_order_and_escapes() {
        let s = object(&[
            ("statusCode", Value::from(401)),
            ("message", Value::from("a \"b\"")),
            ("z", Value::Null),
        ]);
        assert_eq!(s, r#"{"statusCode":401,"message":"a \"b\"","z":null}"#);
    }
}
