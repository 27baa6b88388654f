//! SQLite on `rusqlite`: readers from a pool, each statement prepared once per connection and
//! run in the calling task (a read of an indexed page takes microseconds, less than handing it
//! to another thread would), and one writer whose transactions are shared by the requests
//! that write at the same time (group commit).
//!
//! Group commit: a write takes the writer connection, opens the shared transaction if none is
//! open (`BEGIN IMMEDIATE`), runs inside a savepoint of its own and releases it (or rolls back
//! to it, which undoes that write alone), gives the connection back and waits. A committer
//! thread takes the connection in its turn, behind every write already queued for it, and
//! commits all the released writes with one `COMMIT`, one sync of the WAL; only then is each
//! write told it succeeded. A write is never acknowledged before its COMMIT is durable, and a
//! failed COMMIT fails every write of its batch. Under load a batch holds the writes that
//! queued while the previous COMMIT was syncing; alone, a write is committed at once.
//!
//! Durability: WAL with `synchronous = FULL` and foreign keys on, on every connection.

use super::args::{DATE_FORMAT, placeholder};
use super::{Arg, Cols, DbError};
use paceline_domain::read_scope;
use rusqlite::{Connection, OpenFlags, Statement};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, mpsc};
use std::time::Duration;
use tokio::sync::{Mutex, MutexGuard, OwnedSemaphorePermit, Semaphore, TryAcquireError, watch};

/// Prepared statements kept per connection: every statement of the store fits.
const STATEMENT_CACHE: usize = 256;

/// The SQLite database: a pool of readers and the writer.
#[derive(Clone)]
pub(crate) struct Sqlite {
    shared: Arc<Shared>,
}

struct Shared {
    path: PathBuf,
    wait: Duration,
    readers: std::sync::Mutex<Vec<Connection>>,
    reader_slots: Arc<Semaphore>,
    max_readers: u32,
    writer: Arc<Mutex<WriterState>>,
    committer: mpsc::Sender<Wake>,
    closed: AtomicBool,
}

impl std::fmt::Debug for Sqlite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sqlite")
            .field("path", &self.shared.path)
            .finish_non_exhaustive()
    }
}

/// The writer connection and the transaction its writes share, if one is open.
struct WriterState {
    conn: Option<Connection>,
    batch: Option<Batch>,
    /// COMMITs of at least one write, since the store opened.
    commits: u64,
}

/// The writes released into the open transaction, waiting for its COMMIT.
struct Batch {
    members: usize,
    outcome: watch::Sender<Option<Result<(), String>>>,
}

impl Batch {
    fn new() -> Self {
        Self {
            members: 0,
            outcome: watch::Sender::new(None),
        }
    }

    fn finish(self, outcome: Result<(), String>) {
        self.outcome.send_replace(Some(outcome));
    }
}

enum Wake {
    Commit,
    Stop,
}

fn unavailable(why: &str) -> DbError {
    DbError::Unavailable(why.to_owned())
}

impl Sqlite {
    /// Opens the writer (which creates the file) and starts its committer; readers open as
    /// they are needed, up to `max_readers` at once. Each waits up to `wait` for a lock.
    pub(crate) fn open(path: &Path, max_readers: u32, wait: Duration) -> Result<Self, DbError> {
        Self::open_with_delay(path, max_readers, wait, commit_delay())
    }

    /// [`Sqlite::open`], with the committer pausing `delay` before each COMMIT (for tests).
    pub(crate) fn open_with_delay(
        path: &Path,
        max_readers: u32,
        wait: Duration,
        delay: Duration,
    ) -> Result<Self, DbError> {
        let conn = connect(path, wait, false)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        let writer = Arc::new(Mutex::new(WriterState {
            conn: Some(conn),
            batch: None,
            commits: 0,
        }));
        let (committer, wake) = mpsc::channel();
        let state = writer.clone();
        std::thread::Builder::new()
            .name("sqlite-commit".to_owned())
            .spawn(move || commit_loop(&state, &wake, delay))
            .map_err(|e| DbError::Unavailable(format!("cannot start the committer: {e}")))?;
        Ok(Self {
            shared: Arc::new(Shared {
                path: path.to_owned(),
                wait,
                readers: std::sync::Mutex::new(Vec::new()),
                reader_slots: Arc::new(Semaphore::new(max_readers.max(1) as usize)),
                max_readers: max_readers.max(1),
                writer,
                committer,
                closed: AtomicBool::new(false),
            }),
        })
    }

