//! Statements noted as they run, while a capture is on (the query-plan benchmark's view of
//! what a use case asks the database): off, it costs one relaxed atomic load a statement.

use super::{Arg, Value};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

static ON: AtomicBool = AtomicBool::new(false);
static NOTED: Mutex<Vec<(String, Vec<Value>)>> = Mutex::new(Vec::new());

/// Notes a statement about to run, when a capture is on.
pub(crate) fn note(sql: &str, args: &[Arg<'_>]) {
    if ON.load(Ordering::Relaxed)
        && let Ok(mut noted) = NOTED.lock()
    {
        noted.push((sql.to_owned(), args.iter().map(Value::from).collect()));
    }
}

/// Starts noting statements (forgetting any noted before).
pub(crate) fn start() {
    if let Ok(mut noted) = NOTED.lock() {
        noted.clear();
    }
    ON.store(true, Ordering::Relaxed);
}

/// Stops noting; the statements noted since [`start`].
pub(crate) fn stop() -> Vec<(String, Vec<Value>)> {
    ON.store(false, Ordering::Relaxed);
    NOTED
        .lock()
        .map(|mut noted| std::mem::take(&mut *noted))
        .unwrap_or_default()
}
