//! Member accounts: the seeded demo users and the members registered while
//! the server runs, with their email verification codes.

use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::Value;

use crate::json;

/// A verification code is valid this long after it is sent.
pub const CODE_TTL_MS: u64 = 15 * 60 * 1000;

/// A seeded demo account (the server's accounts start as copies of these).
/// The password never leaves the server.
#[derive(Debug)]
pub struct User {
    /// `IdUsuario`, and the tokens' `sub`.
    pub id: u64,
    pub email: &'static str,
    pub nombre: &'static str,
    pub apellidos: &'static str,
    pub password: &'static str,
    pub email_verified: bool,
    /// `fechaalta`.
    pub joined: &'static str,
}

impl User {
    /// The user object of `GET /auth/me`: the public backend's `usuarios`
    /// row without the password (no `id` field: `IdUsuario` is the id).
    pub fn to_json(&self) -> String {
        Account::seed(self).to_json()
    }
}

/// The demo accounts (same password; the second one has not verified its email).
pub const USERS: [User; 2] = [
    User {
        id: 1,
        email: "demo@sociapp.dev",
        nombre: "Demo",
        apellidos: "Usuario",
        password: "demo-password",
        email_verified: true,
        joined: "2026-01-01",
    },
    User {
        id: 2,
        email: "unverified@sociapp.dev",
        nombre: "Sin",
        apellidos: "Verificar",
        password: "demo-password",
        email_verified: false,
        joined: "2026-01-01",
    },
];

/// The member's row as the public backend keeps it (`usuarios`), besides the
/// id, email, password and verification state of [`Account`].
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    pub nombre: String,
    pub apellidos: String,
    pub dni: String,
    pub direccion: String,
    pub cp: String,
    pub provincia: String,
    pub poblacion: String,
    pub pais: String,
    pub telefono: String,
    /// `fechaalta`, a date.
    pub fechaalta: String,
    pub fechabaja: Option<String>,
    pub formadepago: String,
    /// The decimal column as the database driver answers it: a string.
    pub cuota: String,
    pub categoria: String,
    pub socio: String,
}

/// What `POST /auth/register` stores.
#[derive(Debug, Clone, PartialEq)]
pub struct Registration {
    pub email: String,
    pub password: String,
    pub profile: Profile,
}

/// A verification code and when it stops being valid (ms since the epoch).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Code {
    pub code: String,
    pub expires_ms: u64,
}

/// One account. The password never leaves the server.
#[derive(Debug, Clone, PartialEq)]
pub struct Account {
    /// `IdUsuario`, and the tokens' `sub`.
    pub id: u64,
    pub email: String,
    pub password: String,
    pub profile: Profile,
    /// `isVerified`.
    pub verified: bool,
    /// `verificationCode` and `verificationExpires`; `None` once verified.
    pub code: Option<Code>,
}

impl Account {
    /// A seeded demo user as the database holds it (no code yet).
    pub fn seed(user: &User) -> Self {
        Self {
            id: user.id,
            email: user.email.to_owned(),
            password: user.password.to_owned(),
            profile: Profile {
                nombre: user.nombre.to_owned(),
                apellidos: user.apellidos.to_owned(),
                dni: "00000000T".to_owned(),
                direccion: "Calle Mayor 1".to_owned(),
                cp: "28013".to_owned(),
                provincia: "Madrid".to_owned(),
                poblacion: "Madrid".to_owned(),
                pais: "España".to_owned(),
                telefono: "600000000".to_owned(),
                fechaalta: user.joined.to_owned(),
                fechabaja: None,
                formadepago: "Domiciliación".to_owned(),
                cuota: "0".to_owned(),
                categoria: "Socio".to_owned(),
                socio: "Sí".to_owned(),
            },
            verified: user.email_verified,
            code: None,
        }
    }

    /// The user object of `GET /auth/me`: the public backend's `usuarios`
    /// row without the password (no `id` field: `IdUsuario` is the id).
    pub fn to_json(&self) -> String {
        let p = &self.profile;
        let text = |s: &str| Value::from(s);
        json::object(&[
            ("IdUsuario", Value::from(self.id)),
            ("nombre", text(&p.nombre)),
            ("apellidos", text(&p.apellidos)),
            ("dni", text(&p.dni)),
            ("direccion", text(&p.direccion)),
            ("CP", text(&p.cp)),
            ("provincia", text(&p.provincia)),
            ("poblacion", text(&p.poblacion)),
            ("pais", text(&p.pais)),
            ("email", text(&self.email)),
            ("telefono", text(&p.telefono)),
            ("fechaalta", text(&p.fechaalta)),
            (
                "fechabaja",
                p.fechabaja.as_deref().map_or(Value::Null, text),
            ),
            ("formadepago", text(&p.formadepago)),
            ("cuota", text(&p.cuota)),
            ("categoria", text(&p.categoria)),
            ("socio", text(&p.socio)),
            ("isVerified", Value::from(self.verified)),
            (
                "verificationCode",
                self.code.as_ref().map_or(Value::Null, |c| text(&c.code)),
            ),
            (
                "verificationExpires",
                self.code
                    .as_ref()
                    .map_or(Value::Null, |c| Value::from(iso_utc(c.expires_ms))),
            ),
        ])
    }
}