    /// The readers in use (each holds a slot) and kept idle.
    pub(crate) fn connections(&self) -> paceline_domain::store::Connections {
        let shared = &self.shared;
        let free = u32::try_from(shared.reader_slots.available_permits()).unwrap_or(u32::MAX);
        let idle = shared.readers.lock().map_or(0, |readers| {
            u32::try_from(readers.len()).unwrap_or(u32::MAX)
        });
        paceline_domain::store::Connections {
            in_use: shared.max_readers.saturating_sub(free),
            idle,
            max: shared.max_readers,
        }
    }

    /// The database file.
    pub(crate) fn path(&self) -> &Path {
        &self.shared.path
    }

    /// How long a connection waits for a lock.
    pub(crate) fn wait(&self) -> Duration {
        self.shared.wait
    }

    /// A reader connection, waiting while every one is in use. In a read scope
    /// ([`paceline_domain::read_scope`]) it is the scope's reader, inside the read transaction
    /// that the scope's reads share: one snapshot, one transaction for reads that follow each
    /// other without a wait.
    pub(crate) async fn reader(&self) -> Result<PooledReader, DbError> {
        if !read_scope::active() {
            return Ok(PooledReader {
                held: Some(self.pooled().await?),
                scope: None,
            });
        }
        if self.shared.closed.load(Ordering::SeqCst) {
            return Err(unavailable("the database is closed"));
        }
        let held = match read_scope::take::<Held>() {
            Some(held) if Arc::ptr_eq(&held.shared, &self.shared) => held,
            other => {
                // Another store's reader (a test with two stores) goes back to its pool.
                drop(other);
                let mut held = self.pooled().await?;
                held.begin()?;
                held
            }
        };
        Ok(PooledReader {
            held: Some(held),
            scope: Some(read_scope::generation()),
        })
    }

    /// A connection from the pool.
    async fn pooled(&self) -> Result<Held, DbError> {
        let shared = &self.shared;
        // A free slot without a timer; a timer only for a wait.
        let permit = match shared.reader_slots.clone().try_acquire_owned() {
            Ok(permit) => permit,
            Err(TryAcquireError::Closed) => return Err(unavailable("the database is closed")),
            Err(TryAcquireError::NoPermits) => {
                tokio::time::timeout(shared.wait, shared.reader_slots.clone().acquire_owned())
                    .await
                    .map_err(|_| unavailable("timed out waiting for a reader connection"))?
                    .map_err(|_| unavailable("the database is closed"))?
            }
        };
        let idle = shared
            .readers
            .lock()
            .map_err(|_| unavailable("poisoned"))?
            .pop();
        let conn = match idle {
            Some(conn) => conn,
            None => connect(&shared.path, shared.wait, true)?,
        };
        Ok(Held {
            conn: Some(conn),
            shared: shared.clone(),
            _permit: permit,
        })
    }

    /// A reader inside a read transaction, so that its reads see one snapshot (in a read
    /// scope, the scope's).
    pub(crate) async fn snapshot(&self) -> Result<PooledReader, DbError> {
        let mut reader = self.reader().await?;
        if let Some(held) = reader.held.as_mut() {
            held.begin()?;
        }
        Ok(reader)
    }

