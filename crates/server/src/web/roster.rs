//! `/athletes`: the roster. A coach's athletes (an owner's: every athlete of their company),
//! each with the last activity, this week's planned against done, how their load is
//! trending, unread messages and the sessions missed lately; sorted and filtered by the
//! query string, so a view is a link to keep.

use super::home::{activities_since, monday, planned_minutes};
use super::{Layout, Viewer};
use crate::AppState;
use crate::pages::PageError;
use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use futures::future::try_join_all;
use paceline_domain::StoreError;
use paceline_domain::activities::Activity;
use paceline_domain::calendar::{CalendarQuery, TrainingSession};
use paceline_domain::ids::UserId;
use paceline_domain::store::{CoachedAthlete, Store};
use std::cmp::Ordering;
use std::collections::HashMap;
use time::{Date, Duration};

/// Weeks of load in each row's trend.
const LOAD_WEEKS: i64 = 6;
/// Days back a planned session counts as missed when nothing was done.
const MISSED_DAYS: i64 = 7;
/// Days without an activity before a row asks for attention.
const QUIET_DAYS: i64 = 7;

/// How the roster is sorted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sort {
    Name,
    Last,
    Week,
    Load,
    Unread,
    Missed,
}

impl Sort {
    const ALL: [(Self, &'static str); 6] = [
        (Self::Name, "name"),
        (Self::Last, "last"),
        (Self::Week, "week"),
        (Self::Load, "load"),
        (Self::Unread, "unread"),
        (Self::Missed, "missed"),
    ];

    fn parse(text: &str) -> Option<Self> {
        Self::ALL.iter().find(|(_, n)| *n == text).map(|(s, _)| *s)
    }

    fn name(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(s, _)| *s == self)
            .map_or("name", |(_, n)| n)
    }
}

/// The roster's view, as asked in the query string.
#[derive(Debug, Clone)]
struct Asked {
    sort: Sort,
    descending: bool,
    q: String,
    coach: String,
    attention: bool,
}

impl Asked {
    fn parse(raw: Option<&str>) -> Self {
        let mut asked = Self {
            sort: Sort::Name,
            descending: false,
            q: String::new(),
            coach: String::new(),
            attention: false,
        };
        for (name, value) in form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
            match name.as_ref() {
                "sort" => asked.sort = Sort::parse(&value).unwrap_or(Sort::Name),
                "dir" => asked.descending = value == "desc",
                "q" => asked.q = value.trim().chars().take(200).collect(),
                "coach" => asked.coach = value.trim().to_owned(),
                "attention" => asked.attention = value == "1",
                _ => {}
            }
        }
        asked
    }

    /// The address of this view sorted by `sort` (flipping the direction when it already
    /// is).
    fn sorted_by(&self, sort: Sort) -> String {
        let descending = if sort == self.sort {
            !self.descending
        } else {
            // Most worrying first for the figures, A to Z for names.
            !matches!(sort, Sort::Name | Sort::Week)
        };
        let mut query = form_urlencoded::Serializer::new(String::new());
        query.append_pair("sort", sort.name());
        if descending {
            query.append_pair("dir", "desc");
        }
        for (name, value) in [("q", &self.q), ("coach", &self.coach)] {
            if !value.is_empty() {
                query.append_pair(name, value);
            }
        }
        if self.attention {
            query.append_pair("attention", "1");
        }
        format!("/athletes?{}", query.finish())
    }
}

/// A sortable column's heading.
struct Column {
    label: &'static str,
    href: String,
    /// `ascending`, `descending` or `none`, as `aria-sort` says it.
    order: &'static str,
}

/// A tiny chart of weekly load.
struct Spark {
    points: String,
    label: String,
}

/// One athlete of the roster.
struct Row {
    name: String,
    href: String,
    calendar: String,
    messages: String,
    coaches: String,
    last: String,
    last_href: Option<String>,
    quiet: bool,
    planned: String,
    done: String,
    /// Done as a share of planned, 0..=100, for the bar.
    percent: Option<u32>,
    load: String,
    load_change: String,
    spark: Spark,
    unread: u64,
    missed: usize,
    // Sort keys.
    days_since: Option<i64>,
    compliance: Option<f64>,
    load_ratio: Option<f64>,
}