/// The answer to a verification attempt.
#[derive(Debug, Clone, PartialEq)]
pub enum Verification {
    UnknownEmail,
    AlreadyVerified,
    /// The code had expired; the registration has been deleted.
    Expired,
    WrongCode,
    /// Now verified.
    Verified(Box<Account>),
}

/// The answer to a request for a new code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resend {
    UnknownEmail,
    AlreadyVerified,
    Sent,
}

/// All accounts, seeded ones first. Ids are never reused (as with the
/// database's auto-increment), not even across resets.
#[derive(Debug)]
pub struct Accounts {
    list: Vec<Account>,
    next_id: u64,
}

impl Accounts {
    /// The demo users as at start: the unverified one has a code.
    pub fn seeded(now_ms: u64) -> Self {
        let mut accounts = Self {
            list: Vec::new(),
            next_id: 0,
        };
        accounts.reset(now_ms);
        accounts
    }

    /// Back to the seeded users (registered accounts gone); ids go on.
    pub fn reset(&mut self, now_ms: u64) {
        self.list = USERS
            .iter()
            .map(|user| {
                let mut account = Account::seed(user);
                if !account.verified {
                    account.code = Some(new_code(now_ms));
                }
                account
            })
            .collect();
        let last_seed = USERS.iter().map(|u| u.id).max().unwrap_or(0);
        self.next_id = self.next_id.max(last_seed + 1);
    }

    /// The account with this email, compared case-insensitively.
    pub fn find(&self, email: &str) -> Option<&Account> {
        self.list
            .iter()
            .find(|a| a.email.eq_ignore_ascii_case(email))
    }

    fn position(&self, email: &str) -> Option<usize> {
        self.list
            .iter()
            .position(|a| a.email.eq_ignore_ascii_case(email))
    }

    /// The account a token names: same id and same email.
    pub fn find_token_subject(&self, id: u64, email: &str) -> Option<&Account> {
        self.list.iter().find(|a| a.id == id && a.email == email)
    }

    /// Adds an unverified account with a new code; `false` if the email
    /// already exists.
    pub fn register(&mut self, registration: Registration, now_ms: u64) -> bool {
        if self.find(&registration.email).is_some() {
            return false;
        }
        let id = self.next_id;
        self.next_id += 1;
        self.list.push(Account {
            id,
            email: registration.email,
            password: registration.password,
            profile: registration.profile,
            verified: false,
            code: Some(new_code(now_ms)),
        });
        true
    }

    /// Checks a code: an expired one deletes the registration, the right
    /// one verifies the account and clears the code.
    pub fn verify(&mut self, email: &str, code: &str, now_ms: u64) -> Verification {
        let Some(i) = self.position(email) else {
            return Verification::UnknownEmail;
        };
        let account = &self.list[i];
        if account.verified {
            return Verification::AlreadyVerified;
        }
        let (expired, right) = match &account.code {
            Some(c) => (c.expires_ms <= now_ms, c.code == code),
            None => (false, false),
        };
        if expired {
            self.list.remove(i);
            return Verification::Expired;
        }
        if !right {
            return Verification::WrongCode;
        }
        let account = &mut self.list[i];
        account.verified = true;
        account.code = None;
        Verification::Verified(Box::new(account.clone()))
    }

    /// A new code, valid [`CODE_TTL_MS`] from now.
    pub fn resend(&mut self, email: &str, now_ms: u64) -> Resend {
        let Some(i) = self.position(email) else {
            return Resend::UnknownEmail;
        };
        let account = &mut self.list[i];
        if account.verified {
            return Resend::AlreadyVerified;
        }
        account.code = Some(new_code(now_ms));
        Resend::Sent
    }

    /// The current code of an account (what the last mail carried).
    pub fn code(&self, email: &str) -> Option<&Code> {
        self.find(email)?.code.as_ref()
    }

