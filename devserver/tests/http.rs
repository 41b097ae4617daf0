//! End-to-end tests: a server on an ephemeral 127.0.0.1 port, spoken to over
//! plain HTTP/1.1.

mod support;

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use sociapp_devserver::jwt::Hs256;
use support::*;

const COOKIE_ATTRS: &str = "; Path=/auth/refresh; HttpOnly; SameSite=Strict";
// As the public backend sends it: no HttpOnly, SameSite or Max-Age.
const CLEARING_COOKIE: &str = "refresh_token=; Path=/auth/refresh; Expires=Thu, 01 Jan 1970 00:00:00 GMT";

// ---------------------------------------------------------------- basics

#[test]
fn health_and_unknown_routes() {
    let server = TestServer::start(&[]);
    let res = server.get("/health");
    assert_eq!((res.status, res.text().as_str()), (200, "ok"));

    let res = server.get("/x");
    assert_eq!(res.status, 404);
    assert_eq!(
        res.text(),
        r#"{"statusCode":404,"message":"Cannot GET /x","error":"Not Found"}"#
    );
    assert_eq!(
        res.header("content-type"),
        Some("application/json; charset=utf-8")
    );

    let res = server.get("/auth/login?a=1");
    assert_eq!(res.status, 404);
    assert_eq!(res.json()["message"], "Cannot GET /auth/login?a=1");
}

