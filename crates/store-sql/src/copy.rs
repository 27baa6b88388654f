//! A whole installation's database copied from one engine to the other (SQLite to
//! PostgreSQL and back, or between two PostgreSQL databases): every table, every row with
//! its id, then the id sequences, so that every id, token and file reference the source
//! handed out keeps working and no id is handed out twice. The copy refuses a target that
//! holds any row, reads the source in one snapshot, and ends by comparing each table's row
//! count and the set of its primary keys on both sides.
//!
//! What each column holds comes from PostgreSQL's catalogue (SQLite's declared types do not
//! tell a timestamp from a number); both schemas are the same migrations' (a test compares
//! them), so one engine describes both.

use crate::db::{Arg, Cols, Db, DbError, Reader, Value, first};
use crate::{Database, OpenError, OpenOptions, SqlStore};
use std::collections::{BTreeMap, BTreeSet};
use std::hash::{DefaultHasher, Hash, Hasher};
use time::OffsetDateTime;

/// What a column holds, as PostgreSQL names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    I64,
    I32,
    F64,
    Bool,
    Text,
    Blob,
    Time,
    Date,
    Json,
}

impl Kind {
    fn of(data_type: &str) -> Result<Self, CopyError> {
        Ok(match data_type {
            "bigint" => Self::I64,
            "integer" | "smallint" => Self::I32,
            "double precision" | "real" => Self::F64,
            "boolean" => Self::Bool,
            "text" | "character varying" => Self::Text,
            "bytea" => Self::Blob,
            "timestamp with time zone" => Self::Time,
            "date" => Self::Date,
            "jsonb" | "json" => Self::Json,
            other => return Err(CopyError::Schema(format!("a column of type {other}"))),
        })
    }

    /// Whether a row may be large (a page of such rows is kept short).
    fn is_bulky(self) -> bool {
        matches!(self, Self::Blob | Self::Json)
    }
}

/// One column of `kind`, read as a [`Value`].
fn read_value(kind: Kind, cols: &mut Cols<'_>) -> Result<Value, DbError> {
    Ok(match kind {
        Kind::I64 => Value::I64(cols.get()?),
        Kind::I32 => Value::I32(cols.get()?),
        Kind::F64 => Value::F64(cols.get()?),
        Kind::Bool => Value::Bool(cols.get()?),
        Kind::Text => Value::Text(cols.get()?),
        Kind::Blob => Value::Blob(cols.get()?),
        Kind::Time => Value::Time(cols.get()?),
        Kind::Date => Value::Date(cols.get()?),
        Kind::Json => Value::Json(cols.get()?),
    })
}

/// The same text for the same key on either engine, for comparing key sets.
fn key_text(value: &Value) -> String {
    match value {
        Value::I64(v) => format!("{v:?}"),
        Value::I32(v) => format!("{:?}", v.map(i64::from)),
        Value::F64(v) => format!("{v:?}"),
        Value::Bool(v) => format!("{v:?}"),
        Value::Text(v) => format!("{v:?}"),
        Value::Blob(v) => format!("{v:?}"),
        Value::Time(v) => format!("{:?}", v.map(OffsetDateTime::unix_timestamp_nanos)),
        Value::Date(v) => format!("{v:?}"),
        Value::Json(v) => format!("{:?}", v.as_ref().map(|json| json.0.get())),
    }
}

/// A table: its columns in order, its primary key and its identity column, if any.
#[derive(Debug, Clone)]
struct Table {
    name: String,
    columns: Vec<(String, Kind)>,
    key: Vec<usize>,
    identity: Option<String>,
}