    /// Makes an account's code expired as of `now_ms`; `false` if it has none.
    pub fn expire_code(&mut self, email: &str, now_ms: u64) -> bool {
        let Some(i) = self.position(email) else {
            return false;
        };
        match &mut self.list[i].code {
            Some(code) => {
                code.expires_ms = now_ms;
                true
            }
            None => false,
        }
    }
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// A random 6-digit code valid [`CODE_TTL_MS`] from `now_ms`.
fn new_code(now_ms: u64) -> Code {
    let mut bytes = [0u8; 4];
    let n = match getrandom::fill(&mut bytes) {
        Ok(()) => u32::from_le_bytes(bytes),
        // No system randomness: the clock is good enough for a dev server.
        Err(_) => SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos()),
    };
    Code {
        code: format!("{:06}", n % 1_000_000),
        expires_ms: now_ms.saturating_add(CODE_TTL_MS),
    }
}

/// `2026-01-01T00:15:00.000Z`, as a JavaScript `Date` turns into JSON.
pub fn iso_utc(ms: u64) -> String {
    let secs = ms / 1000;
    let days = secs / 86_400;
    let rem = secs % 86_400;
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        ms % 1000
    )
}

/// Year, month and day of a day count since 1970-01-01 (proleptic Gregorian).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z % 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn registration(email: &str) -> Registration {
        let mut profile = Account::seed(&USERS[0]).profile;
        profile.cuota = "25".to_owned();
        Registration {
            email: email.to_owned(),
            password: "pw".to_owned(),
            profile,
        }
    }

    #[test]
    fn dates() {
        assert_eq!(iso_utc(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso_utc(951_782_400_000), "2000-02-29T00:00:00.000Z");
        assert_eq!(iso_utc(1_767_226_500_123), "2026-01-01T00:15:00.123Z");
    }

    #[test]
    fn seeds_register_verify_and_reset() {
        let mut accounts = Accounts::seeded(1000);
        assert!(accounts.code("demo@sociapp.dev").is_none());
        let seeded_code = accounts.code("UNVERIFIED@sociapp.dev").cloned().unwrap();
        assert_eq!(seeded_code.code.len(), 6);
        assert_eq!(seeded_code.expires_ms, 1000 + CODE_TTL_MS);

        assert!(accounts.register(registration("new@x.dev"), 0));
        assert!(!accounts.register(registration("NEW@x.dev"), 0));
        assert!(!accounts.register(registration("demo@sociapp.dev"), 0));
        assert_eq!(accounts.find("new@x.dev").map(|a| a.id), Some(3));
        let code = accounts.code("new@x.dev").cloned().unwrap();
        let wrong = if code.code == "000000" {
            "111111"
        } else {
            "000000"
        };
        assert_eq!(
            accounts.verify("new@x.dev", wrong, 1),
            Verification::WrongCode
        );
        let Verification::Verified(account) = accounts.verify("new@x.dev", &code.code, 1) else {
            panic!("not verified");
        };
        assert!(account.verified && account.code.is_none());
        assert_eq!(
            accounts.verify("new@x.dev", &code.code, 1),
            Verification::AlreadyVerified
        );
        assert_eq!(accounts.resend("new@x.dev", 1), Resend::AlreadyVerified);
        assert_eq!(accounts.resend("nobody@x.dev", 1), Resend::UnknownEmail);
        assert_eq!(
            accounts.verify("nobody@x.dev", "123456", 1),
            Verification::UnknownEmail
        );

        // An expired code deletes the registration.
        assert!(accounts.register(registration("late@x.dev"), 0));
        assert!(accounts.expire_code("late@x.dev", 5));
        assert_eq!(
            accounts.verify("late@x.dev", "123456", 5),
            Verification::Expired
        );
        assert!(accounts.find("late@x.dev").is_none());
        assert!(!accounts.expire_code("late@x.dev", 5));

        accounts.reset(0);
        assert!(accounts.find("new@x.dev").is_none());
        assert!(accounts.register(registration("new@x.dev"), 0));
        assert_eq!(
            accounts.find("new@x.dev").map(|a| a.id),
            Some(5),
            "ids are not reused"
        );
    }

    #[test]
    fn row_json() {
        let mut accounts = Accounts::seeded(0);
        assert!(accounts.register(registration("new@x.dev"), 0));
        let value: Value =
            serde_json::from_str(&accounts.find("new@x.dev").unwrap().to_json()).unwrap();
        assert_eq!(value["IdUsuario"], 3);
        assert_eq!(value["cuota"], "25");
        assert_eq!(value["isVerified"], false);
        assert_eq!(value["verificationExpires"], "1970-01-01T00:15:00.000Z");
        assert!(value.get("password").is_none());
    }
}