    /// Begins a write: a savepoint in the shared transaction.
    pub(crate) async fn begin(&self) -> Result<WriteTx<'_>, DbError> {
        // A write is under way: the snapshot the task's read scope shares ends here, and
        // again once the write is durable (below), so the reads after it see it.
        read_scope::end();
        let shared = &self.shared;
        let mut state = match shared.writer.try_lock() {
            Ok(state) => state,
            Err(_) => tokio::time::timeout(shared.wait, shared.writer.lock())
                .await
                .map_err(|_| unavailable("timed out waiting for the writer"))?,
        };
        let WriterState { conn, batch, .. } = &mut *state;
        let conn = conn
            .as_mut()
            .ok_or_else(|| unavailable("the database is closed"))?;
        if batch.is_none() {
            conn.execute_batch("BEGIN IMMEDIATE")?;
            *batch = Some(Batch::new());
        }
        if let Err(e) = conn.execute_batch("SAVEPOINT write") {
            if batch.as_ref().is_some_and(|b| b.members == 0) {
                let _ = conn.execute_batch("ROLLBACK");
                *batch = None;
            }
            return Err(e.into());
        }
        // Writes released before this one and not yet committed are visible to it: what it
        // answers may rest on them, so it ends only once they are durable.
        let observed = batch
            .as_ref()
            .filter(|b| b.members > 0)
            .map(|b| b.outcome.subscribe());
        Ok(WriteTx {
            state,
            shared,
            open: true,
            observed,
        })
    }

    /// How many COMMITs wrote something since the store opened (each may carry many writes).
    #[cfg(test)]
    pub(crate) async fn commits(&self) -> u64 {
        self.shared.writer.lock().await.commits
    }

    /// Commits the open transaction, closes every connection and stops the committer; reads
    /// and writes after it fail as unavailable.
    pub(crate) async fn close(&self) {
        let shared = &self.shared;
        shared.closed.store(true, Ordering::SeqCst);
        shared.reader_slots.close();
        if let Ok(mut readers) = shared.readers.lock() {
            readers.clear();
        }
        let mut state = shared.writer.lock().await;
        commit_batch(&mut state);
        state.conn = None;
        drop(state);
        let _ = shared.committer.send(Wake::Stop);
    }
}

/// A pause before each COMMIT, for the durability tests only: with
/// `PACELINE_TEST_COMMIT_DELAY_MS` set, a test can kill the process while a batch of released
/// writes waits for its COMMIT.
fn commit_delay() -> Duration {
    std::env::var("PACELINE_TEST_COMMIT_DELAY_MS")
        .ok()
        .and_then(|ms| ms.parse().ok())
        .map_or(Duration::ZERO, Duration::from_millis)
}

/// Opens a connection with the store's settings; readers are query-only.
fn connect(path: &Path, wait: Duration, reader: bool) -> Result<Connection, DbError> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags)?;
    conn.busy_timeout(wait)?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    conn.execute_batch("PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL;")?;
    if reader {
        conn.execute_batch("PRAGMA query_only = ON;")?;
    }
    Ok(conn)
}

/// A reader connection, back in the pool when dropped (or, in a read scope, kept in the scope
/// for its next read).
pub(crate) struct PooledReader {
    held: Option<Held>,
    /// In a read scope: the scope's generation when the reader was taken.
    scope: Option<u64>,
}

impl PooledReader {
    pub(super) fn connection(&mut self) -> &mut Connection {
        self.held
            .as_mut()
            .and_then(|held| held.conn.as_mut())
            .unwrap_or_else(|| unreachable!("taken only on drop"))
    }
}

impl Drop for PooledReader {
    fn drop(&mut self) {
        if let Some(generation) = self.scope
            && let Some(held) = self.held.take()
            && let Err(held) = read_scope::keep(held, generation)
        {
            drop(held);
        }
    }
}

/// A pooled reader connection and its slot; back in the pool when dropped.
struct Held {
    conn: Option<Connection>,
    shared: Arc<Shared>,
    _permit: OwnedSemaphorePermit,
}

impl Held {
    /// Opens a read transaction (its snapshot is taken at its first read), unless one is
    /// open: the connection says, so a transaction SQLite ended on an error is begun again.
    fn begin(&mut self) -> Result<(), DbError> {
        if let Some(conn) = self.conn.as_mut()
            && conn.is_autocommit()
        {
            conn.prepare_cached("BEGIN")?.execute([])?;
        }
        Ok(())
    }
}

impl Drop for Held {
    /// Ends its read transaction, if one is open, and goes back to the pool.
    fn drop(&mut self) {
        let Some(conn) = self.conn.take() else { return };
        if !conn.is_autocommit()
            && conn
                .prepare_cached("ROLLBACK")
                .and_then(|mut end| end.execute([]))
                .is_err()
        {
            return;
        }
        if !self.shared.closed.load(Ordering::SeqCst)
            && let Ok(mut readers) = self.shared.readers.lock()
        {
            readers.push(conn);
        }
    }
}

/// A write in progress: the writer connection, inside this write's savepoint.
pub(crate) struct WriteTx<'d> {
    state: MutexGuard<'d, WriterState>,
    shared: &'d Arc<Shared>,
    open: bool,
    /// The outcome of the writes released before this one began, when there were any.
    observed: Option<Outcome>,
}