impl Row {
    fn needs_attention(&self) -> bool {
        self.quiet || self.unread > 0 || self.missed > 0
    }
}

#[derive(Template)]
#[template(path = "app/roster.html")]
struct RosterPage {
    layout: Layout,
    rows: Vec<Row>,
    total: usize,
    columns: Vec<Column>,
    q: String,
    coaches: Vec<(String, String, bool)>,
    owner: bool,
    attention: bool,
    week_of: String,
    clear: bool,
}

/// What one athlete's row is made of.
struct Facts {
    athlete: CoachedAthlete,
    activities: Vec<Activity>,
    sessions: Vec<TrainingSession>,
}

async fn facts_of(
    store: &dyn Store,
    athlete: CoachedAthlete,
    today: Date,
) -> Result<Facts, StoreError> {
    let this_monday = monday(today);
    let first = this_monday - Duration::weeks(LOAD_WEEKS - 1);
    let activities = activities_since(store, athlete.user.id, first).await?;
    let sessions = store
        .list_sessions(
            athlete.user.id,
            CalendarQuery {
                from: today - Duration::days(MISSED_DAYS),
                to: this_monday + Duration::days(6),
                updated_since: None,
            },
        )
        .await?
        .into_iter()
        .filter(|s| !s.deleted)
        .collect();
    Ok(Facts {
        athlete,
        activities,
        sessions,
    })
}

/// Whether a planned session shows nothing done.
fn undone(session: &TrainingSession) -> bool {
    session.values.log.missed_session
        || (session.values.log.completed_minutes.total.is_none() && !session.has_uploaded_training)
}

fn row_of(facts: &Facts, today: Date, unread: u64, coach_names: &HashMap<UserId, String>) -> Row {
    let user = &facts.athlete.user;
    let base = format!("/athletes/{}", user.id.public());
    let this_monday = monday(today);
    let last = facts.activities.first();
    let days_since = last.map(|a| (today - a.started_at.date()).whole_days());
    let last_text = match (last, days_since) {
        (Some(a), Some(days)) => format!("{} · {}", super::activities::title_of(a), ago(days)),
        _ => format!("Nothing in {LOAD_WEEKS} weeks"),
    };
    let planned_seconds: f64 = facts
        .sessions
        .iter()
        .filter(|s| monday(s.values.date) == this_monday)
        .filter_map(planned_minutes)
        .sum::<f64>()
        * 60.0;
    let done_seconds: f64 = facts
        .activities
        .iter()
        .filter(|a| a.started_at.date() >= this_monday)
        .filter_map(|a| a.figures.duration_sec)
        .sum();
    let compliance = (planned_seconds > 0.0).then(|| done_seconds / planned_seconds);
    let missed = facts
        .sessions
        .iter()
        .filter(|s| s.values.date < today && undone(s))
        .count();
    // Load per week, oldest first; the last week is this one, so far.
    let mut weekly = vec![0.0_f64; LOAD_WEEKS as usize];
    let first = this_monday - Duration::weeks(LOAD_WEEKS - 1);
    for a in &facts.activities {
        let week = (monday(a.started_at.date()) - first).whole_weeks();
        if let Some(slot) = usize::try_from(week).ok().and_then(|w| weekly.get_mut(w)) {
            *slot += f64::from(a.figures.load_score.unwrap_or(0));
        }
    }
    // The last seven days against the weekly average of the four weeks before them.
    let load_of = |from: Date, to: Date| -> f64 {
        facts
            .activities
            .iter()
            .filter(|a| {
                let d = a.started_at.date();
                from < d && d <= to
            })
            .map(|a| f64::from(a.figures.load_score.unwrap_or(0)))
            // An empty sum of floats is -0.0; a load is never negative.
            .fold(0.0, |total, load| total + load)
    };
    let acute = load_of(today - Duration::days(7), today);
    let chronic = load_of(today - Duration::days(35), today - Duration::days(7)) / 4.0;
    let load_ratio = (chronic > 0.0).then(|| acute / chronic);
    let load_change = match load_ratio {
        Some(r) if r >= 1.3 => format!("↑ {:.0}% of usual", r * 100.0),
        Some(r) if r <= 0.7 => format!("↓ {:.0}% of usual", r * 100.0),
        Some(r) => format!("{:.0}% of usual", r * 100.0),
        None if acute > 0.0 => "new".to_owned(),
        None => String::new(),
    };
    let coaches: Vec<&str> = facts
        .athlete
        .coach_ids
        .iter()
        .filter_map(|id| coach_names.get(id).map(String::as_str))
        .collect();
    Row {
        name: user.name.clone(),
        calendar: format!("{base}/calendar?week={today}"),
        messages: format!("/messages?with={}", user.id.public()),
        href: base.clone(),
        coaches: if coaches.is_empty() {
            "No coach".to_owned()
        } else {
            coaches.join(", ")
        },
        last: last_text,
        last_href: last.map(|a| format!("{base}/activities/{}", a.id.public())),
        quiet: days_since.is_none_or(|d| d >= QUIET_DAYS),
        planned: if planned_seconds > 0.0 {
            super::format::hours_minutes(planned_seconds)
        } else {
            String::new()
        },
        done: super::format::hours_minutes(done_seconds),
        percent: compliance.map(|c| (c * 100.0).round().clamp(0.0, 100.0) as u32),
        load: format!("{acute:.0}"),
        load_change,
        spark: spark(&weekly),
        unread,
        missed,
        days_since,
        compliance,
        load_ratio,
    }
}