impl Table {
    fn column_list(&self) -> String {
        self.columns
            .iter()
            .map(|(name, _)| name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn key_list(&self) -> String {
        self.key
            .iter()
            .filter_map(|&i| self.columns.get(i).map(|(name, _)| name.as_str()))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Rows a page reads: few when a row may be large.
    fn page_rows(&self) -> i64 {
        if self.columns.iter().any(|(_, kind)| kind.is_bulky()) {
            64
        } else {
            2000
        }
    }

    /// Rows one `INSERT` carries, well under either engine's limit on parameters.
    fn rows_per_insert(&self) -> usize {
        (30_000 / self.columns.len().max(1)).clamp(1, 500)
    }

    fn read_row(&self, cols: &mut Cols<'_>) -> Result<Vec<Value>, DbError> {
        self.columns
            .iter()
            .map(|(_, kind)| read_value(*kind, cols))
            .collect()
    }
}

/// How far a copy has come, for a progress bar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CopyProgress {
    /// The rows to copy, over every table, counted before the copy starts.
    Counted {
        /// Rows in all.
        rows: u64,
        /// Tables in all.
        tables: usize,
    },
    /// A table's copy begins.
    Table {
        /// Its name.
        name: String,
        /// Its rows.
        rows: u64,
    },
    /// `rows` more rows were written.
    Rows(u64),
    /// The copy is being checked against the source.
    Verifying,
}

/// What a finished copy moved.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CopyReport {
    /// Rows per table, in the order they were copied; each checked on both sides.
    pub tables: Vec<(String, u64)>,
}

impl CopyReport {
    /// Rows in all.
    #[must_use]
    pub fn rows(&self) -> u64 {
        self.tables.iter().map(|(_, rows)| rows).sum()
    }
}

/// Why a copy did not happen or did not finish.
#[derive(Debug, thiserror::Error)]
pub enum CopyError {
    /// A database could not be opened or migrated.
    #[error("cannot open {which}: {source}")]
    Open {
        /// `the source` or `the target`.
        which: &'static str,
        /// Why.
        source: OpenError,
    },
    /// The target holds rows; nothing was written.
    #[error(
        "the target is not empty (table {table}: {rows} rows); copy into a new, empty database"
    )]
    TargetNotEmpty {
        /// A table that holds rows.
        table: String,
        /// How many.
        rows: u64,
    },
    /// The source SQLite file does not exist.
    #[error("there is no database at {0}")]
    NoSource(String),
    /// The source's schema is older or newer than this version's.
    #[error(
        "the source's schema is at migration {source_version}, this version's at {version}: run \
         `paceline migrate` on the source with this version first (or copy with the version \
         that wrote it)"
    )]
    OtherVersion {
        /// The source's newest migration.
        source_version: i64,
        /// This version's newest migration.
        version: i64,
    },
    /// Rows were written to the target before the copy failed.
    #[error(
        "{cause}; the target now holds part of the copy: drop and recreate it (or remove the \
         SQLite file) before copying again"
    )]
    Partial {
        /// Why the copy stopped.
        cause: Box<CopyError>,
    },
    /// Neither side is PostgreSQL, whose catalogue describes the columns.
    #[error(
        "one side must be PostgreSQL: to copy a SQLite installation, copy its file (with the server stopped)"
    )]
    NoPostgres,
    /// The schema is not what the copy knows.
    #[error("unexpected schema: {0}")]
    Schema(String),
    /// The source and the target differ after the copy.
    #[error("the copy does not match the source: {0}")]
    Mismatch(String),
    /// A database failed.
    #[error("database: {0}")]
    Database(String),
}

impl From<DbError> for CopyError {
    fn from(error: DbError) -> Self {
        Self::Database(error.to_string())
    }
}

/// Copies everything in `from` into `to`, which must be empty (both are migrated first),
/// telling `progress` as it goes. The source should not be written to meanwhile: the copy
/// reads one snapshot of it, and writes made after that snapshot are not copied.
pub async fn copy_database(
    from: &Database,
    to: &Database,
    progress: &(dyn Fn(CopyProgress) + Sync),
) -> Result<CopyReport, CopyError> {
    if !matches!(from, Database::Postgres(_)) && !matches!(to, Database::Postgres(_)) {
        return Err(CopyError::NoPostgres);
    }
    if let Database::Sqlite(path) = from
        && !path.is_file()
    {
        return Err(CopyError::NoSource(path.display().to_string()));
    }
    let options = OpenOptions {
        max_connections: 2,
        ..OpenOptions::default()
    };
    // The source is read as it is: never created, never migrated.
    let source = SqlStore::open(
        from,
        &OpenOptions {
            migrate: false,
            ..options.clone()
        },
    )
    .await
    .map_err(|source| CopyError::Open {
        which: "the source",
        source,
    })?;
    let target = SqlStore::open(to, &options)
        .await
        .map_err(|source| CopyError::Open {
            which: "the target",
            source,
        })?;
    let outcome = match same_version(&source.db, &target.db).await {
        Ok(()) => copy_between(&source.db, &target.db, progress).await,
        Err(error) => Err(error),
    };
    source.close().await;
    target.close().await;
    outcome
}