#[test]
fn test_endpoints_are_404_without_the_flag() {
    let server = TestServer::start(&[]);
    for (method, path) in [
        ("GET", "/__test/requests"),
        ("GET", "/__test/held"),
        ("POST", "/__test/fault"),
        ("POST", "/__test/release"),
        ("POST", "/__test/reset"),
        ("POST", "/__test/throttle"),
    ] {
        let res = server.request(
            method,
            path,
            &[("Content-Type", "application/json")],
            Some(r#"{"path":"/auth/logout","kind":"drop"}"#),
        );
        assert_eq!(res.status, 404, "{method} {path}");
        assert_eq!(res.json()["message"], format!("Cannot {method} {path}"));
    }
    // Nothing was armed: logout still answers.
    assert_eq!(
        server.request("POST", "/auth/logout", &[], None).status,
        200
    );
}

// ---------------------------------------------------------------- login

#[test]
fn login_success_token_and_cookie() {
    let server = TestServer::start(&[]);
    let before = now_secs();
    let res = server.post_json("/auth/login", DEMO_LOGIN);
    assert_eq!(res.status, 200);
    let body = res.json();
    assert_eq!(body.as_object().map(|o| o.len()), Some(1), "{body}");
    let access = body["access_token"].as_str().expect("access_token");

    let payload = jwt_payload(access);
    let keys: Vec<&String> = payload.as_object().expect("object").keys().collect();
    assert_eq!(keys.len(), 4, "{payload}");
    assert_eq!(payload["sub"], 1);
    assert_eq!(payload["email"], "demo@sociapp.dev");
    let iat = payload["iat"].as_u64().expect("iat");
    let exp = payload["exp"].as_u64().expect("exp");
    assert_eq!(exp - iat, 900);
    assert!(iat >= before && iat <= now_secs());
    let header = jwt_payload(&format!("x.{}", access.split('.').next().unwrap_or("")));
    assert_eq!(header, json!({"alg": "HS256", "typ": "JWT"}));

    let cookies = res.header_all("set-cookie");
    assert_eq!(cookies.len(), 1);
    let refresh = refresh_cookie_value(&res).expect("cookie");
    assert_eq!(
        cookies[0],
        format!("refresh_token={refresh}{COOKIE_ATTRS}; Max-Age=604800")
    );
    let claims = jwt_payload(&refresh);
    assert_eq!(claims["sub"], 1);
    assert_eq!(
        claims["exp"].as_u64().unwrap() - claims["iat"].as_u64().unwrap(),
        604_800
    );
    let jti = claims["jti"].as_str().expect("jti").to_owned();

    let (_, second) = server.login();
    assert_ne!(jwt_payload(&second)["jti"].as_str(), Some(jti.as_str()));
}

#[test]
fn secure_cookies_flag() {
    let server = TestServer::start(&["--secure-cookies"]);
    let res = server.post_json("/auth/login", DEMO_LOGIN);
    let cookie = res.header("set-cookie").expect("cookie");
    assert!(cookie.ends_with("; Max-Age=604800; Secure"), "{cookie}");
    let res = server.request("POST", "/auth/logout", &[], None);
    assert_eq!(
        res.header("set-cookie"),
        Some(format!("{CLEARING_COOKIE}; Secure").as_str())
    );
}

#[test]
fn login_wrong_credentials_and_unverified() {
    let server = TestServer::start(&[]);
    let invalid = r#"{"statusCode":401,"message":"Invalid credentials","error":"Unauthorized"}"#;
    for body in [
        r#"{"email":"demo@sociapp.dev","password":"wrong"}"#,
        r#"{"email":"nobody@sociapp.dev","password":"demo-password"}"#,
        r#"{"email":"unverified@sociapp.dev","password":"wrong"}"#,
    ] {
        let res = server.post_json("/auth/login", body);
        assert_eq!((res.status, res.text().as_str()), (401, invalid), "{body}");
        assert!(res.header("set-cookie").is_none());
    }
    let res = server.post_json(
        "/auth/login",
        r#"{"email":"unverified@sociapp.dev","password":"demo-password"}"#,
    );
    assert_eq!(res.status, 401);
    assert_eq!(
        res.text(),
        r#"{"statusCode":401,"message":"Por favor, verifique su correo electrónico antes de iniciar sesión.","error":"Unauthorized"}"#
    );
    assert!(res.header("set-cookie").is_none());
}

#[test]
fn login_validation() {
    let server = TestServer::start(&[]);
    let res = server.post_json("/auth/login", "{}");
    assert_eq!(res.status, 400);
    assert_eq!(
        res.text(),
        r#"{"statusCode":400,"message":["email must be an email","password must be a string","password should not be empty"],"error":"Bad Request"}"#
    );

    let res = server.post_json("/auth/login", r#"{"email":"not-an-email","password":""}"#);
    assert_eq!(
        res.json()["message"],
        json!(["email must be an email", "password should not be empty"])
    );

    let res = server.post_json(
        "/auth/login",
        r#"{"email":"demo@sociapp.dev","password":"demo-password","foo":1}"#,
    );
    assert_eq!(res.status, 400);
    assert_eq!(
        res.json(),
        json!({"statusCode": 400, "message": ["property foo should not exist"], "error": "Bad Request"})
    );
    assert!(res.header("set-cookie").is_none());

    let res = server.post_json("/auth/login", "{not json");
    assert_eq!(res.status, 400);
    assert!(res.json()["message"].is_string(), "{}", res.text());
    assert_eq!(res.json()["error"], "Bad Request");
}

#[test]
fn login_rate_limit_after_ten_failures() {
    let server = TestServer::with_faults();
    let wrong = r#"{"email":"demo@sociapp.dev","password":"wrong"}"#;
    for i in 0..10 {
        assert_eq!(
            server.post_json("/auth/login", wrong).status,
            401,
            "attempt {i}"
        );
    }
    let throttled = r#"{"statusCode":429,"message":"ThrottlerException: Too Many Requests","error":"Too Many Requests"}"#;
    let res = server.post_json("/auth/login", wrong);
    assert_eq!((res.status, res.text().as_str()), (429, throttled));
    // The right password does not get through either, for that email only.
    let res = server.post_json("/auth/login", DEMO_LOGIN);
    assert_eq!((res.status, res.text().as_str()), (429, throttled));
    let other = r#"{"email":"unverified@sociapp.dev","password":"wrong"}"#;
    assert_eq!(server.post_json("/auth/login", other).status, 401);
    // Reset clears the limiter.
    assert_eq!(
        server.request("POST", "/__test/reset", &[], None).status,
        200
    );
    assert_eq!(server.post_json("/auth/login", DEMO_LOGIN).status, 200);
}

#[test]
fn successes_do_not_count_towards_the_limit() {
    let server = TestServer::start(&[]);
    for _ in 0..12 {
        server.login();
    }
}

// ---------------------------------------------------------------- refresh

#[test]
fn refresh_rotates_the_cookie() {
    let server = TestServer::start(&[]);
    let (_, first) = server.login();

    let res = server.refresh(&first);
    assert_eq!(res.status, 200, "{}", res.text());
    let access = res.json()["access_token"]
        .as_str()
        .expect("token")
        .to_owned();
    assert_eq!(jwt_payload(&access)["sub"], 1);
    assert_eq!(server.me(&access).status, 200);
    let second = refresh_cookie_value(&res).expect("rotated cookie");
    assert_ne!(second, first);
    assert_eq!(
        res.header("set-cookie"),
        Some(format!("refresh_token={second}{COOKIE_ATTRS}; Max-Age=604800").as_str())
    );

    let invalid = r#"{"statusCode":401,"message":"Invalid refresh token","error":"Unauthorized"}"#;
    let res = server.refresh(&first);
    assert_eq!((res.status, res.text().as_str()), (401, invalid));
    assert!(res.header("set-cookie").is_none());

    let res = server.refresh(&second);
    assert_eq!(res.status, 200);
    let third = refresh_cookie_value(&res).expect("cookie");
    // An access token is not a refresh token; garbage is not either.
    assert_eq!(server.refresh(&access).status, 401);
    assert_eq!(server.refresh("garbage").text(), invalid);
    assert_eq!(server.refresh(&third).status, 200);
}

#[test]
fn refresh_token_from_another_secret_is_rejected() {
    let a = TestServer::start(&[]);
    let b = TestServer::start(&[]);
    let (_, cookie) = a.login();
    assert_eq!(b.refresh(&cookie).status, 401);
}

#[test]
fn refresh_without_cookie() {
    let server = TestServer::start(&[]);
    let res = server.request("POST", "/auth/refresh", &[], None);
    assert_eq!(res.status, 401);
    assert_eq!(res.json()["error"], "Unauthorized");
    let res = server.request(
        "POST",
        "/auth/refresh",
        &[("Cookie", "other=1; refresh_token=")],
        None,
    );
    assert_eq!(res.status, 401);

    let server = TestServer::start(&["--missing-cookie-500"]);
    let res = server.request("POST", "/auth/refresh", &[], None);
    assert_eq!(
        (res.status, res.text().as_str()),
        (
            500,
            r#"{"statusCode":500,"message":"Internal server error"}"#
        )
    );
    // A bad cookie is still a 401.
    assert_eq!(server.refresh("garbage").status, 401);
}

#[test]
fn throttle_on_login_and_refresh() {
    // The test switch: a long window makes the count independent of timing.
    let server = TestServer::start(&["--test-faults"]);
    let set = |body: &str| {
        server.request("POST", "/__test/throttle", &[("Content-Type", "application/json")], Some(body))
    };
    assert_eq!(set(r#"{"limit":2,"windowMs":60000}"#).json(), json!({"limit": 2, "windowMs": 60000}));
    let statuses: Vec<u16> = (0..3)
        .map(|_| server.request("POST", "/auth/refresh", &[], None).status)
        .collect();
    assert_eq!(statuses, [401, 401, 429]);
    let res = server.post_json("/auth/login", r#"{"email":"demo@sociapp.dev","password":"demo-password"}"#);
    assert_eq!(
        (res.status, res.text().as_str()),
        (429, r#"{"statusCode":429,"message":"ThrottlerException: Too Many Requests"}"#)
    );
    assert_eq!(res.header("retry-after"), Some("1"));
    // Other routes are not throttled; a reset turns it off.
    assert_eq!(server.get("/health").status, 200);
    assert_eq!(server.request("POST", "/auth/logout", &[], None).status, 200);
    assert_eq!(server.request("POST", "/__test/reset", &[], None).status, 200);
    assert_eq!(server.request("POST", "/auth/refresh", &[], None).status, 401);
    for bad in [r#"{"limit":1}"#, r#"{"limit":-1,"windowMs":5}"#, r#"{"x":1}"#, "[]"] {
        assert_eq!(set(bad).status, 400, "{bad}");
    }

    // --throttle starts with the public backend's 10 per 60 ms (throttle.rs
    // tests the count); whatever the timing, the first ten pass.
    let server = TestServer::start(&["--throttle"]);
    let statuses: Vec<u16> = (0..10)
        .map(|_| server.request("POST", "/auth/refresh", &[], None).status)
        .collect();
    assert_eq!(statuses, [401; 10]);
}

// ---------------------------------------------------------------- logout

#[test]
fn logout_clears_the_cookie_and_revokes_nothing() {
    let server = TestServer::start(&[]);
    let (access, cookie) = server.login();
    let res = server.request(
        "POST",
        "/auth/logout",
        &[("Cookie", &format!("refresh_token={cookie}"))],
        None,
    );
    assert_eq!(res.status, 200);
    assert_eq!(res.text(), r#"{"message":"Logged out successfully"}"#);
    assert_eq!(res.header_all("set-cookie"), vec![CLEARING_COOKIE]);
    // Stateless: what the client still holds keeps working.
    assert_eq!(server.me(&access).status, 200);
    assert_eq!(server.refresh(&cookie).status, 200);
    // No auth needed.
    assert_eq!(
        server.request("POST", "/auth/logout", &[], None).status,
        200
    );
}

// ---------------------------------------------------------------- me

#[test]
fn me_with_valid_missing_expired_and_tampered_tokens() {
    let server = TestServer::start(&["--jwt-secret", "test-secret"]);
    let (access, refresh) = server.login();
    let res = server.me(&access);
    assert_eq!(res.status, 200);
    // The public backend's user row, without the password; no `id` field.
    assert_eq!(
        res.text(),
        concat!(
            r#"{"IdUsuario":1,"nombre":"Demo","apellidos":"Usuario","dni":"00000000T","direccion":"Calle Mayor 1","#,
            r#""CP":"28013","provincia":"Madrid","poblacion":"Madrid","pais":"España","email":"demo@sociapp.dev","#,
            r#""telefono":"600000000","fechaalta":"2026-01-01","fechabaja":null,"formadepago":"Domiciliación","#,
            r#""cuota":"0","categoria":"Socio","socio":"Sí","isVerified":true,"verificationCode":null,"verificationExpires":null}"#
        )
    );

    let unauthorized = r#"{"statusCode":401,"message":"Unauthorized"}"#;
    let res = server.get("/auth/me");
    assert_eq!((res.status, res.text().as_str()), (401, unauthorized));

    let jwt = Hs256::new(b"test-secret");
    let now = now_secs();
    let expired = jwt.sign(&format!(
        r#"{{"sub":1,"email":"demo@sociapp.dev","iat":{},"exp":{}}}"#,
        now - 1000,
        now - 100
    ));
    assert_eq!(server.me(&expired).text(), unauthorized);
    let still_valid = jwt.sign(&format!(
        r#"{{"sub":1,"email":"demo@sociapp.dev","iat":{now},"exp":{}}}"#,
        now + 100
    ));
    assert_eq!(server.me(&still_valid).status, 200);
    let unknown_user = jwt.sign(&format!(
        r#"{{"sub":7,"email":"x@sociapp.dev","iat":{now},"exp":{}}}"#,
        now + 100
    ));
    assert_eq!(server.me(&unknown_user).status, 401);

    // Tampered payload (other user id, same signature) and tampered signature.
    let parts: Vec<&str> = access.split('.').collect();
    let forged_payload = Hs256::new(b"other").sign(&format!(
        r#"{{"sub":2,"email":"unverified@sociapp.dev","iat":{now},"exp":{}}}"#,
        now + 900
    ));
    let forged = format!(
        "{}.{}.{}",
        parts[0],
        forged_payload.split('.').nth(1).unwrap_or(""),
        parts[2]
    );
    assert_eq!(server.me(&forged).text(), unauthorized);
    let mut sig = parts[2].to_owned();
    let flipped = if sig.starts_with('A') { "B" } else { "A" };
    sig.replace_range(0..1, flipped);
    assert_eq!(
        server
            .me(&format!("{}.{}.{sig}", parts[0], parts[1]))
            .status,
        401
    );
    assert_eq!(server.me("not-a-jwt").status, 401);
    // A refresh token is not an access token; other schemes are refused.
    assert_eq!(server.me(&refresh).status, 401);
    let basic = format!("Basic {access}");
    assert_eq!(
        server
            .request("GET", "/auth/me", &[("Authorization", &basic)], None)
            .status,
        401
    );
}

// ---------------------------------------------------------------- register and email verification

const REGISTERED: &str =
    r#"{"message":"User registered successfully. Please check your email for verification code."}"#;
const WRONG_CODE: &str = r#"{"statusCode":401,"message":"Código de verificación incorrecto. Inténtelo de nuevo.","error":"Unauthorized"}"#;
const EXPIRED_CODE: &str = r#"{"statusCode":401,"message":"El código ha expirado. Su registro ha sido eliminado por seguridad. Por favor, regístrese de nuevo.","error":"Unauthorized"}"#;
const USER_NOT_FOUND: &str =
    r#"{"statusCode":401,"message":"User not found","error":"Unauthorized"}"#;

fn verify_body(email: &str, code: &str) -> String {
    json!({"email": email, "code": code}).to_string()
}

/// A 6-digit code that is not `code`.
fn other_code(code: &str) -> &'static str {
    if code == "000000" {
        "111111"
    } else {
        "000000"
    }
}

#[test]
fn register_answers_201_without_a_session_then_409() {
    let server = TestServer::start(&[]);
    let res = server.post_json(
        "/auth/register",
        &registration("ana@sociapp.dev").to_string(),
    );
    assert_eq!((res.status, res.text().as_str()), (201, REGISTERED));
    assert!(res.header("set-cookie").is_none());

    let exists = r#"{"statusCode":409,"message":"Email already exists","error":"Conflict"}"#;
    for email in [
        "ana@sociapp.dev",
        "ANA@Sociapp.dev",
        "demo@sociapp.dev",
        "Unverified@sociapp.dev",
    ] {
        let res = server.post_json("/auth/register", &registration(email).to_string());
        assert_eq!((res.status, res.text().as_str()), (409, exists), "{email}");
    }
    // Registered, not verified: login is refused as for the seeded unverified user.
    let res = server.post_json(
        "/auth/login",
        r#"{"email":"ana@sociapp.dev","password":"ana-password"}"#,
    );
    assert_eq!(res.status, 401);
    assert_eq!(
        res.json()["message"],
        "Por favor, verifique su correo electrónico antes de iniciar sesión."
    );
    assert!(res.header("set-cookie").is_none());
    let res = server.post_json(
        "/auth/login",
        r#"{"email":"ana@sociapp.dev","password":"wrong"}"#,
    );
    assert_eq!(res.json()["message"], "Invalid credentials");
}

#[test]
fn register_validation() {
    let server = TestServer::start(&[]);
    let res = server.post_json("/auth/register", "{}");
    assert_eq!(res.status, 400);
    assert_eq!(
        res.json(),
        json!({"statusCode": 400, "message": [
            "nombre must be a string",
            "apellidos must be a string",
            "password must be a string",
            "dni must be a string",
            "direccion must be a string",
            "CP must be a string",
            "provincia must be a string",
            "poblacion must be a string",
            "pais must be a string",
            "email must be an email",
            "telefono must be a string",
            "fechaalta must be a valid ISO 8601 date string",
            "formadepago must be a string",
            "cuota must be a number conforming to the specified constraints",
            "categoria must be a string",
            "socio must be one of the following values: Socio, NoSocio"
        ], "error": "Bad Request"})
    );

    let with = |changes: Value| {
        let mut body = registration("new@sociapp.dev");
        for (k, v) in changes.as_object().expect("object") {
            if v.is_null() {
                body.as_object_mut().expect("object").remove(k);
            } else {
                body[k] = v.clone();
            }
        }
        server.post_json("/auth/register", &body.to_string())
    };
    for (changes, messages) in [
        (json!({"foo": 1}), json!(["property foo should not exist"])),
        (
            json!({"email": "not-an-email"}),
            json!(["email must be an email"]),
        ),
        (
            json!({"socio": "Sí"}),
            json!(["socio must be one of the following values: Socio, NoSocio"]),
        ),
        (
            json!({"socio": 2}),
            json!(["socio must be one of the following values: Socio, NoSocio"]),
        ),
        (
            json!({"cuota": "doce"}),
            json!(["cuota must be a number conforming to the specified constraints"]),
        ),
        (
            json!({"fechaalta": "01/02/2026", "fechabaja": ""}),
            json!([
                "fechaalta must be a valid ISO 8601 date string",
                "fechabaja must be a valid ISO 8601 date string"
            ]),
        ),
        (
            json!({"nombre": 5, "telefono": null, "x": true}),
            json!([
                "property x should not exist",
                "nombre must be a string",
                "telefono must be a string"
            ]),
        ),
    ] {
        let res = with(changes.clone());
        assert_eq!(res.status, 400, "{changes}");
        assert_eq!(res.json()["message"], messages, "{changes}");
        assert_eq!(res.json()["error"], "Bad Request");
    }
    let res = server.post_json("/auth/register", "{not json");
    assert_eq!(res.status, 400);
    assert!(res.json()["message"].is_string(), "{}", res.text());
    // Nothing was stored by the refused requests.
    assert_eq!(
        with(json!({})).status,
        201,
        "the email is still free after the 400s"
    );

    // Implicit conversion: a numeric string is a number; 0 and 1 are NoSocio and Socio;
    // fechabaja may be null.
    for (i, changes) in [
        json!({"cuota": "25"}),
        json!({"cuota": 7, "socio": 0, "fechabaja": null}),
        json!({"socio": 1, "fechabaja": "2027-01-31T00:00:00.000Z"}),
    ]
    .into_iter()
    .enumerate()
    {
        let mut changes = changes;
        changes["email"] = json!(format!("convert{i}@sociapp.dev"));
        let res = with(changes.clone());
        assert_eq!(
            (res.status, res.text().as_str()),
            (201, REGISTERED),
            "{changes}"
        );
    }
}

#[test]
fn verify_email_signs_the_new_member_in() {
    let server = TestServer::with_faults();
    let email = "ana@sociapp.dev";
    let mut body = registration(email);
    body["cuota"] = json!("25");
    body["socio"] = json!(0);
    assert_eq!(
        server.post_json("/auth/register", &body.to_string()).status,
        201
    );
    let code = server.code(email);
    assert!(
        code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()),
        "{code}"
    );

    let res = server.post_json("/auth/verify-email", &verify_body(email, other_code(&code)));
    assert_eq!((res.status, res.text().as_str()), (401, WRONG_CODE));
    assert!(res.header("set-cookie").is_none());
    // A wrong code changes nothing.
    assert_eq!(server.code(email), code);

    let before = now_secs();
    let res = server.request(
        "POST",
        "/auth/verify-email",
        &[("Content-Type", "application/json"), ("Origin", ORIGIN)],
        Some(&verify_body("ANA@sociapp.dev", &code)),
    );
    assert_eq!(res.status, 200, "{}", res.text());
    res.assert_cors_for(ORIGIN);
    let answer = res.json();
    assert_eq!(answer.as_object().map(|o| o.len()), Some(1), "{answer}");
    let access = answer["access_token"]
        .as_str()
        .expect("access_token")
        .to_owned();
    let claims = jwt_payload(&access);
    assert_eq!(
        (claims["sub"].clone(), claims["email"].clone()),
        (json!(3), json!(email))
    );
    assert!(claims["iat"].as_u64().is_some_and(|iat| iat >= before));
    let cookie = refresh_cookie_value(&res).expect("refresh cookie");
    assert_eq!(
        res.header_all("set-cookie"),
        vec![format!(
            "refresh_token={cookie}{COOKIE_ATTRS}; Max-Age=604800"
        )]
    );

    let me = server.me(&access);
    assert_eq!(me.status, 200);
    assert_eq!(
        me.text(),
        concat!(
            r#"{"IdUsuario":3,"nombre":"Ana","apellidos":"García López","dni":"12345678Z","#,
            r#""direccion":"Calle Luna 3","CP":"41001","provincia":"Sevilla","poblacion":"Sevilla","#,
            r#""pais":"España","email":"ana@sociapp.dev","telefono":"611222333","fechaalta":"2026-02-01","#,
            r#""fechabaja":null,"formadepago":"Transferencia","cuota":"25","categoria":"Socio","#,
            r#""socio":"NoSocio","isVerified":true,"verificationCode":null,"verificationExpires":null}"#
        )
    );

    // The session refreshes (with rotation) and the member can log in.
    let res = server.refresh(&cookie);
    assert_eq!(res.status, 200, "{}", res.text());
    let refreshed = res.json()["access_token"]
        .as_str()
        .expect("token")
        .to_owned();
    assert_eq!(jwt_payload(&refreshed)["sub"], 3);
    assert_eq!(server.me(&refreshed).json()["email"], email);
    assert_eq!(server.refresh(&cookie).status, 401);
    let res = server.post_json(
        "/auth/login",
        r#"{"email":"ana@sociapp.dev","password":"ana-password"}"#,
    );
    assert_eq!(res.status, 200, "{}", res.text());

    // Verified: a second verification answers a message and no session.
    for code in [code.as_str(), other_code(&code)] {
        let res = server.post_json("/auth/verify-email", &verify_body(email, code));
        assert_eq!(
            (res.status, res.text().as_str()),
            (200, r#"{"message":"Email already verified"}"#)
        );
        assert!(res.header("set-cookie").is_none());
    }
    assert_eq!(server.get("/auth/me").status, 401, "no token, no profile");
    // The code is gone.
    assert_eq!(
        server.get("/__test/code?email=ana%40sociapp.dev").status,
        404
    );
}

#[test]
fn row_of_a_registered_member_keeps_its_values() {
    let server = TestServer::with_faults();
    let email = "luis@sociapp.dev";
    let mut body = registration(email);
    body["fechaalta"] = json!("2026-03-04T10:30:00Z");
    body["fechabaja"] = json!("2027-03-04");
    body["socio"] = json!(1);
    assert_eq!(
        server.post_json("/auth/register", &body.to_string()).status,
        201
    );
    let code = server.code(email);
    let res = server.post_json("/auth/verify-email", &verify_body(email, &code));
    let access = res.json()["access_token"]
        .as_str()
        .expect("token")
        .to_owned();
    let row = server.me(&access).json();
    assert_eq!(row["cuota"], "12.5");
    assert_eq!(row["fechaalta"], "2026-03-04");
    assert_eq!(row["fechabaja"], "2027-03-04");
    assert_eq!(row["socio"], "Socio");
    assert!(
        row.get("password").is_none() && row.get("id").is_none(),
        "{row}"
    );
}

#[test]
fn expired_code_deletes_the_registration() {
    let server = TestServer::with_faults();
    let email = "late@sociapp.dev";
    let body = registration(email).to_string();
    assert_eq!(server.post_json("/auth/register", &body).status, 201);
    let code = server.code(email);
    let res = server.post_json("/__test/expire-code", r#"{"email":"late@sociapp.dev"}"#);
    assert_eq!((res.status, res.json()), (200, json!({"ok": true})));

    // Even the right code is too late now.
    let res = server.post_json("/auth/verify-email", &verify_body(email, &code));
    assert_eq!((res.status, res.text().as_str()), (401, EXPIRED_CODE));
    assert!(res.header("set-cookie").is_none());
    let res = server.post_json("/auth/verify-email", &verify_body(email, &code));
    assert_eq!((res.status, res.text().as_str()), (401, USER_NOT_FOUND));
    let res = server.post_json("/auth/resend-code", r#"{"email":"late@sociapp.dev"}"#);
    assert_eq!((res.status, res.text().as_str()), (401, USER_NOT_FOUND));
    assert_eq!(
        server.get("/__test/code?email=late%40sociapp.dev").status,
        404
    );

    // The member registers again, with a new id.
    let res = server.post_json("/auth/register", &body);
    assert_eq!((res.status, res.text().as_str()), (201, REGISTERED));
    let code = server.code(email);
    let res = server.post_json("/auth/verify-email", &verify_body(email, &code));
    assert_eq!(res.status, 200, "{}", res.text());
    let access = res.json()["access_token"]
        .as_str()
        .expect("token")
        .to_owned();
    assert_eq!(jwt_payload(&access)["sub"], 4);

    // A wrong code that comes after the expiry also deletes the registration.
    assert_eq!(
        server
            .post_json(
                "/auth/register",
                &registration("late2@sociapp.dev").to_string()
            )
            .status,
        201
    );
    let code = server.code("late2@sociapp.dev");
    server.post_json("/__test/expire-code", r#"{"email":"late2@sociapp.dev"}"#);
    let res = server.post_json(
        "/auth/verify-email",
        &verify_body("late2@sociapp.dev", other_code(&code)),
    );
    assert_eq!((res.status, res.text().as_str()), (401, EXPIRED_CODE));
    let res = server.post_json(
        "/auth/verify-email",
        &verify_body("late2@sociapp.dev", &code),
    );
    assert_eq!(res.text(), USER_NOT_FOUND);
}

#[test]
fn resend_code() {
    let server = TestServer::with_faults();
    let email = "ana@sociapp.dev";
    assert_eq!(
        server
            .post_json("/auth/register", &registration(email).to_string())
            .status,
        201
    );
    let first = server.code(email);
    server.post_json("/__test/expire-code", r#"{"email":"ana@sociapp.dev"}"#);
    let res = server.post_json("/auth/resend-code", r#"{"email":"Ana@sociapp.dev"}"#);
    assert_eq!(
        (res.status, res.text().as_str()),
        (
            200,
            r#"{"message":"Verification code resent successfully"}"#
        )
    );
    assert!(res.header("set-cookie").is_none());
    // A new code with a new 15-minute expiry: it verifies.
    let second = server.code(email);
    if second != first {
        let res = server.post_json("/auth/verify-email", &verify_body(email, &first));
        assert_eq!(res.text(), WRONG_CODE);
    }
    let res = server.post_json("/auth/verify-email", &verify_body(email, &second));
    assert_eq!(res.status, 200, "{}", res.text());

    let res = server.post_json("/auth/resend-code", r#"{"email":"ana@sociapp.dev"}"#);
    assert_eq!(
        (res.status, res.text().as_str()),
        (
            409,
            r#"{"statusCode":409,"message":"Email already verified","error":"Conflict"}"#
        )
    );
    let res = server.post_json("/auth/resend-code", r#"{"email":"demo@sociapp.dev"}"#);
    assert_eq!(res.status, 409);
    let res = server.post_json("/auth/resend-code", r#"{"email":"nobody@sociapp.dev"}"#);
    assert_eq!((res.status, res.text().as_str()), (401, USER_NOT_FOUND));
}

#[test]
fn verify_and_resend_validation() {
    let server = TestServer::start(&[]);
    for (path, body, messages) in [
        (
            "/auth/verify-email",
            "{}",
            json!([
                "email must be an email",
                "code must be longer than or equal to 6 characters",
                "code must be a string"
            ]),
        ),
        (
            "/auth/verify-email",
            r#"{"email":"demo@sociapp.dev","code":"12345"}"#,
            json!(["code must be longer than or equal to 6 characters"]),
        ),
        (
            "/auth/verify-email",
            r#"{"email":"demo@sociapp.dev","code":"1234567","extra":1}"#,
            json!([
                "property extra should not exist",
                "code must be shorter than or equal to 6 characters"
            ]),
        ),
        (
            "/auth/resend-code",
            r#"{"email":"nope","code":"123456"}"#,
            json!(["property code should not exist", "email must be an email"]),
        ),
    ] {
        let res = server.post_json(path, body);
        assert_eq!(res.status, 400, "{path} {body}");
        assert_eq!(
            res.json(),
            json!({"statusCode": 400, "message": messages, "error": "Bad Request"}),
            "{path} {body}"
        );
    }
    let res = server.post_json(
        "/auth/verify-email",
        r#"{"email":"nobody@sociapp.dev","code":"123456"}"#,
    );
    assert_eq!((res.status, res.text().as_str()), (401, USER_NOT_FOUND));
}

#[test]
fn seeded_unverified_user_verifies_and_reset_restores_the_seeds() {
    let server = TestServer::with_faults();
    let email = "unverified@sociapp.dev";
    let login = r#"{"email":"unverified@sociapp.dev","password":"demo-password"}"#;
    assert_eq!(server.post_json("/auth/login", login).status, 401);
    let code = server.code(email);
    let res = server.post_json("/auth/verify-email", &verify_body(email, &code));
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(
        jwt_payload(res.json()["access_token"].as_str().expect("token"))["sub"],
        2
    );
    let res = server.post_json("/auth/login", login);
    assert_eq!(res.status, 200, "{}", res.text());
    let access = res.json()["access_token"]
        .as_str()
        .expect("token")
        .to_owned();
    let row = server.me(&access).json();
    assert_eq!(
        (row["IdUsuario"].clone(), row["isVerified"].clone()),
        (json!(2), json!(true))
    );
    assert_eq!(row["verificationCode"], Value::Null);
    assert_eq!(
        server
            .get("/__test/code?email=unverified%40sociapp.dev")
            .status,
        404
    );

    assert_eq!(
        server
            .post_json(
                "/auth/register",
                &registration("ana@sociapp.dev").to_string()
            )
            .status,
        201
    );
    let res = server.request("POST", "/__test/reset", &[], None);
    assert_eq!((res.status, res.json()), (200, json!({"ok": true})));

    // As at start: the seeded user is unverified again, with a code; the
    // registered member is gone.
    let res = server.post_json("/auth/login", login);
    assert_eq!(res.status, 401);
    assert_eq!(
        res.json()["message"],
        "Por favor, verifique su correo electrónico antes de iniciar sesión."
    );
    assert_eq!(server.code(email).len(), 6);
    let res = server.post_json("/auth/resend-code", r#"{"email":"ana@sociapp.dev"}"#);
    assert_eq!(res.text(), USER_NOT_FOUND);
    assert_eq!(
        server
            .post_json(
                "/auth/register",
                &registration("ana@sociapp.dev").to_string()
            )
            .status,
        201
    );
    server.login();
}

#[test]
fn code_test_endpoints() {
    let server = TestServer::with_faults();
    let res = server.get("/__test/code?email=unverified%40sociapp.dev");
    assert_eq!(res.status, 200);
    let body = res.json();
    assert_eq!(body["email"], "unverified@sociapp.dev");
    assert!(body["code"].as_str().is_some_and(|c| c.len() == 6));
    assert_eq!(body.as_object().map(|o| o.len()), Some(2));
    // Unencoded and mixed-case emails work too.
    assert_eq!(
        server
            .get("/__test/code?email=Unverified@sociapp.dev")
            .json()["code"],
        body["code"]
    );

    for path in [
        "/__test/code?email=demo%40sociapp.dev",
        "/__test/code?email=nobody%40sociapp.dev",
    ] {
        let res = server.get(path);
        assert_eq!(res.status, 404, "{path}");
        assert_eq!(res.json()["statusCode"], 404);
        assert_eq!(res.json()["error"], "Not Found");
        assert!(res.json()["message"].is_string());
    }
    for path in [
        "/__test/code",
        "/__test/code?email=",
        "/__test/code?x=1",
        "/__test/code?email=%zz",
    ] {
        let res = server.get(path);
        assert_eq!(res.status, 400, "{path}");
        assert_eq!(res.json()["error"], "Bad Request");
        assert!(res.json()["message"].is_string());
    }

    for bad in ["", "[]", r#"{"email":1}"#, r#"{"email":"a@b.co","x":1}"#] {
        let res = server.post_json("/__test/expire-code", bad);
        assert_eq!(res.status, 400, "{bad}");
        assert_eq!(res.json()["statusCode"], 400);
    }
    for email in ["demo@sociapp.dev", "nobody@sociapp.dev"] {
        let res = server.post_json("/__test/expire-code", &json!({"email": email}).to_string());
        assert_eq!(res.status, 404, "{email}");
        assert_eq!(res.json()["error"], "Not Found");
    }
    let res = server.post_json(
        "/__test/expire-code",
        r#"{"email":"unverified@sociapp.dev"}"#,
    );
    assert_eq!((res.status, res.json()), (200, json!({"ok": true})));
    let code = body["code"].as_str().expect("code");
    let res = server.post_json(
        "/auth/verify-email",
        &verify_body("unverified@sociapp.dev", code),
    );
    assert_eq!(res.text(), EXPIRED_CODE);
    // The seeded user was deleted like any registration; a reset brings it back.
    assert_eq!(
        server
            .get("/__test/code?email=unverified%40sociapp.dev")
            .status,
        404
    );
    server.request("POST", "/__test/reset", &[], None);
    assert_eq!(
        server
            .get("/__test/code?email=unverified%40sociapp.dev")
            .status,
        200
    );

    // Test calls are not recorded; the API calls are.
    let paths: Vec<Value> = server
        .get("/__test/requests")
        .json()
        .as_array()
        .map(|a| a.iter().map(|r| r["path"].clone()).collect())
        .unwrap_or_default();
    assert_eq!(paths, Vec::<Value>::new(), "the reset cleared the record");

    // Without --test-faults they do not exist.
    let plain = TestServer::start(&[]);
    assert_eq!(
        plain
            .get("/__test/code?email=unverified%40sociapp.dev")
            .status,
        404
    );
    assert_eq!(
        plain
            .post_json(
                "/__test/expire-code",
                r#"{"email":"unverified@sociapp.dev"}"#
            )
            .json()["message"],
        "Cannot POST /__test/expire-code"
    );
}

#[test]
fn register_is_throttled_with_login_and_refresh() {
    let server = TestServer::with_faults();
    let set = |body: &str| {
        server.request(
            "POST",
            "/__test/throttle",
            &[("Content-Type", "application/json")],
            Some(body),
        )
    };
    set(r#"{"limit":2,"windowMs":60000}"#);
    let statuses: Vec<u16> = ["a", "b", "c"]
        .iter()
        .map(|name| {
            let body = registration(&format!("{name}@sociapp.dev")).to_string();
            server.post_json("/auth/register", &body).status
        })
        .collect();
    assert_eq!(statuses, [201, 201, 429]);
    let res = server.post_json("/auth/register", &registration("d@sociapp.dev").to_string());
    assert_eq!(
        (res.status, res.text().as_str()),
        (
            429,
            r#"{"statusCode":429,"message":"ThrottlerException: Too Many Requests"}"#
        )
    );
    assert_eq!(res.header("retry-after"), Some("1"));
    // One count for the three routes; verify-email and resend-code are not guarded.
    assert_eq!(server.post_json("/auth/login", DEMO_LOGIN).status, 429);
    let res = server.post_json("/auth/resend-code", r#"{"email":"a@sociapp.dev"}"#);
    assert_eq!(res.status, 200);
    let code = server.code("a@sociapp.dev");
    let res = server.post_json("/auth/verify-email", &verify_body("a@sociapp.dev", &code));
    assert_eq!(res.status, 200, "{}", res.text());

    // The refused registration stored nothing.
    set(r#"{"limit":null}"#);
    assert_eq!(
        server
            .post_json("/auth/register", &registration("c@sociapp.dev").to_string())
            .status,
        201
    );
}

// ---------------------------------------------------------------- CORS

#[test]
fn cors_for_allowed_and_other_origins() {
    let server = TestServer::start(&[
        "--allow-origin",
        "http://localhost:*",
        "--allow-origin",
        "https://app.example",
    ]);
    for origin in [
        "http://localhost:5173",
        "http://localhost:8080",
        "https://app.example",
    ] {
        let res = server.request("POST", "/auth/logout", &[("Origin", origin)], None);
        res.assert_cors_for(origin);
        // Errors carry them too.
        server.get("/auth/me");
        let res = server.request("GET", "/auth/me", &[("Origin", origin)], None);
        assert_eq!(res.status, 401);
        res.assert_cors_for(origin);
        let res = server.request("GET", "/nope", &[("Origin", origin)], None);
        assert_eq!(res.status, 404);
        res.assert_cors_for(origin);
    }
    for origin in [
        "http://evil.example",
        "http://127.0.0.1:5173",
        "https://app.example:444",
        "null",
    ] {
        let res = server.request("POST", "/auth/logout", &[("Origin", origin)], None);
        assert_eq!(res.status, 200);
        assert_eq!(res.header("access-control-allow-origin"), None, "{origin}");
        assert_eq!(res.header("access-control-allow-credentials"), None);
    }
}

#[test]
fn default_origins_are_localhost_any_port() {
    let server = TestServer::start(&[]);
    let res = server.request(
        "GET",
        "/health",
        &[("Origin", "http://127.0.0.1:9999")],
        None,
    );
    res.assert_cors_for("http://127.0.0.1:9999");
    let res = server.request("GET", "/health", &[("Origin", "http://example.com")], None);
    assert_eq!(res.header("access-control-allow-origin"), None);
}

#[test]
fn preflight() {
    let server = TestServer::start(&["--allow-origin", ORIGIN]);
    let preflight_headers = [
        ("Origin", ORIGIN),
        ("Access-Control-Request-Method", "POST"),
        (
            "Access-Control-Request-Headers",
            "content-type,authorization",
        ),
    ];
    for path in ["/auth/login", "/auth/me", "/anything"] {
        let res = server.request("OPTIONS", path, &preflight_headers, None);
        assert_eq!(res.status, 204, "{path}");
        res.assert_cors_for(ORIGIN);
        assert_eq!(
            res.header("access-control-allow-methods"),
            Some("GET, POST, OPTIONS")
        );
        assert_eq!(
            res.header("access-control-allow-headers"),
            Some("Content-Type, Authorization")
        );
        assert_eq!(res.header("access-control-max-age"), Some("600"));
        assert!(res.body.is_empty());
    }
    let res = server.request(
        "OPTIONS",
        "/auth/login",
        &[
            ("Origin", "http://localhost:5174"),
            ("Access-Control-Request-Method", "POST"),
        ],
        None,
    );
    assert_eq!(res.status, 204);
    assert!(
        res.headers
            .iter()
            .all(|(n, _)| !n.starts_with("access-control-")),
        "{res:?}"
    );
}

#[test]
fn cors_on_registration_and_throttled_answers() {
    let server = TestServer::with_faults();
    let headers = [("Origin", ORIGIN), ("Content-Type", "application/json")];
    let post = |path: &str, body: &str| server.request("POST", path, &headers, Some(body));
    let body = registration("ana@sociapp.dev").to_string();
    for (path, body, status) in [
        ("/auth/register", "{}", 400),
        ("/auth/register", body.as_str(), 201),
        ("/auth/register", body.as_str(), 409),
        (
            "/auth/verify-email",
            r#"{"email":"ana@sociapp.dev","code":"abcdef"}"#,
            401,
        ),
        (
            "/auth/verify-email",
            r#"{"email":"demo@sociapp.dev","code":"abcdef"}"#,
            200,
        ),
        ("/auth/resend-code", r#"{"email":"ana@sociapp.dev"}"#, 200),
        ("/auth/resend-code", r#"{"email":"demo@sociapp.dev"}"#, 409),
    ] {
        let res = post(path, body);
        assert_eq!(res.status, status, "{path} {body}: {}", res.text());
        res.assert_cors_for(ORIGIN);
    }
    let res = server.request(
        "OPTIONS",
        "/auth/verify-email",
        &[
            ("Origin", ORIGIN),
            ("Access-Control-Request-Method", "POST"),
        ],
        None,
    );
    assert_eq!(res.status, 204);
    res.assert_cors_for(ORIGIN);
    assert_eq!(
        res.header("access-control-allow-headers"),
        Some("Content-Type, Authorization")
    );

    server.post_json("/__test/throttle", r#"{"limit":0,"windowMs":60000}"#);
    let res = post(
        "/auth/register",
        &registration("bea@sociapp.dev").to_string(),
    );
    assert_eq!(res.status, 429);
    res.assert_cors_for(ORIGIN);
    // Other origins: processed, but without CORS headers.
    let res = server.request(
        "POST",
        "/auth/resend-code",
        &[
            ("Origin", "http://evil.example"),
            ("Content-Type", "application/json"),
        ],
        Some(r#"{"email":"ana@sociapp.dev"}"#),
    );
    assert_eq!(res.status, 200);
    assert_eq!(res.header("access-control-allow-origin"), None);
    assert_eq!(res.header("access-control-allow-credentials"), None);
}


// ---------------------------------------------------------------- faults

#[test]
fn fault_status_defaults_and_times() {
    let server = TestServer::with_faults();
    let res = server.add_fault(r#"{"path":"/auth/logout","kind":"status"}"#);
    assert_eq!(
        res.json(),
        json!({"path": "/auth/logout", "kind": "status", "status": 500, "times": 1, "ms": 30000})
    );
    let res = server.request("POST", "/auth/logout", &[("Origin", ORIGIN)], None);
    assert_eq!(
        (res.status, res.text().as_str()),
        (
            500,
            r#"{"statusCode":500,"message":"Internal server error"}"#
        )
    );
    res.assert_cors_for(ORIGIN);
    assert!(res.header("set-cookie").is_none());
    assert_eq!(
        server.request("POST", "/auth/logout", &[], None).status,
        200
    );

    server.add_fault(r#"{"path":"/auth/refresh","kind":"status","status":503,"times":2}"#);
    for _ in 0..2 {
        let res = server.request("POST", "/auth/refresh", &[("Origin", ORIGIN)], None);
        assert_eq!(res.status, 503);
        assert_eq!(
            res.json(),
            json!({"statusCode": 503, "message": "Service Unavailable"})
        );
        res.assert_cors_for(ORIGIN);
    }
    assert_eq!(
        server.request("POST", "/auth/refresh", &[], None).status,
        401
    );
}

#[test]
fn fault_requests_are_validated() {
    let server = TestServer::with_faults();
    for bad in [
        r#"{"path":"/auth/logout","kind":"explode"}"#,
        r#"{"kind":"drop"}"#,
        r#"{"path":"/auth/logout","kind":"status","status":42}"#,
        r#"{"path":"/auth/logout","kind":"drop","times":0}"#,
        "not json",
    ] {
        let res = server.post_json("/__test/fault", bad);
        assert_eq!(res.status, 400, "{bad}");
        assert_eq!(res.json()["statusCode"], 400);
    }
}

#[test]
fn faults_skip_preflights() {
    let server = TestServer::with_faults();
    server.add_fault(r#"{"path":"/auth/logout","kind":"status","status":502}"#);
    let res = server.request(
        "OPTIONS",
        "/auth/logout",
        &[
            ("Origin", ORIGIN),
            ("Access-Control-Request-Method", "POST"),
        ],
        None,
    );
    assert_eq!(res.status, 204);
    assert_eq!(
        server.request("POST", "/auth/logout", &[], None).status,
        502
    );
}

#[test]
fn fault_hang_answers_late() {
    let server = TestServer::with_faults();
    server.add_fault(r#"{"path":"/auth/logout","kind":"hang","ms":300}"#);
    let start = Instant::now();
    let res = server.request("POST", "/auth/logout", &[("Origin", ORIGIN)], None);
    assert!(start.elapsed() >= Duration::from_millis(300));
    assert_eq!(res.status, 200);
    res.assert_cors_for(ORIGIN);
    assert_eq!(server.running.hanging_requests(), 0);
}

#[test]
fn fault_hang_stops_when_the_client_goes_away() {
    let server = TestServer::with_faults();
    let (_, cookie) = server.login();
    server.add_fault(r#"{"path":"/auth/refresh","kind":"hang","ms":60000}"#);
    let stream = server.open(
        "POST",
        "/auth/refresh",
        &[
            ("Cookie", &format!("refresh_token={cookie}")),
            ("Content-Length", "0"),
        ],
    );
    wait_until("the request to hang", || {
        server.running.hanging_requests() == 1
    });
    drop(stream);
    wait_until("the hang to stop", || {
        server.running.hanging_requests() == 0
    });
    // The abandoned refresh never ran: the cookie is still current.
    assert_eq!(server.refresh(&cookie).status, 200);
}

#[test]
fn fault_hold_until_release() {
    let server = TestServer::with_faults();
    let (_, cookie) = server.login();
    server.add_fault(r#"{"path":"/auth/refresh","kind":"hold"}"#);
    assert_eq!(server.held(), json!({}));

    let addr = server.addr;
    let cookie_header = format!("refresh_token={cookie}");
    let (tx, rx) = std::sync::mpsc::channel();
    let client = std::thread::spawn(move || {
        let res = send(
            addr,
            "POST",
            "/auth/refresh",
            &[("Origin", ORIGIN), ("Cookie", &cookie_header)],
            None,
        );
        let _ = tx.send(());
        res
    });
    wait_until("the request to be held", || {
        server.held() == json!({"/auth/refresh": 1})
    });
    assert!(
        rx.try_recv().is_err(),
        "a held request must not be answered"
    );

    let res = server.post_json("/__test/release", r#"{"path":"/auth/refresh"}"#);
    assert_eq!(res.json(), json!({"released": 1}));
    let res = client.join().expect("client thread");
    assert_eq!(res.status, 200, "{}", res.text());
    res.assert_cors_for(ORIGIN);
    let rotated = refresh_cookie_value(&res).expect("rotated cookie");
    assert_eq!(server.held(), json!({}));
    // The rotation happened at release time.
    assert_eq!(server.refresh(&cookie).status, 401);
    assert_eq!(server.refresh(&rotated).status, 200);
    assert_eq!(
        server
            .post_json("/__test/release", r#"{"path":"/auth/refresh"}"#)
            .json(),
        json!({"released": 0})
    );
}

#[test]
fn fault_hold_is_released_by_reset_and_forgotten_on_disconnect() {
    let server = TestServer::with_faults();
    server.add_fault(r#"{"path":"/auth/logout","kind":"hold","times":2}"#);
    let addr = server.addr;
    let client = std::thread::spawn(move || send(addr, "POST", "/auth/logout", &[], None));
    wait_until("the request to be held", || {
        server.held() == json!({"/auth/logout": 1})
    });
    assert_eq!(
        server.request("POST", "/__test/reset", &[], None).status,
        200
    );
    assert_eq!(client.join().expect("client").status, 200);

    server.add_fault(r#"{"path":"/auth/logout","kind":"hold"}"#);
    let stream = server.open("POST", "/auth/logout", &[("Content-Length", "0")]);
    wait_until("the request to be held", || {
        server.held() == json!({"/auth/logout": 1})
    });
    drop(stream);
    wait_until("the held request to go", || server.held() == json!({}));
}

#[test]
fn fault_drop_closes_without_answer() {
    let server = TestServer::with_faults();
    server.add_fault(r#"{"path":"/auth/logout","kind":"drop"}"#);
    let (bytes, _) = send_raw(
        server.addr,
        "POST",
        "/auth/logout",
        &[("Origin", ORIGIN), ("Content-Length", "0")],
    );
    assert!(bytes.is_empty(), "{:?}", String::from_utf8_lossy(&bytes));
    assert_eq!(
        server.request("POST", "/auth/logout", &[], None).status,
        200
    );
}

#[test]
fn fault_truncate_sends_part_of_the_body() {
    let server = TestServer::with_faults();
    let (_, cookie) = server.login();
    server.add_fault(r#"{"path":"/auth/refresh","kind":"truncate"}"#);
    let (bytes, _) = send_raw(
        server.addr,
        "POST",
        "/auth/refresh",
        &[
            ("Origin", ORIGIN),
            ("Cookie", &format!("refresh_token={cookie}")),
            ("Content-Length", "0"),
        ],
    );
    let (head, body) = parse_head(&bytes).expect("a status line and headers");
    assert_eq!(head.status, 200);
    head.assert_cors_for(ORIGIN);
    let announced: usize = head
        .header("content-length")
        .expect("length")
        .parse()
        .expect("number");
    assert!(
        !body.is_empty() && body.len() < announced,
        "{} of {announced}",
        body.len()
    );
    assert!(Resp::parse(&bytes, false).is_none());
    // Not a real refresh: the cookie still works.
    assert_eq!(server.refresh(&cookie).status, 200);
}

#[test]
fn fault_malformed_json() {
    let server = TestServer::with_faults();
    server.add_fault(r#"{"path":"/auth/login","kind":"malformed"}"#);
    let res = server.request(
        "POST",
        "/auth/login",
        &[("Origin", ORIGIN), ("Content-Type", "application/json")],
        Some(DEMO_LOGIN),
    );
    assert_eq!(res.status, 200);
    assert_eq!(res.text(), r#"{"access_token": "#);
    assert!(res
        .header("content-type")
        .is_some_and(|t| t.starts_with("application/json")));
    assert!(serde_json::from_slice::<Value>(&res.body).is_err());
    res.assert_cors_for(ORIGIN);
}

#[test]
fn fault_nocors() {
    let server = TestServer::with_faults();
    server.add_fault(r#"{"path":"/auth/logout","kind":"nocors"}"#);
    let res = server.request("POST", "/auth/logout", &[("Origin", ORIGIN)], None);
    assert_eq!(res.status, 200);
    assert_eq!(res.json()["message"], "Logged out successfully");
    assert!(res.header("set-cookie").is_some());
    assert!(!res.has_cors(), "{res:?}");
    server
        .request("POST", "/auth/logout", &[("Origin", ORIGIN)], None)
        .assert_cors_for(ORIGIN);
}

// ---------------------------------------------------------------- record

#[test]
fn request_record_since_and_reset() {
    let server = TestServer::with_faults();
    assert_eq!(server.get("/__test/requests").json(), json!([]));
    server.request(
        "OPTIONS",
        "/auth/me?x=1",
        &[("Origin", ORIGIN), ("Access-Control-Request-Method", "GET")],
        None,
    );
    server.request(
        "GET",
        "/auth/me?x=1",
        &[("Origin", ORIGIN), ("Authorization", "Bearer abc")],
        None,
    );
    server.get("/health");
    server.get("/__test/held");
    server.request(
        "POST",
        "/auth/refresh",
        &[("Cookie", "a=1; refresh_token=xyz")],
        None,
    );
    server.request("POST", "/auth/logout", &[("Cookie", "a=1")], None);
    let all = server.get("/__test/requests").json();
    assert_eq!(
        all,
        json!([
            {"seq": 1, "method": "OPTIONS", "path": "/auth/me?x=1", "authorization": null, "origin": ORIGIN, "cookie": false},
            {"seq": 2, "method": "GET", "path": "/auth/me?x=1", "authorization": "Bearer abc", "origin": ORIGIN, "cookie": false},
            {"seq": 3, "method": "POST", "path": "/auth/refresh", "authorization": null, "origin": null, "cookie": true},
            {"seq": 4, "method": "POST", "path": "/auth/logout", "authorization": null, "origin": null, "cookie": false},
        ])
    );
    let since = server.get("/__test/requests?since=2").json();
    assert_eq!(
        since
            .as_array()
            .map(|a| a.iter().map(|r| r["seq"].clone()).collect::<Vec<_>>()),
        Some(vec![json!(3), json!(4)])
    );
    assert_eq!(server.get("/__test/requests?since=x").status, 400);

    // Reset forgets the record and queued faults; numbering goes on.
    server.add_fault(r#"{"path":"/auth/logout","kind":"status"}"#);
    let res = server.request("POST", "/__test/reset", &[], None);
    assert_eq!((res.status, res.json()), (200, json!({"ok": true})));
    assert_eq!(server.get("/__test/requests").json(), json!([]));
    assert_eq!(
        server.request("POST", "/auth/logout", &[], None).status,
        200
    );
    let after = server.get("/__test/requests").json();
    assert_eq!(after[0]["seq"], 5);
    assert_eq!(after.as_array().map(Vec::len), Some(1));
}

#[test]
fn test_endpoints_carry_cors() {
    let server = TestServer::with_faults();
    let res = server.request(
        "OPTIONS",
        "/__test/fault",
        &[
            ("Origin", ORIGIN),
            ("Access-Control-Request-Method", "POST"),
        ],
        None,
    );
    assert_eq!(res.status, 204);
    res.assert_cors_for(ORIGIN);
    for path in ["/__test/held", "/__test/requests"] {
        server
            .request("GET", path, &[("Origin", ORIGIN)], None)
            .assert_cors_for(ORIGIN);
    }
    let res = server.request(
        "POST",
        "/__test/fault",
        &[("Origin", ORIGIN), ("Content-Type", "application/json")],
        Some(r#"{"path":"/auth/me","kind":"drop"}"#),
    );
    res.assert_cors_for(ORIGIN);
    // Test calls are not recorded.
    assert_eq!(server.get("/__test/requests").json(), json!([]));
}

// ---------------------------------------------------------------- static files

#[test]
fn static_files() {
    let dir = std::env::temp_dir().join(format!("sociapp-devserver-static-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("sub")).expect("mkdir");
    std::fs::write(dir.join("index.html"), "<!doctype html><p>root</p>").expect("write");
    std::fs::write(dir.join("app.mjs"), "export {};").expect("write");
    std::fs::write(dir.join("main.js"), "1;").expect("write");
    std::fs::write(dir.join("pkg_bg.wasm"), b"\0asm\x01\0\0\0").expect("write");
    std::fs::write(dir.join("sub/index.html"), "<p>sub</p>").expect("write");
    let dir_arg = dir.to_string_lossy().into_owned();
    let server = TestServer::start(&["--static-dir", &dir_arg]);
    let addr = server.running.static_addr.expect("static listener");
    assert_ne!(addr, server.addr);
    let get = |path: &str| send(addr, "GET", path, &[], None);

    let res = get("/");
    assert_eq!(
        (res.status, res.text().as_str()),
        (200, "<!doctype html><p>root</p>")
    );
    assert_eq!(res.header("content-type"), Some("text/html; charset=utf-8"));
    assert_eq!(res.header("cache-control"), Some("no-cache"));
    assert_eq!(
        get("/app.mjs").header("content-type"),
        Some("text/javascript; charset=utf-8")
    );
    assert_eq!(
        get("/main.js").header("content-type"),
        Some("text/javascript; charset=utf-8")
    );
    let wasm = get("/pkg_bg.wasm");
    assert_eq!(wasm.header("content-type"), Some("application/wasm"));
    assert_eq!(wasm.body, b"\0asm\x01\0\0\0");
    assert_eq!(get("/sub/").text(), "<p>sub</p>");
    let res = get("/sub");
    assert_eq!((res.status, res.header("location")), (301, Some("/sub/")));
    assert_eq!(get("/missing.js").status, 404);
    assert_eq!(get("/../Cargo.toml").status, 404);
    assert_eq!(get("/%2e%2e/etc/passwd").status, 404);
    let head = send(addr, "HEAD", "/main.js", &[], None);
    assert_eq!(
        (head.status, head.header("content-length")),
        (200, Some("2"))
    );
    assert!(head.body.is_empty());
    assert_eq!(send(addr, "POST", "/", &[], None).status, 405);
    // The API listener does not serve the files.
    assert_eq!(server.get("/index.html").status, 404);
    assert_eq!(
        get("/").header("cross-origin-opener-policy"),
        None,
        "isolation only when asked"
    );

    let isolated = TestServer::start(&["--static-dir", &dir_arg, "--cross-origin-isolated"]);
    let addr = isolated.running.static_addr.expect("static listener");
    let res = send(addr, "GET", "/", &[], None);
    assert_eq!(res.status, 200);
    assert_eq!(
        res.header("cross-origin-opener-policy"),
        Some("same-origin")
    );
    assert_eq!(
        res.header("cross-origin-embedder-policy"),
        Some("require-corp")
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn static_files_stay_inside_the_directory() {
    let dir = std::env::temp_dir().join(format!(
        "sociapp-devserver-static-paths-{}",
        std::process::id()
    ));
    std::fs::create_dir_all(dir.join("sub")).expect("mkdir");
    std::fs::write(dir.join("a b.txt"), "spaced").expect("write");
    std::fs::write(dir.join("sub/x.txt"), "x").expect("write");
    let dir_arg = dir.to_string_lossy().into_owned();
    let server = TestServer::start(&["--static-dir", &dir_arg]);
    let addr = server.running.static_addr.expect("static listener");
    let get = |path: &str| send(addr, "GET", path, &[], None);

    let res = get("/a%20b.txt");
    assert_eq!((res.status, res.text().as_str()), (200, "spaced"));
    assert_eq!(
        res.header("content-type"),
        Some("text/plain; charset=utf-8")
    );
    assert_eq!(get("/sub/x.txt").text(), "x");
    for bad in [
        "/../etc/passwd",
        "/sub/../../etc/passwd",
        "/sub/%2e%2e/%2e%2e/etc/passwd",
        "/%2e%2e%2fetc%2fpasswd",
        "/%zz",
        "/a%5cb",
        "/a%00",
    ] {
        assert_eq!(get(bad).status, 404, "{bad}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}


// ---------------------------------------------------------------- the binary

#[test]
fn binary_prints_banner_and_rejects_bad_flags() {
    let exe = env!("CARGO_BIN_EXE_sociapp-devserver");
    let out = Command::new(exe).arg("--bogus").output().expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("usage: sociapp-devserver"));

    let mut child = Command::new(exe)
        .args(["--port", "0", "--test-faults"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let mut banner = Vec::new();
    let port = loop {
        let line = lines.next().expect("a line before EOF").expect("utf-8");
        if let Some(port) = line.strip_prefix("listening on http://127.0.0.1:") {
            break port.parse::<u16>().expect("port");
        }
        banner.push(line);
    };
    assert!(
        banner
            .iter()
            .any(|l| l.contains("demo@sociapp.dev") && l.contains("demo-password")),
        "{banner:?}"
    );
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream
        .write_all(b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .expect("write");
    let (bytes, _) = read_all(&mut stream);
    assert!(bytes.starts_with(b"HTTP/1.1 200"));

    // A registration "mails" its code: a line on standard output.
    let body = registration("mail@sociapp.dev").to_string();
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect");
    let request = format!(
        "POST /auth/register HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).expect("write");
    let (bytes, _) = read_all(&mut stream);
    assert!(bytes.starts_with(b"HTTP/1.1 201"));
    let mail = lines.next().expect("a line").expect("utf-8");
    let code = mail.strip_prefix("mail to mail@sociapp.dev: verification code ").expect(&mail);
    assert!(code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()), "{mail}");
    child.kill().expect("kill");
    let _ = child.wait();
}
