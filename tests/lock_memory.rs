//! The refresh lock ([`TabLock`]) under the lock suite (`lock_suite/`),
//! natively, on [`MemoryLock`], the twin of the browser's lock platform (Web
//! Locks, and marked absent, the claims in localStorage that stand in
//! without them), in [`MemoryTime`], which the test moves (to the next
//! deadline whenever everything waits).
#![cfg(not(target_arch = "wasm32"))]

use sociapp_auth::effects::{Lock, MemoryLock, MemoryTime};
use sociapp_auth::lock::{TabLock, SETTLE_MS};

mod lock_suite;
use lock_suite::*;

type Twin = TabLock<MemoryLock, MemoryTime>;

struct Memory(MemoryLock);

impl Memory {
    /// With Web Locks (`web`), or with claims.
    fn new(web: bool) -> Memory {
        let mut lock = MemoryLock::default();
        lock.absent = !web;
        Memory(lock)
    }

    /// A page of its own.
    fn tab(&self) -> Twin {
        TabLock { platform: self.0.tab(), clock: self.0.time.clone() }
    }

    fn run<T>(&self, f: impl core::future::Future<Output = T>) -> T {
        self.0.time.run(f)
    }
}

impl Bench for Memory {
    type Lock = Twin;
    fn tabs(&self) -> (Twin, Twin) {
        (self.tab(), self.tab())
    }
    async fn pass(&self, ms: u32) {
        self.0.time.advance(f64::from(ms));
    }
}

macro_rules! suite {
    ($($name:ident),*) => {
        mod web_locks {
            use super::*;
            $(#[test]
            fn $name() {
                let m = Memory::new(true);
                m.run(lock_suite::$name(&m));
            })*
        }
        mod claims {
            use super::*;
            $(#[test]
            fn $name() {
                let m = Memory::new(false);
                m.run(lock_suite::$name(&m));
            })*
        }
    };
}

suite!(one_holder_at_a_time, a_waiter_gives_up_after_its_timeout, a_holder_lets_go_after_its_timeout, names_are_independent, turns_alternate);

#[test]
fn every_grant_of_web_locks_is_recorded() {
    let m = Memory::new(true);
    m.run(lock_suite::turns_alternate(&m));
    assert_eq!(m.0.taken.borrow().len(), 9);
}

#[test]
fn a_claim_holds_once_the_other_claims_had_time_to_land() {
    let m = Memory::new(false);
    let held = m.run(m.tab().acquire(NAME, 10_000));
    assert!(held.is_some());
    assert_eq!(m.0.time.now(), f64::from(SETTLE_MS), "claimed, then read after the settle window");
    drop(held);
    let other = m.run(m.tab().acquire(NAME, 10_000));
    assert!(other.is_some(), "the claim was removed as it let go");
}

/// Polls `f` once.
fn poll<F: core::future::Future>(f: core::pin::Pin<&mut F>) -> Option<F::Output> {
    match f.poll(&mut core::task::Context::from_waker(core::task::Waker::noop())) {
        core::task::Poll::Ready(v) => Some(v),
        core::task::Poll::Pending => None,
    }
}

/// A tab that got Web Locks' lock after waiting holds it once it sees the
/// holder's release stamp (the holder's writes before it have arrived).
#[test]
fn a_tab_that_waited_holds_the_lock_once_it_sees_the_release_stamp() {
    let mut m = Memory::new(true);
    m.0.lagging = true;
    let held = m.run(m.tab().acquire(NAME, 10_000)).expect("A takes the free lock");
    let b = m.tab();
    let mut waiting = core::pin::pin!(b.acquire(NAME, 10_000));
    assert!(poll(waiting.as_mut()).is_none(), "B waits while A holds the lock");
    m.0.time.advance(100.0);
    drop(held);
    assert!(poll(waiting.as_mut()).is_none(), "B does not hold it before A's stamp reaches it");
    m.0.time.advance(150.0);
    assert!(poll(waiting.as_mut()).is_none());
    m.0.deliver();
    assert!(poll(waiting.as_mut()).is_some_and(|g| g.is_some()), "B holds it once the stamp arrived");
    assert_eq!(m.0.time.now(), 250.0);
}

/// A tab that asks again right after its own release, and waits only for
/// that release to take effect, does not wait for a stamp it wrote itself.
#[test]
fn a_tab_does_not_wait_for_its_own_release_stamp() {
    let mut m = Memory::new(true);
    m.0.slow_release = true;
    let a = m.tab();
    drop(m.run(a.acquire(NAME, 10_000)).expect("free"));
    let again = m.run(a.acquire(NAME, 10_000));
    assert!(again.is_some());
    assert_eq!(m.0.time.now(), 0.5, "held as its release took effect, not after a wait for a stamp");
}
