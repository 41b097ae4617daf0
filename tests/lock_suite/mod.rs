//! What the refresh lock must do, as tests generic over where it runs: the
//! memory twin natively (`tests/lock_memory.rs`, time moved by the test) and
//! the browser's lock in real browsers (`tests/lock.rs`, with Web Locks and
//! with the localStorage lock that stands in without them, in real time).
//! Each test gives two tabs' locks on one table.
#![allow(dead_code)]

use core::future::Future;
use core::pin::pin;
use core::task::Poll;

use sociapp_auth::effects::Lock;

pub const NAME: &str = "sociapp-auth:lock-suite:refresh";

/// Where the suite runs.
pub trait Bench {
    type Lock: Lock;
    /// The locks of two tabs of one app (one lock table).
    fn tabs(&self) -> (Self::Lock, Self::Lock);
    /// Lets `ms` pass (in real time, the futures awaited after it do).
    fn pass(&self, ms: u32) -> impl Future<Output = ()>;
}

/// Polls `f` once: whether it is ready.
async fn ready_now<F: Future>(f: core::pin::Pin<&mut F>) -> bool {
    let mut f = f;
    core::future::poll_fn(|cx| Poll::Ready(f.as_mut().poll(cx).is_ready())).await
}

/// A tab that wants the lock while another holds it waits, and gets it as
/// soon as the holder lets go.
pub async fn one_holder_at_a_time<B: Bench>(bench: &B) {
    let (a, b) = bench.tabs();
    let held = a.acquire(NAME, 10_000).await.expect("A takes the free lock");
    let mut waiting = pin!(b.acquire(NAME, 10_000));
    assert!(!ready_now(waiting.as_mut()).await, "B waits while A holds the lock");
    drop(held);
    let got = waiting.await;
    assert!(got.is_some(), "B takes the lock A let go");
}

/// A tab that waits longer than its timeout goes on without the lock.
pub async fn a_waiter_gives_up_after_its_timeout<B: Bench>(bench: &B) {
    let (a, b) = bench.tabs();
    let held = a.acquire(NAME, 10_000).await.expect("A takes the free lock");
    let mut waiting = pin!(b.acquire(NAME, 300));
    assert!(!ready_now(waiting.as_mut()).await);
    bench.pass(400).await;
    assert!(waiting.await.is_none(), "B gave up after 300 ms");
    drop(held);
}

/// A holder that never lets go (a tab that hangs) holds the lock for its
/// timeout at most.
pub async fn a_holder_lets_go_after_its_timeout<B: Bench>(bench: &B) {
    let (a, b) = bench.tabs();
    let stuck = a.acquire(NAME, 300).await.expect("A takes the free lock");
    let mut waiting = pin!(b.acquire(NAME, 10_000));
    assert!(!ready_now(waiting.as_mut()).await);
    bench.pass(400).await;
    assert!(waiting.await.is_some(), "B takes the lock A's hold lost after 300 ms");
    drop(stuck);
}

/// Locks of other names do not contend.
pub async fn names_are_independent<B: Bench>(bench: &B) {
    let (a, b) = bench.tabs();
    let held = a.acquire(NAME, 10_000).await.expect("A takes the free lock");
    let mut other = String::from(NAME);
    other.push_str(":other");
    let got = b.acquire(&other, 300).await;
    assert!(got.is_some(), "another name is free");
    drop(held);
}

/// One tab after the other, several times: each acquisition waits for the
/// one before it, never both at once.
pub async fn turns_alternate<B: Bench>(bench: &B) {
    let (a, b) = bench.tabs();
    for _ in 0..3 {
        let held = a.acquire(NAME, 10_000).await.expect("A");
        let mut waiting = pin!(b.acquire(NAME, 10_000));
        assert!(!ready_now(waiting.as_mut()).await);
        drop(held);
        let held = waiting.await.expect("B");
        let mut waiting = pin!(a.acquire(NAME, 10_000));
        assert!(!ready_now(waiting.as_mut()).await);
        drop(held);
        drop(waiting.await.expect("A again"));
    }
}