/// The newest migration applied to a database.
async fn schema_version(db: &Db) -> Result<Option<i64>, DbError> {
    db.reader()
        .await?
        .one("SELECT MAX(version) FROM _sqlx_migrations", &[], first)
        .await
}

/// Refuses a source whose schema is not the target's (this version's, just migrated).
async fn same_version(source: &Db, target: &Db) -> Result<(), CopyError> {
    let (from, to) = (schema_version(source).await?, schema_version(target).await?);
    if from == to {
        Ok(())
    } else {
        Err(CopyError::OtherVersion {
            source_version: from.unwrap_or_default(),
            version: to.unwrap_or_default(),
        })
    }
}

async fn copy_between(
    source: &Db,
    target: &Db,
    progress: &(dyn Fn(CopyProgress) + Sync),
) -> Result<CopyReport, CopyError> {
    let catalogue = if matches!(source, Db::Postgres(_)) {
        source
    } else {
        target
    };
    let tables = tables_in_order(catalogue).await?;
    let mut reader = target.reader().await?;
    for table in &tables {
        let rows = count(&mut reader, &table.name).await?;
        if rows > 0 {
            return Err(CopyError::TargetNotEmpty {
                table: table.name.clone(),
                rows,
            });
        }
    }
    drop(reader);
    let mut snapshot = source.snapshot().await?;
    if matches!(source, Db::Postgres(_)) {
        // One snapshot for every statement of the copy, not one per statement.
        snapshot
            .execute(
                "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY",
                &[],
            )
            .await?;
    }
    let mut counts = Vec::new();
    for table in &tables {
        counts.push(count(&mut snapshot, &table.name).await?);
    }
    progress(CopyProgress::Counted {
        rows: counts.iter().sum(),
        tables: tables.len(),
    });
    let partial = |cause: CopyError| CopyError::Partial {
        cause: Box::new(cause),
    };
    let mut report = CopyReport::default();
    for (table, rows) in tables.iter().zip(counts) {
        progress(CopyProgress::Table {
            name: table.name.clone(),
            rows,
        });
        copy_table(&mut snapshot, target, table, progress)
            .await
            .map_err(partial)?;
        report.tables.push((table.name.clone(), rows));
    }
    finish(&mut snapshot, source, target, &tables, progress)
        .await
        .map_err(partial)?;
    Ok(report)
}

/// Checks the copy against the source and carries the id sequences over.
async fn finish(
    snapshot: &mut Reader,
    source: &Db,
    target: &Db,
    tables: &[Table],
    progress: &(dyn Fn(CopyProgress) + Sync),
) -> Result<(), CopyError> {
    progress(CopyProgress::Verifying);
    for table in tables {
        let copied = key_digest(&mut target.reader().await?, table).await?;
        let original = key_digest(snapshot, table).await?;
        if copied != original {
            return Err(CopyError::Mismatch(format!(
                "{}: {} rows with keys {:016x} in the source, {} rows with keys {:016x} copied",
                table.name, original.0, original.1, copied.0, copied.1
            )));
        }
    }
    for table in tables {
        carry_sequence(snapshot, source, target, table).await?;
    }
    Ok(())
}

async fn count(reader: &mut Reader, table: &str) -> Result<u64, DbError> {
    let rows: i64 = reader
        .one(format!("SELECT COUNT(*) FROM {table}"), &[], first)
        .await?;
    Ok(u64::try_from(rows).unwrap_or_default())
}

/// Tables a copy leaves behind: counts that start again from nothing wherever the
/// installation goes (unlogged on PostgreSQL, which a standby cannot read).
const LEFT_BEHIND: [&str; 1] = ["rate_limits"];