type Outcome = watch::Receiver<Option<Result<(), String>>>;

/// Waits for a shared transaction's COMMIT.
async fn durable(mut outcome: Outcome) -> Result<(), DbError> {
    let outcome = outcome
        .wait_for(Option::is_some)
        .await
        .map_err(|_| unavailable("the shared transaction was abandoned"))?
        .clone();
    match outcome {
        Some(Ok(())) => Ok(()),
        Some(Err(why)) => Err(DbError::Unavailable(format!("commit failed: {why}"))),
        None => Err(unavailable("the shared transaction was abandoned")),
    }
}

impl WriteTx<'_> {
    pub(super) fn connection(&mut self) -> &mut Connection {
        self.state
            .conn
            .as_mut()
            .unwrap_or_else(|| unreachable!("a write holds an open connection"))
    }

    /// Releases the savepoint into the shared transaction and waits for its COMMIT.
    pub(crate) async fn commit(mut self) -> Result<(), DbError> {
        self.connection().execute_batch("RELEASE write")?;
        self.open = false;
        let Some(batch) = self.state.batch.as_mut() else {
            return Err(unavailable("the shared transaction ended"));
        };
        batch.members += 1;
        let outcome = batch.outcome.subscribe();
        let committer = self.shared.committer.clone();
        drop(self);
        committer
            .send(Wake::Commit)
            .map_err(|_| unavailable("the committer stopped"))?;
        let durable = durable(outcome).await;
        // A reader another branch of this task began while the COMMIT was pending predates
        // it: not one for the reads after this write.
        read_scope::end();
        durable
    }

    /// Undoes this write, then waits until the writes it could see are durable: an answer
    /// drawn from what it read (a stale version, a missing row) must not rest on writes that
    /// could still be lost, and a caller that reads again sees them.
    pub(crate) async fn rollback(mut self) -> Result<(), DbError> {
        let observed = self.observed.take();
        drop(self);
        let durable = match observed {
            Some(outcome) => durable(outcome).await,
            None => Ok(()),
        };
        read_scope::end();
        durable
    }
}

impl Drop for WriteTx<'_> {
    /// Undoes this write alone, unless it was committed.
    fn drop(&mut self) {
        if !self.open {
            return;
        }
        let WriterState { conn, batch, .. } = &mut *self.state;
        let Some(conn) = conn.as_mut() else { return };
        let undone = conn.execute_batch("ROLLBACK TO write; RELEASE write");
        let members = batch.as_ref().map_or(0, |b| b.members);
        if conn.is_autocommit() {
            // SQLite ended the whole transaction (an I/O error, a full disk): the writes
            // released into it are lost with it, and told so.
            if let Some(batch) = batch.take() {
                batch.finish(Err(
                    "the transaction was rolled back by the database".to_owned()
                ));
            }
        } else if undone.is_err() || members == 0 {
            // Nothing released waits for this transaction (or it cannot be trusted): end it,
            // so the write lock is not held for nothing.
            let _ = conn.execute_batch("ROLLBACK");
            if let Some(batch) = batch.take() {
                batch.finish(Err("the transaction was rolled back".to_owned()));
            }
        }
    }
}

/// The committer thread: commits the open transaction each time a write is released into
/// it, until the store is closed or dropped.
fn commit_loop(writer: &Mutex<WriterState>, wake: &mpsc::Receiver<Wake>, delay: Duration) {
    while let Ok(message) = wake.recv() {
        if !delay.is_zero() {
            std::thread::sleep(delay);
        }
        let mut stop = matches!(message, Wake::Stop);
        // Wake-ups sent before the lock is taken are served by the same COMMIT.
        while let Ok(message) = wake.try_recv() {
            stop |= matches!(message, Wake::Stop);
        }
        let mut state = writer.blocking_lock();
        commit_batch(&mut state);
        if stop {
            state.conn = None;
            return;
        }
    }
    let mut state = writer.blocking_lock();
    commit_batch(&mut state);
    state.conn = None;
}

