//! An in-process server on an ephemeral port and a minimal blocking HTTP/1.1
//! client over `TcpStream` (every request uses `Connection: close`).

#![allow(dead_code)]

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::Value;
use sociapp_devserver::{parse_args, start, Command, Running};

pub const ORIGIN: &str = "http://localhost:5173";
pub const DEMO_LOGIN: &str = r#"{"email":"demo@sociapp.dev","password":"demo-password"}"#;

pub struct TestServer {
    runtime: Option<tokio::runtime::Runtime>,
    pub running: Running,
    pub addr: SocketAddr,
}

impl TestServer {
    /// Starts a server with these flags plus `--port 0`.
    pub fn start(args: &[&str]) -> Self {
        let mut all = vec!["--port", "0"];
        all.extend_from_slice(args);
        let Ok(Command::Run(config)) = parse_args(all.iter().copied()) else {
            panic!("bad test flags {args:?}");
        };
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let running = runtime.block_on(start(config)).expect("server starts");
        let addr = running.addr;
        Self {
            runtime: Some(runtime),
            running,
            addr,
        }
    }

    pub fn with_faults() -> Self {
        Self::start(&["--test-faults"])
    }

    pub fn request(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&str>,
    ) -> Resp {
        send(self.addr, method, path, headers, body)
    }

    pub fn get(&self, path: &str) -> Resp {
        self.request("GET", path, &[], None)
    }

    pub fn post_json(&self, path: &str, body: &str) -> Resp {
        self.request(
            "POST",
            path,
            &[("Content-Type", "application/json")],
            Some(body),
        )
    }

    /// Logs the demo user in; returns the access token and the refresh cookie value.
    pub fn login(&self) -> (String, String) {
        let res = self.post_json("/auth/login", DEMO_LOGIN);
        assert_eq!(res.status, 200, "{}", res.text());
        let access = res.json()["access_token"]
            .as_str()
            .expect("access_token")
            .to_owned();
        (access, refresh_cookie_value(&res).expect("refresh cookie"))
    }

    pub fn refresh(&self, cookie: &str) -> Resp {
        let cookie = format!("refresh_token={cookie}");
        self.request("POST", "/auth/refresh", &[("Cookie", &cookie)], None)
    }

    pub fn me(&self, access: &str) -> Resp {
        let auth = format!("Bearer {access}");
        self.request("GET", "/auth/me", &[("Authorization", &auth)], None)
    }

    /// The verification code the server "mailed" to `email` (`/__test/code`).
    pub fn code(&self, email: &str) -> String {
        let res = self.get(&format!("/__test/code?email={}", email.replace('@', "%40")));
        assert_eq!(res.status, 200, "{}", res.text());
        res.json()["code"].as_str().expect("code").to_owned()
    }

    pub fn add_fault(&self, json: &str) -> Resp {
        let res = self.post_json("/__test/fault", json);
        assert_eq!(res.status, 200, "{}", res.text());
        res
    }

    pub fn held(&self) -> Value {
        self.get("/__test/held").json()
    }

    /// Opens a connection and sends a request without reading the answer.
    pub fn open(&self, method: &str, path: &str, headers: &[(&str, &str)]) -> TcpStream {
        let mut stream = TcpStream::connect(self.addr).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(20)))
            .expect("timeout");
        stream
            .write_all(request_bytes(method, path, headers, None).as_bytes())
            .expect("write");
        stream
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

fn request_bytes(method: &str, path: &str, headers: &[(&str, &str)], body: Option<&str>) -> String {
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
    for (name, value) in headers {
        req.push_str(&format!("{name}: {value}\r\n"));
    }
    let body = body.unwrap_or("");
    if !body.is_empty() || method == "POST" {
        req.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    req.push_str("\r\n");
    req.push_str(body);
    req
}

/// Everything read from a connection until the server closed it, and whether
/// it ended with an error (e.g. a reset) rather than a clean EOF.
pub fn read_all(stream: &mut TcpStream) -> (Vec<u8>, Option<io::ErrorKind>) {
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return (out, None),
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return (out, Some(e.kind())),
        }
    }
}

