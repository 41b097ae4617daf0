//! The module's futures on the page's event loop: tasks polled in
//! microtasks, JavaScript promises awaited as futures, futures handed to
//! JavaScript as promises. Its JavaScript half is in `src/js/host.js`.
//!
//! The module runs on one thread and polls only its own futures, so a task
//! is a slot in one table and its waker is the slot's number: waking a task
//! queues one microtask that polls it (however often it is woken first).

use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll, RawWaker, RawWakerVTable, Waker};
use std::cell::{Cell, RefCell};

use js_sys::{Array, Promise};
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};

use crate::wire::promise_state;

#[wasm_bindgen(module = "/src/js/host.js")]
extern "C" {
    /// Hands the module's exports to the JavaScript half, which polls a task
    /// (by number) with [`sociapp_poll`].
    fn tasks(exports: &JsValue);
    /// Polls task `id` in a microtask.
    fn wake(id: u32);
    /// Watches `promise`; see [`Settled`].
    fn watch(promise: &Promise) -> JsValue;
    /// 1 resolved, 0 rejected, 2 still pending (then the task `id` is woken
    /// once it settles).
    fn state(watched: &JsValue, id: u32) -> u32;
    /// `[promise, resolve, reject]`.
    fn deferred() -> Array;
    /// Resolves (`ok`) or rejects the promise of `deferred` with `value`.
    fn settle(deferred: &Array, ok: bool, value: &JsValue);
}

type Task = Pin<Box<dyn Future<Output = ()>>>;

thread_local! {
    /// The tasks by number; `None`: a free slot.
    static TASKS: RefCell<Vec<Option<Task>>> = const { RefCell::new(Vec::new()) };
    static STARTED: Cell<bool> = const { Cell::new(false) };
}

fn waker_of(id: usize) -> Waker {
    fn clone(p: *const ()) -> RawWaker {
        RawWaker::new(p, &VTABLE)
    }
    fn wake_task(p: *const ()) {
        wake(p as usize as u32);
    }
    fn drop_waker(_: *const ()) {}
    static VTABLE: RawWakerVTable = RawWakerVTable::new(clone, wake_task, wake_task, drop_waker);
    // SAFETY: the waker's data is a task number, not a pointer: every
    // function of the table only copies it or passes it to `wake`.
    unsafe { Waker::from_raw(RawWaker::new(id as *const (), &VTABLE)) }
}

/// Polls task `id` once. A task polls with its slot holding a stand-in, so
/// that tasks it spawns take other slots.
fn poll(id: u32) {
    let id = id as usize;
    let stand_in: Task = Box::pin(core::future::pending());
    let Some(mut task) =
        TASKS.with_borrow_mut(|t| t.get_mut(id).and_then(|slot| slot.replace(stand_in)))
    else {
        return;
    };
    let waker = waker_of(id);
    let done = task
        .as_mut()
        .poll(&mut Context::from_waker(&waker))
        .is_ready();
    TASKS.with_borrow_mut(|t| {
        if let Some(slot) = t.get_mut(id) {
            *slot = if done { None } else { Some(task) };
        }
    });
}

/// Polls task `id`: the JavaScript half's microtasks call it by this name
/// (an export of the module itself, so no JavaScript closure is needed).
#[no_mangle]
pub extern "C" fn sociapp_poll(id: u32) {
    poll(id);
}

/// Runs a future to completion; its first poll comes in a microtask.
pub fn spawn(f: impl Future<Output = ()> + 'static) {
    if !STARTED.replace(true) {
        tasks(&wasm_bindgen::exports());
    }
    let task: Task = Box::pin(f);
    let id = TASKS.with_borrow_mut(|t| match t.iter().position(Option::is_none) {
        Some(free) => {
            if let Some(slot) = t.get_mut(free) {
                *slot = Some(task);
            }
            free
        }
        None => {
            t.push(Some(task));
            t.len() - 1
        }
    });
    wake(id as u32);
}

/// A promise of what the future gives: resolved with its `Ok`, rejected
/// with its `Err`.
pub fn promise(f: Pin<Box<dyn Future<Output = Result<JsValue, JsValue>>>>) -> Promise {
    let d = deferred();
    let p = d.get(0).unchecked_into();
    spawn(Settle(f, d));
    p
}

/// Runs a future, then resolves or rejects the promise of `deferred()`
/// with what it gave: a plain future, where an `async` block would add a
/// state machine.
struct Settle(Pin<Box<dyn Future<Output = Result<JsValue, JsValue>>>>, Array);

impl Future for Settle {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let Poll::Ready(result) = self.0.as_mut().poll(cx) else { return Poll::Pending };
        let (ok, value) = match result {
            Ok(v) => (true, v),
            Err(e) => (false, e),
        };
        settle(&self.1, ok, &value);
        Poll::Ready(())
    }
}

/// A promise as a future: ready with its value (`Ok`) or what it was
/// rejected with (`Err`). The promise is watched from the start, so a
/// rejection before the first poll is handled too.
pub struct Settled(JsValue);

impl From<Promise> for Settled {
    fn from(p: Promise) -> Settled {
        Settled(watch(&p))
    }
}

impl Settled {
    /// This future with `f` applied to its output (a plain future, where an
    /// `async` block would add a state machine).
    pub fn map<T>(self, f: fn(Result<JsValue, JsValue>) -> T) -> Mapped<T> {
        Mapped(self, f)
    }
}

/// See [`Settled::map`].
pub struct Mapped<T>(Settled, fn(Result<JsValue, JsValue>) -> T);

impl<T> Future for Mapped<T> {
    type Output = T;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        let f = self.1;
        Pin::new(&mut self.0).poll(cx).map(f)
    }
}

impl Future for Settled {
    type Output = Result<JsValue, JsValue>;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // This module's tasks are the only ones that poll its futures: the
        // waker's data is the task's number.
        let id = cx.waker().data() as usize as u32;
        match state(&self.0, id) {
            promise_state::PENDING => Poll::Pending,
            ok => {
                let v = crate::js::get(&self.0, "v");
                Poll::Ready(if ok == promise_state::RESOLVED { Ok(v) } else { Err(v) })
            }
        }
    }
}