/// Every table but the migrator's and those [`LEFT_BEHIND`], each after the tables its
/// foreign keys name.
async fn tables_in_order(catalogue: &Db) -> Result<Vec<Table>, CopyError> {
    let mut reader = catalogue.reader().await?;
    let columns: Vec<(String, String, String, String)> = reader
        .all(
            "SELECT table_name::TEXT, column_name::TEXT, data_type::TEXT, is_identity::TEXT \
             FROM information_schema.columns WHERE table_schema = current_schema() \
             AND table_name NOT LIKE '\\_sqlx%' ORDER BY table_name, ordinal_position",
            &[],
            |c| Ok((c.get()?, c.get()?, c.get()?, c.get()?)),
        )
        .await?;
    let columns: Vec<_> = columns
        .into_iter()
        .filter(|(table, ..)| !LEFT_BEHIND.contains(&table.as_str()))
        .collect();
    // From pg_catalog rather than information_schema, whose key and constraint views show
    // only what the connected role owns.
    let keys: Vec<(String, String)> = reader
        .all(
            "SELECT t.relname::TEXT, a.attname::TEXT FROM pg_constraint c \
             JOIN pg_class t ON t.oid = c.conrelid \
             JOIN pg_namespace n ON n.oid = t.relnamespace \
             CROSS JOIN LATERAL unnest(c.conkey) WITH ORDINALITY AS k(attnum, position) \
             JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum \
             WHERE c.contype = 'p' AND n.nspname = current_schema() \
             ORDER BY t.relname, k.position",
            &[],
            |c| Ok((c.get()?, c.get()?)),
        )
        .await?;
    let references: Vec<(String, String)> = reader
        .all(
            "SELECT DISTINCT t.relname::TEXT, r.relname::TEXT FROM pg_constraint c \
             JOIN pg_class t ON t.oid = c.conrelid \
             JOIN pg_class r ON r.oid = c.confrelid \
             JOIN pg_namespace n ON n.oid = t.relnamespace \
             WHERE c.contype = 'f' AND n.nspname = current_schema()",
            &[],
            |c| Ok((c.get()?, c.get()?)),
        )
        .await?;
    let mut tables: BTreeMap<String, Table> = BTreeMap::new();
    for (table, column, data_type, identity) in columns {
        let entry = tables.entry(table.clone()).or_insert_with(|| Table {
            name: table,
            columns: Vec::new(),
            key: Vec::new(),
            identity: None,
        });
        if identity == "YES" {
            entry.identity = Some(column.clone());
        }
        entry.columns.push((column, Kind::of(&data_type)?));
    }
    for (table, column) in keys {
        // The migrator's own table is not copied.
        let Some(entry) = tables.get_mut(&table) else {
            continue;
        };
        let at = entry
            .columns
            .iter()
            .position(|(name, _)| *name == column)
            .ok_or_else(|| CopyError::Schema(format!("{table} has no column {column}")))?;
        entry.key.push(at);
    }
    if let Some(table) = tables.values().find(|t| t.key.is_empty()) {
        return Err(CopyError::Schema(format!(
            "{} has no primary key",
            table.name
        )));
    }
    // Kahn's order over the foreign keys (a table's own references do not hold it back).
    let mut needs: BTreeMap<String, BTreeSet<String>> = tables
        .keys()
        .map(|name| (name.clone(), BTreeSet::new()))
        .collect();
    for (table, referenced) in references {
        if table != referenced
            && let Some(set) = needs.get_mut(&table)
        {
            set.insert(referenced);
        }
    }
    let mut ordered = Vec::new();
    while !needs.is_empty() {
        let ready: Vec<String> = needs
            .iter()
            .filter(|(_, set)| set.is_empty())
            .map(|(name, _)| name.clone())
            .collect();
        if ready.is_empty() {
            return Err(CopyError::Schema(format!(
                "foreign keys in a cycle among {:?}",
                needs.keys().collect::<Vec<_>>()
            )));
        }
        for name in ready {
            needs.remove(&name);
            for set in needs.values_mut() {
                set.remove(&name);
            }
            if let Some(table) = tables.remove(&name) {
                ordered.push(table);
            }
        }
    }
    Ok(ordered)
}

/// Reads `table` page by page in key order (each page after the last key of the one
/// before) and writes each page in one transaction of the target.
async fn copy_table(
    snapshot: &mut Reader,
    target: &Db,
    table: &Table,
    progress: &(dyn Fn(CopyProgress) + Sync),
) -> Result<(), CopyError> {
    let key_list = table.key_list();
    let first_page = format!(
        "SELECT {} FROM {} ORDER BY {key_list} LIMIT $1",
        table.column_list(),
        table.name
    );
    let placeholders: Vec<String> = (2..2 + table.key.len()).map(|n| format!("${n}")).collect();
    let next_page = format!(
        "SELECT {} FROM {} WHERE ({key_list}) > ({}) ORDER BY {key_list} LIMIT $1",
        table.column_list(),
        table.name,
        placeholders.join(", ")
    );
    let page_rows = table.page_rows();
    let mut last: Option<Vec<Value>> = None;
    loop {
        let rows = match &last {
            None => {
                snapshot
                    .all(first_page.clone(), &[Arg::from(page_rows)], |c| {
                        table.read_row(c)
                    })
                    .await?
            }
            Some(row) => {
                let mut args = vec![Arg::from(page_rows)];
                args.extend(table.key.iter().filter_map(|&i| row.get(i)).map(Value::arg));
                snapshot
                    .all(next_page.clone(), &args, |c| table.read_row(c))
                    .await?
            }
        };
        let Some(_) = rows.last() else {
            return Ok(());
        };
        write_rows(target, table, &rows).await?;
        progress(CopyProgress::Rows(rows.len() as u64));
        let full = rows.len() as i64 == page_rows;
        last = rows.into_iter().last();
        if !full {
            return Ok(());
        }
    }
}