/// Commits the open transaction, if any, and tells its writes how it went.
fn commit_batch(state: &mut WriterState) {
    let Some(batch) = state.batch.take() else {
        return;
    };
    let Some(conn) = state.conn.as_mut() else {
        batch.finish(Err("the database is closed".to_owned()));
        return;
    };
    let outcome = if batch.members == 0 {
        conn.execute_batch("ROLLBACK")
    } else {
        conn.execute_batch("COMMIT")
    };
    if outcome.is_err() && !conn.is_autocommit() {
        let _ = conn.execute_batch("ROLLBACK");
    }
    if outcome.is_ok() && batch.members > 0 {
        state.commits += 1;
    }
    batch.finish(outcome.map_err(|e| e.to_string()));
}

/// Binds `args` to the statement's `$N` placeholders.
fn bind(stmt: &mut Statement<'_>, args: &[Arg<'_>]) -> Result<(), DbError> {
    for index in 1..=stmt.parameter_count() {
        let name = stmt.parameter_name(index).unwrap_or("?");
        let arg = placeholder(name)
            .and_then(|n| args.get(n - 1))
            .ok_or_else(|| {
                DbError::Statement(format!(
                    "placeholder `{name}` has no value ({} given)",
                    args.len()
                ))
            })?;
        match *arg {
            Arg::I64(v) => stmt.raw_bind_parameter(index, v)?,
            Arg::I32(v) => stmt.raw_bind_parameter(index, v)?,
            Arg::F64(v) => stmt.raw_bind_parameter(index, v)?,
            Arg::Bool(v) => stmt.raw_bind_parameter(index, v)?,
            Arg::Text(v) => stmt.raw_bind_parameter(index, v)?,
            Arg::Blob(v) => stmt.raw_bind_parameter(index, v)?,
            Arg::Time(v) => stmt.raw_bind_parameter(index, v.map(micros).transpose()?)?,
            Arg::Date(v) => stmt.raw_bind_parameter(
                index,
                v.map(|d| d.format(DATE_FORMAT))
                    .transpose()
                    .map_err(|e| DbError::Statement(e.to_string()))?,
            )?,
            Arg::Json(v) => {
                stmt.raw_bind_parameter(index, v.map(serde_json::value::RawValue::get))?
            }
        }
    }
    Ok(())
}

/// An instant as SQLite keeps it: microseconds since the Unix epoch.
fn micros(at: time::OffsetDateTime) -> Result<i64, DbError> {
    i64::try_from(at.unix_timestamp_nanos() / 1000)
        .map_err(|_| DbError::Statement(format!("{at} is out of range")))
}

pub(super) fn execute(conn: &mut Connection, sql: &str, args: &[Arg<'_>]) -> Result<u64, DbError> {
    super::capture::note(sql, args);
    let mut stmt = conn.prepare_cached(sql)?;
    bind(&mut stmt, args)?;
    Ok(stmt.raw_execute()? as u64)
}

pub(super) fn rows<T>(
    conn: &mut Connection,
    sql: &str,
    args: &[Arg<'_>],
    first_only: bool,
    mut read: impl FnMut(&mut Cols<'_>) -> Result<T, DbError>,
) -> Result<Vec<T>, DbError> {
    super::capture::note(sql, args);
    let mut stmt = conn.prepare_cached(sql)?;
    bind(&mut stmt, args)?;
    let mut rows = stmt.raw_query();
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(read(&mut Cols::sqlite(row))?);
        if first_only {
            break;
        }
    }
    Ok(out)
}

/// `EXPLAIN QUERY PLAN`'s lines for a query, and the virtual machine steps it takes to run
/// to its end (which grow with the rows it visits).
pub(super) fn explain(
    conn: &mut Connection,
    sql: &str,
    args: &[Arg<'_>],
) -> Result<(Vec<String>, u64), DbError> {
    let mut plan = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}"))?;
    bind(&mut plan, args)?;
    let mut lines = Vec::new();
    let mut rows = plan.raw_query();
    while let Some(row) = rows.next()? {
        lines.push(row.get::<_, String>(3)?);
    }
    drop(rows);
    let mut stmt = conn.prepare(sql)?;
    bind(&mut stmt, args)?;
    let mut rows = stmt.raw_query();
    while rows.next()?.is_some() {}
    drop(rows);
    let steps = stmt.get_status(rusqlite::StatementStatus::VmStep);
    Ok((lines, u64::try_from(steps).unwrap_or_default()))
}
