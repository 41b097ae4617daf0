//! The refresh lock's memory twin under the lock suite (`lock_suite/`):
//! natively, with the twin's own time moved by the test.
#![cfg(not(target_arch = "wasm32"))]

use core::future::Future;
use core::task::{Context, Poll, Waker};

use sociapp_auth::effects::MemoryLock;

mod lock_suite;
use lock_suite::*;

struct Memory(MemoryLock);

impl Bench for Memory {
    type Lock = MemoryLock;
    fn tabs(&self) -> (MemoryLock, MemoryLock) {
        (self.0.clone(), self.0.clone())
    }
    async fn pass(&self, ms: u32) {
        self.0.advance(f64::from(ms));
    }
}

/// Runs a future whose waits end by the test's own moves.
fn run<T>(f: impl Future<Output = T>) -> T {
    let mut f = core::pin::pin!(f);
    let mut cx = Context::from_waker(Waker::noop());
    match f.as_mut().poll(&mut cx) {
        Poll::Ready(v) => v,
        Poll::Pending => panic!("the suite waits for something the twin never does"),
    }
}

#[test]
fn one_holder_at_a_time() {
    run(lock_suite::one_holder_at_a_time(&Memory(MemoryLock::default())));
}

#[test]
fn a_waiter_gives_up_after_its_timeout() {
    run(lock_suite::a_waiter_gives_up_after_its_timeout(&Memory(MemoryLock::default())));
}

#[test]
fn a_holder_lets_go_after_its_timeout() {
    run(lock_suite::a_holder_lets_go_after_its_timeout(&Memory(MemoryLock::default())));
}

#[test]
fn names_are_independent() {
    run(lock_suite::names_are_independent(&Memory(MemoryLock::default())));
}

#[test]
fn turns_alternate() {
    run(lock_suite::turns_alternate(&Memory(MemoryLock::default())));
}

#[test]
fn every_acquisition_is_recorded() {
    let lock = MemoryLock::default();
    run(lock_suite::turns_alternate(&Memory(lock.clone())));
    assert_eq!(lock.taken.borrow().len(), 9);
}