/// Sends a request and returns the raw bytes of the answer (possibly none).
pub fn send_raw(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
) -> (Vec<u8>, Option<io::ErrorKind>) {
    exchange(addr, method, path, headers, None)
}

/// Writes one request on a new connection and reads until it closes.
fn exchange(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> (Vec<u8>, Option<io::ErrorKind>) {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .expect("timeout");
    stream
        .write_all(request_bytes(method, path, headers, body).as_bytes())
        .expect("write");
    read_all(&mut stream)
}

pub fn send(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> Resp {
    let (bytes, err) = exchange(addr, method, path, headers, body);
    assert!(err.is_none(), "{method} {path}: read error {err:?}");
    Resp::parse(&bytes, method == "HEAD").unwrap_or_else(|| {
        panic!(
            "{method} {path}: bad answer {:?}",
            String::from_utf8_lossy(&bytes)
        )
    })
}

#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    /// Lower-cased names, in order.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Resp {
    /// Parses a complete answer; checks the body against Content-Length.
    pub fn parse(bytes: &[u8], head_only: bool) -> Option<Self> {
        let (head, body) = parse_head(bytes)?;
        if let Some(len) = head.header("content-length") {
            let len: usize = len.parse().ok()?;
            if !head_only && len != body.len() {
                return None;
            }
        }
        Some(Self {
            body: body.to_vec(),
            ..head
        })
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn header_all(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }

    /// Whether any CORS (or Vary) header is present.
    pub fn has_cors(&self) -> bool {
        self.headers
            .iter()
            .any(|(n, _)| n.starts_with("access-control-") || n == "vary")
    }

    pub fn assert_cors_for(&self, origin: &str) {
        assert_eq!(
            self.header("access-control-allow-origin"),
            Some(origin),
            "{self:?}"
        );
        assert_eq!(
            self.header("access-control-allow-credentials"),
            Some("true")
        );
        assert_eq!(self.header("vary"), Some("Origin"));
        assert_eq!(self.header("access-control-expose-headers"), None);
    }
}

/// The status line and headers, and the bytes after them.
pub fn parse_head(bytes: &[u8]) -> Option<(Resp, &[u8])> {
    let end = bytes.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&bytes[..end]).ok()?;
    let mut lines = head.split("\r\n");
    let status = lines
        .next()?
        .strip_prefix("HTTP/1.1 ")?
        .get(..3)?
        .parse()
        .ok()?;
    let headers = lines
        .map(|l| {
            let (n, v) = l.split_once(':')?;
            Some((n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        })
        .collect::<Option<Vec<_>>>()?;
    if headers
        .iter()
        .any(|(n, v)| n == "transfer-encoding" && v.contains("chunked"))
    {
        panic!("chunked answers are not expected from this server");
    }
    Some((
        Resp {
            status,
            headers,
            body: Vec::new(),
        },
        &bytes[end + 4..],
    ))
}

/// A complete `POST /auth/register` body for `email`, as a JSON value to
/// change before sending.
pub fn registration(email: &str) -> Value {
    serde_json::json!({
        "nombre": "Ana",
        "apellidos": "García López",
        "password": "ana-password",
        "dni": "12345678Z",
        "direccion": "Calle Luna 3",
        "CP": "41001",
        "provincia": "Sevilla",
        "poblacion": "Sevilla",
        "pais": "España",
        "email": email,
        "telefono": "611222333",
        "fechaalta": "2026-02-01",
        "formadepago": "Transferencia",
        "cuota": 12.5,
        "categoria": "Socio",
        "socio": "Socio"
    })
}

/// The value of the `refresh_token` cookie a response sets.
pub fn refresh_cookie_value(res: &Resp) -> Option<String> {
    res.header_all("set-cookie")
        .into_iter()
        .find_map(|c| c.strip_prefix("refresh_token="))
        .and_then(|c| c.split(';').next())
        .map(str::to_owned)
}

/// The decoded payload of a JWT.
pub fn jwt_payload(token: &str) -> Value {
    let part = token.split('.').nth(1).expect("three parts");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).expect("base64url")).expect("JSON payload")
}

/// Polls `cond` until it holds (panics after 10 s).
pub fn wait_until(what: &str, mut cond: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !cond() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

pub fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs()
}
