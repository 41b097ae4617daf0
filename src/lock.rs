//! The refresh lock across the app's tabs, and every decision it makes, one
//! step of the [`LockPlatform`] at a time (in the browser: Web Locks and
//! localStorage, through `lock_step` in `src/js/host.js`).
//!
//! With the platform's lock, a tab first asks for it if it is free, else
//! waits for it. A tab sees another tab's localStorage writes a moment after
//! they are made; so that a tab that waited sees what the holder stored (a
//! new token), the platform stores a release stamp as a holder lets go, and
//! a tab that got the lock after waiting also waits (at most its timeout)
//! until it sees a new stamp: the writes before it have arrived by then.
//!
//! Without it (pages that are not a secure context), a claim in the shared
//! storage stands in: a tab claims the lock where there is no claim or it has
//! run out, waits [`SETTLE_MS`] for another tab's claim to land (the last
//! write wins), and holds the lock if its claim is still there. What it
//! cannot promise: two tabs whose writes reach each other more than
//! `SETTLE_MS` apart may both hold it; a tab that dies holding it blocks the
//! others until its claim runs out.

use crate::effects::{Clock, Lock, LockAnswer, LockPlatform};
use crate::wire::lock_step::*;

/// How long a tab lets the other tabs' claims land before it reads whether
/// its claim won, and how often it looks again.
pub const SETTLE_MS: u32 = 50;

/// The refresh lock: the platform's own where the page has it, else claims
/// in the shared storage (see the module's notes).
#[derive(Clone, Debug)]
pub struct TabLock<P, C> {
    pub platform: P,
    pub clock: C,
}

/// Holds a [`TabLock`] until dropped.
pub enum TabGuard<P: LockPlatform> {
    /// The platform's lock (it stores the release stamp as it lets go).
    Held(P::Held),
    /// A claim: removed as it lets go while it is still this one.
    Claimed { platform: P, name: String, owner: f64 },
}

impl<P: LockPlatform> Drop for TabGuard<P> {
    fn drop(&mut self) {
        if let TabGuard::Claimed { platform, name, owner } = self {
            platform.unclaim(name, *owner);
        }
    }
}

impl<P: LockPlatform + Clone, C: Clock> Lock for TabLock<P, C> {
    type Guard = TabGuard<P>;

    async fn acquire(&self, name: &str, timeout_ms: u32) -> Option<TabGuard<P>> {
        let owner = self.clock.random();
        let give_up = self.clock.now_ms() + f64::from(timeout_ms);
        // The release stamp seen first; the platform's lock once held.
        let mut before = f64::NAN;
        let mut held = None;
        let mut claimed = false;
        let (mut step, mut a, mut b) = (STAMPS, 0.0, 0.0);
        loop {
            let ms = if step == SLEEP { SETTLE_MS } else { timeout_ms };
            let answer = self.platform.step(step, name, ms, a, b).await;
            let now = self.clock.now_ms();
            (step, a, b) = match (step, answer) {
                (STAMPS, LockAnswer::Numbers(seen, mine)) => match held.take() {
                    None => {
                        before = seen;
                        (ASK, 0.0, 0.0)
                    }
                    // Got after a wait: a wait only for this page's own
                    // release (still taking effect when it asked again) has
                    // nothing to wait for, as this page sees its own writes.
                    Some(h) if seen == mine && before == mine => return Some(TabGuard::Held(h)),
                    h => {
                        held = h;
                        (CHANGED, before, 0.0)
                    }
                },
                (ASK, LockAnswer::Held(h)) => return Some(TabGuard::Held(h)),
                (WAIT, LockAnswer::Held(h)) => {
                    held = Some(h);
                    (STAMPS, 0.0, 0.0)
                }
                (ASK, LockAnswer::Nothing) => (WAIT, 0.0, 0.0),
                (ASK, LockAnswer::Absent) | (SLEEP, _) => (CLAIM_OF, 0.0, 0.0),
                (CHANGED, _) => return held.map(TabGuard::Held),
                (CLAIM_OF, LockAnswer::Numbers(holder, _)) if claimed && holder == owner => {
                    return Some(TabGuard::Claimed { platform: self.platform.clone(), name: name.to_owned(), owner });
                }
                (CLAIM_OF, LockAnswer::Numbers(_, until)) if now < give_up => {
                    // A claim that ran out is free.
                    claimed = until < now;
                    if claimed { (CLAIM, owner, now + f64::from(timeout_ms)) } else { (SLEEP, 0.0, 0.0) }
                }
                (CLAIM_OF, LockAnswer::Nothing) if now < give_up => {
                    claimed = true;
                    (CLAIM, owner, now + f64::from(timeout_ms))
                }
                // Two tabs may claim at once: the last write wins.
                (CLAIM, LockAnswer::Absent) => (SLEEP, 0.0, 0.0),
                // Refused, timed out, or the storage failed: on without the lock.
                _ => return None,
            };
        }
    }
}