async fn write_rows(target: &Db, table: &Table, rows: &[Vec<Value>]) -> Result<(), DbError> {
    let width = table.columns.len();
    let mut tx = target.begin().await?;
    for chunk in rows.chunks(table.rows_per_insert()) {
        let tuples: Vec<String> = (0..chunk.len())
            .map(|r| {
                let marks: Vec<String> =
                    (1..=width).map(|c| format!("${}", r * width + c)).collect();
                format!("({})", marks.join(", "))
            })
            .collect();
        let sql = format!(
            "INSERT INTO {} ({}) VALUES {}",
            table.name,
            table.column_list(),
            tuples.join(", ")
        );
        let args: Vec<Arg<'_>> = chunk.iter().flatten().map(Value::arg).collect();
        tx.execute(sql, &args).await?;
    }
    tx.commit().await
}

/// A table's rows and a digest of its set of primary keys, the same on either engine
/// whatever order it lists them in.
async fn key_digest(reader: &mut Reader, table: &Table) -> Result<(u64, u64), DbError> {
    let kinds: Vec<Kind> = table
        .key
        .iter()
        .filter_map(|&i| table.columns.get(i).map(|(_, kind)| *kind))
        .collect();
    let hashes: Vec<u64> = reader
        .all(
            format!("SELECT {} FROM {}", table.key_list(), table.name),
            &[],
            |c| {
                let mut hasher = DefaultHasher::new();
                for kind in &kinds {
                    key_text(&read_value(*kind, c)?).hash(&mut hasher);
                }
                Ok(hasher.finish())
            },
        )
        .await?;
    let digest = hashes.iter().fold(0u64, |sum, h| sum.wrapping_add(*h));
    Ok((hashes.len() as u64, digest))
}

/// Moves the target's next id of `table` past every id the source handed out, deleted
/// rows' included, so that an id is never given twice.
async fn carry_sequence(
    snapshot: &mut Reader,
    source: &Db,
    target: &Db,
    table: &Table,
) -> Result<(), DbError> {
    let Some(column) = &table.identity else {
        return Ok(());
    };
    let handed_out: Option<i64> = match source {
        Db::Sqlite(_) => {
            snapshot
                .optional(
                    "SELECT seq FROM sqlite_sequence WHERE name = $1",
                    &[Arg::from(table.name.as_str())],
                    first,
                )
                .await?
        }
        Db::Postgres(_) => {
            snapshot
                .one(
                    "SELECT pg_sequence_last_value(pg_get_serial_sequence($1, $2)::regclass)",
                    &[table.name.as_str().into(), column.as_str().into()],
                    first,
                )
                .await?
        }
    };
    let highest: Option<i64> = target
        .reader()
        .await?
        .one(
            format!("SELECT MAX({column}) FROM {}", table.name),
            &[],
            first,
        )
        .await?;
    // Nothing handed out yet (SQLite keeps a 0 for a table whose rows were all removed).
    let Some(next_after) = handed_out.max(highest).filter(|id| *id > 0) else {
        return Ok(());
    };
    let mut tx = target.begin().await?;
    match target {
        Db::Postgres(_) => {
            let _: i64 = tx
                .one(
                    "SELECT setval(pg_get_serial_sequence($1, $2), $3, true)",
                    &[
                        table.name.as_str().into(),
                        column.as_str().into(),
                        next_after.into(),
                    ],
                    first,
                )
                .await?;
        }
        Db::Sqlite(_) => {
            let args = [table.name.as_str().into(), next_after.into()];
            tx.execute("DELETE FROM sqlite_sequence WHERE name = $1", &args[..1])
                .await?;
            tx.execute(
                "INSERT INTO sqlite_sequence (name, seq) VALUES ($1, $2)",
                &args,
            )
            .await?;
        }
    }
    tx.commit().await
}
