//! Reads that run back to back may share one snapshot of the database.
//!
//! A request's reads often come one after the other with nothing to wait for in between:
//! the bearer check, then the page it opens. [`scoped`] runs a future so that a store can
//! keep what it read with (on SQLite, a reader connection inside a read transaction) in the
//! scope from one read to the next, and so skip the cost of a transaction for each one. The
//! scope holds it only while the future runs without waiting: each time the future is
//! pending (a network read, a write's commit, a lock), and when it ends, whatever the scope
//! holds is handed back, so a held connection never waits on anything else and reads after a
//! wait see what was committed during it.
//!
//! What a store keeps here is its own business (this module knows no connection type). A
//! store calls [`end`] when it writes, so that reads after the write see it: that drops what
//! the scope keeps and refuses, from then on, what was taken before.
//!
//! The contract for code that runs in a scope: a wait is what ends a snapshot. Something
//! learned without a wait (a spawned write's handle that has already finished, a channel
//! already holding a message, an in-memory cache) can announce a write the kept snapshot
//! predates; code that reads after learning of a write that way calls [`end`] first.

use std::any::Any;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use tokio::task::futures::TaskLocalFuture;

tokio::task_local! {
    static SCOPE: Arc<ReadScope>;
}

/// What the current scope holds between two reads.
#[derive(Default)]
struct ReadScope {
    kept: Mutex<Option<Box<dyn Any + Send>>>,
    /// Advanced by each [`end`].
    generation: AtomicU64,
}

impl ReadScope {
    /// Drops what is kept and advances the generation.
    fn end(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        let kept = self
            .kept
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        drop(kept);
    }
}

/// Runs `future` in a read scope: the reads it makes with no wait in between may share one
/// snapshot.
pub fn scoped<F: Future>(future: F) -> Scoped<F> {
    let scope = Arc::new(ReadScope::default());
    Scoped {
        inner: Box::pin(SCOPE.scope(scope.clone(), future)),
        scope,
    }
}

/// A future run in a read scope ([`scoped`]).
pub struct Scoped<F: Future> {
    inner: Pin<Box<TaskLocalFuture<Arc<ReadScope>, F>>>,
    scope: Arc<ReadScope>,
}

impl<F: Future> Future for Scoped<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let poll = self.inner.as_mut().poll(cx);
        // Pending or done, nothing is kept past this poll, and what was taken before it is
        // not kept after.
        self.scope.end();
        poll
    }
}

/// Whether the calling task runs in a read scope.
#[must_use]
pub fn active() -> bool {
    SCOPE.try_with(|_| ()).is_ok()
}

/// Takes what the current scope keeps, if it is a `T`.
#[must_use]
pub fn take<T: Any + Send>() -> Option<T> {
    SCOPE
        .try_with(|scope| {
            let mut kept = scope.kept.lock().unwrap_or_else(PoisonError::into_inner);
            match kept.take()?.downcast::<T>() {
                Ok(value) => Some(*value),
                Err(other) => {
                    *kept = Some(other);
                    None
                }
            }
        })
        .ok()
        .flatten()
}

/// The current scope's generation, which [`end`] advances (0 outside a scope): what is
/// taken in one generation can only be kept in the same.
#[must_use]
pub fn generation() -> u64 {
    SCOPE
        .try_with(|scope| scope.generation.load(Ordering::SeqCst))
        .unwrap_or(0)
}

/// Keeps `value` in the current scope until the next read takes it, if the scope is still at
/// `generation` and keeps nothing else; otherwise gives it back (so also outside a scope, and
/// while a scope hands back what it kept).
///
/// # Errors
/// `value` itself, to be disposed of as outside a scope.
pub fn keep<T: Any + Send>(value: T, generation: u64) -> Result<(), T> {
    let mut value = Some(value);
    let _ = SCOPE.try_with(|scope| {
        let mut kept = scope.kept.lock().unwrap_or_else(PoisonError::into_inner);
        if kept.is_none()
            && scope.generation.load(Ordering::SeqCst) == generation
            && let Some(value) = value.take()
        {
            *kept = Some(Box::new(value));
        }
    });
    match value {
        None => Ok(()),
        Some(value) => Err(value),
    }
}

/// Ends what the current scope shares (the calling task writes): drops what it keeps and
/// advances its generation, so that nothing taken before is kept again.
pub fn end() {
    // The value kept is dropped outside `try_with`, which a store's drop may call again.
    let scope = SCOPE.try_with(Arc::clone);
    if let Ok(scope) = scope {
        scope.end();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Counts how often it was dropped.
    struct Held(Arc<std::sync::atomic::AtomicUsize>);

    impl Drop for Held {
        fn drop(&mut self) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    #[tokio::test]
    async fn what_a_read_keeps_is_there_for_the_next_read_until_the_future_waits() {
        let dropped = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counter = dropped.clone();
        scoped(async move {
            assert!(active());
            let generation = generation();
            assert!(take::<Held>().is_none(), "a new scope holds nothing");
            assert!(keep(Held(counter.clone()), generation).is_ok());
            assert!(take::<u32>().is_none(), "another type is not taken");
            let again = take::<Held>().expect("kept for the next read");
            assert!(keep(again, generation).is_ok());
            // A second value is refused while one is kept.
            let refused = keep(Held(counter.clone()), generation).err();
            assert!(refused.is_some(), "one value at a time");
            drop(refused);
            assert_eq!(counter.load(Ordering::SeqCst), 1);
            tokio::task::yield_now().await;
            // The wait handed it back.
            assert_eq!(counter.load(Ordering::SeqCst), 2);
            assert!(take::<Held>().is_none());
            // What was taken before the wait is not kept after it.
            let refused = keep(Held(counter.clone()), generation).err();
            assert!(refused.is_some());
            drop(refused);
            assert!(keep(Held(counter.clone()), self::generation()).is_ok());
        })
        .await;
        assert_eq!(
            dropped.load(Ordering::SeqCst),
            4,
            "the end of the scope handed back the last one"
        );
        assert!(!active());
        assert!(take::<Held>().is_none());
        assert!(keep(7_u32, 0).is_err(), "outside a scope nothing is kept");
    }

    #[tokio::test]
    async fn a_write_ends_what_is_kept_and_refuses_what_was_taken_before_it() {
        let dropped = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counter = dropped.clone();
        scoped(async move {
            let before = generation();
            assert!(keep(Held(counter.clone()), before).is_ok());
            let taken = take::<Held>().expect("kept");
            assert!(keep(Held(counter.clone()), before).is_ok());
            end();
            assert_eq!(
                counter.load(Ordering::SeqCst),
                1,
                "what was kept is dropped"
            );
            assert!(take::<Held>().is_none());
            let refused = keep(taken, before).err();
            assert!(refused.is_some(), "taken before the write: not kept again");
            assert!(keep(Held(counter.clone()), generation()).is_ok());
        })
        .await;
        assert_eq!(dropped.load(Ordering::SeqCst), 3);
    }
}