/// "today", "yesterday", "N days ago".
fn ago(days: i64) -> String {
    match days {
        i64::MIN..=0 => "today".to_owned(),
        1 => "yesterday".to_owned(),
        n => format!("{n} days ago"),
    }
}

/// A 60 × 20 polyline of `values`, scaled to the largest.
fn spark(values: &[f64]) -> Spark {
    let top = values.iter().copied().fold(0.0_f64, f64::max);
    let step = 60.0 / (values.len().max(2) - 1) as f64;
    let points = values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let y = if top > 0.0 {
                19.0 - v / top * 18.0
            } else {
                19.0
            };
            format!("{:.0},{:.0}", i as f64 * step, y)
        })
        .collect::<Vec<_>>()
        .join(" ");
    let label = format!(
        "Load per week, the last {} weeks: {}",
        values.len(),
        values
            .iter()
            .map(|v| format!("{v:.0}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    Spark { points, label }
}

/// Compares two optional keys, the missing ones last whatever the direction.
fn by_key<T: PartialOrd>(a: Option<T>, b: Option<T>, descending: bool) -> Ordering {
    match (a, b) {
        (Some(a), Some(b)) => {
            let order = a.partial_cmp(&b).unwrap_or(Ordering::Equal);
            if descending { order.reverse() } else { order }
        }
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

fn sort(rows: &mut [Row], asked: &Asked) {
    let d = asked.descending;
    rows.sort_by(|a, b| {
        let order = match asked.sort {
            Sort::Name => {
                let order = a.name.to_lowercase().cmp(&b.name.to_lowercase());
                if d { order.reverse() } else { order }
            }
            Sort::Last => by_key(a.days_since, b.days_since, d),
            Sort::Week => by_key(a.compliance, b.compliance, d),
            Sort::Load => by_key(a.load_ratio, b.load_ratio, d),
            Sort::Unread => by_key(Some(a.unread), Some(b.unread), d),
            Sort::Missed => by_key(Some(a.missed), Some(b.missed), d),
        };
        order.then_with(|| a.name.cmp(&b.name))
    });
}

/// `GET /athletes?sort=&dir=&q=&coach=&attention=1`.
pub(crate) async fn get_roster(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let asked = Asked::parse(raw.as_deref());
    let viewer = Viewer::of(&state, &headers, &asked.sorted_by(asked.sort)).await?;
    let store = state.store.as_ref();
    let today = state.clock.now().date();
    let mut athletes = store.athletes_of(viewer.id()).await?;
    // An athlete in two of the viewer's companies is one row.
    athletes.sort_by_key(|a| a.user.id);
    athletes.dedup_by(|a, b| {
        if a.user.id == b.user.id {
            b.coach_ids.append(&mut a.coach_ids);
            true
        } else {
            false
        }
    });
    let total = athletes.len();
    let mut coach_names: HashMap<UserId, String> = HashMap::new();
    for id in athletes.iter().flat_map(|a| a.coach_ids.iter()) {
        if !coach_names.contains_key(id)
            && let Some(coach) = store.get_user(*id).await?
        {
            coach_names.insert(*id, coach.name);
        }
    }
    let mut coaches: Vec<(String, String, bool)> = coach_names
        .iter()
        .map(|(id, name)| (id.public(), name.clone(), id.public() == asked.coach))
        .collect();
    coaches.sort_by(|a, b| a.1.cmp(&b.1));
    let q = asked.q.to_lowercase();
    athletes.retain(|a| {
        (q.is_empty()
            || a.user.name.to_lowercase().contains(&q)
            || a.user.email.as_str().to_lowercase().contains(&q))
            && (asked.coach.is_empty() || a.coach_ids.iter().any(|c| c.public() == asked.coach))
    });
    let unread: HashMap<UserId, u64> = store
        .unseen_counts(viewer.id())
        .await?
        .into_iter()
        .collect();
    let facts = try_join_all(athletes.into_iter().map(|a| facts_of(store, a, today))).await?;
    let mut rows: Vec<Row> = facts
        .iter()
        .map(|f| {
            let unread = unread.get(&f.athlete.user.id).copied().unwrap_or(0);
            row_of(f, today, unread, &coach_names)
        })
        .filter(|row| !asked.attention || row.needs_attention())
        .collect();
    sort(&mut rows, &asked);
    let columns = [
        (Sort::Name, "Athlete"),
        (Sort::Last, "Last activity"),
        (Sort::Week, "This week"),
        (Sort::Load, "Load, 7 days"),
        (Sort::Missed, "Missed"),
        (Sort::Unread, "Unread"),
    ]
    .into_iter()
    .map(|(sort, label)| Column {
        label,
        href: asked.sorted_by(sort),
        order: match (sort == asked.sort, asked.descending) {
            (false, _) => "none",
            (true, false) => "ascending",
            (true, true) => "descending",
        },
    })
    .collect();
    let page = RosterPage {
        layout: viewer.layout("Athletes", "athletes"),
        rows,
        total,
        columns,
        q: asked.q.clone(),
        coaches,
        owner: !viewer.roles.owns.is_empty(),
        attention: asked.attention,
        week_of: super::format::day_short(monday(today)),
        clear: !asked.q.is_empty() || !asked.coach.is_empty() || asked.attention,
    };
    Ok(viewer.render(&page))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_keys_sort_last_both_ways() {
        assert_eq!(by_key(Some(1), None, false), Ordering::Less);
        assert_eq!(by_key(Some(1), None, true), Ordering::Less);
        assert_eq!(by_key(Some(1), Some(2), true), Ordering::Greater);
    }

    #[test]
    fn a_sorted_column_flips_and_others_start_with_the_worrying_end() {
        let asked = Asked::parse(Some("sort=missed&dir=desc&q=ann"));
        assert_eq!(asked.sorted_by(Sort::Missed), "/athletes?sort=missed&q=ann");
        assert_eq!(
            asked.sorted_by(Sort::Unread),
            "/athletes?sort=unread&dir=desc&q=ann"
        );
        assert_eq!(asked.sorted_by(Sort::Name), "/athletes?sort=name&q=ann");
    }

    #[test]
    fn the_spark_spans_its_box() {
        let s = spark(&[0.0, 50.0, 100.0]);
        assert_eq!(s.points, "0,19 30,10 60,1");
        assert!(s.label.ends_with("0, 50, 100"));
    }
}
