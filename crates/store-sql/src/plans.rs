//! What the store's statements cost at size, for the benchmark that checks them
//! (`benches/plans.rs`): the statements a use case runs are noted while a [`Capture`] is
//! on, then each query is run again under its engine's `EXPLAIN` to show which tables it
//! reads whole and how much it reads.

use crate::SqlStore;
use crate::db::{Json, RawPlan, Value, capture};
use paceline_domain::StoreError;
use serde_json::Value as JsonValue;

/// A statement as it ran: its SQL and its parameters (which its `Debug` leaves out: they
/// may be e-mail addresses, hashes or messages).
pub struct Statement {
    /// The SQL text.
    pub sql: String,
    args: Vec<Value>,
}

impl std::fmt::Debug for Statement {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Statement")
            .field("sql", &self.sql)
            .field("args", &self.args.len())
            .finish()
    }
}

impl Statement {
    /// Whether it only reads (a query whose plan can be shown by running it again).
    #[must_use]
    pub fn is_query(&self) -> bool {
        let start = self.sql.trim_start().to_ascii_uppercase();
        start.starts_with("SELECT") || start.starts_with("WITH")
    }
}

/// Notes every statement the store runs, in any task, until [`Capture::finish`]. One at a
/// time: a second capture started before the first finishes takes its statements.
#[derive(Debug)]
pub struct Capture(());

/// Starts noting statements.
#[must_use]
pub fn capture() -> Capture {
    capture::start();
    Capture(())
}

impl Capture {
    /// The statements run since the capture began, in order.
    #[must_use]
    pub fn finish(self) -> Vec<Statement> {
        capture::stop()
            .into_iter()
            .map(|(sql, args)| Statement { sql, args })
            .collect()
    }
}

impl Drop for Capture {
    fn drop(&mut self) {
        let _ = capture::stop();
    }
}

/// What a query costs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    /// The engine's plan, a line a step.
    pub lines: Vec<String>,
    /// The tables it reads whole (on SQLite, by the statement's alias for them).
    pub full_scans: Vec<String>,
    /// How much it read: on PostgreSQL the rows its scans returned or filtered out (times
    /// their loops); on SQLite the virtual machine's steps, which grow with the rows it
    /// visits.
    pub work: u64,
}

impl SqlStore {
    /// Runs `statement` (a query) again under the engine's `EXPLAIN`.
    ///
    /// # Errors
    /// When the database fails or the plan cannot be read.
    pub async fn explain(&self, statement: &Statement) -> Result<Plan, StoreError> {
        let args: Vec<_> = statement.args.iter().map(Value::arg).collect();
        let mut reader = self.db.reader().await?;
        Ok(match reader.explain(&statement.sql, &args).await? {
            RawPlan::Sqlite { lines, steps } => {
                // `SCAN x` reads x whole, in its own order or an index's (`SEARCH` is a
                // look-up); x is the statement's alias for the table.
                let full_scans = lines
                    .iter()
                    .filter_map(|line| {
                        let table = line.strip_prefix("SCAN ")?;
                        (!table.starts_with("CONSTANT"))
                            .then(|| table.split(' ').next().unwrap_or(table).to_owned())
                    })
                    .collect();
                Plan {
                    lines,
                    full_scans,
                    work: steps,
                }
            }
            RawPlan::Postgres(json) => postgres_plan(&json),
        })
    }
}

fn postgres_plan(json: &Json) -> Plan {
    let parsed: JsonValue = json.parse().unwrap_or(JsonValue::Null);
    let mut plan = Plan::default();
    if let Some(root) = parsed.pointer("/0/Plan") {
        walk(root, 0, &mut plan);
    }
    plan
}

fn walk(node: &JsonValue, depth: usize, plan: &mut Plan) {
    let text = |key: &str| {
        node.get(key)
            .and_then(JsonValue::as_str)
            .unwrap_or_default()
    };
    let number = |key: &str| {
        node.get(key)
            .and_then(JsonValue::as_f64)
            .unwrap_or_default()
    };
    let kind = text("Node Type");
    let relation = text("Relation Name");
    let rows = number("Actual Rows");
    let loops = number("Actual Loops").max(1.0);
    let removed = number("Rows Removed by Filter") + number("Rows Removed by Index Recheck");
    let mut line = format!("{}{kind}", "  ".repeat(depth));
    if !relation.is_empty() {
        line.push_str(&format!(" on {relation}"));
        let index = text("Index Name");
        if !index.is_empty() {
            line.push_str(&format!(" using {index}"));
        }
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        {
            plan.work += ((rows + removed) * loops).round() as u64;
        }
        if kind == "Seq Scan" {
            plan.full_scans.push(relation.to_owned());
        }
    }
    line.push_str(&format!(" (rows {rows} × {loops}, filtered out {removed})"));
    plan.lines.push(line);
    for child in node
        .get("Plans")
        .and_then(JsonValue::as_array)
        .into_iter()
        .flatten()
    {
        walk(child, depth + 1, plan);
    }
}
