//! Races: `/api/races/` (list, create) and `/api/races/{id}/` (retrieve, PUT, PATCH,
//! DELETE).

use crate::AppState;
use crate::api::xhale::calendar::Resource;
use crate::api::xhale::input::{Fields, Input};
use crate::api::xhale::record::{self, Field, Slot};
use crate::api::xhale::schemas::{Item, datetime_schema, plain};
use crate::api::xhale::wire::datetime;
use paceline_domain::StoreError;
use paceline_domain::activities::limits;
use paceline_domain::calendar::{CalendarQuery, Part, Race, RaceId, RaceValues, Written};
use paceline_domain::coaching::Subject;
use paceline_domain::files::FileId;
use paceline_domain::ids::UserId;
use serde_json::{Map, json};
use time::Date;
use utoipa::openapi::Schema;
use utoipa::openapi::schema::Type;

const LONG_TEXT: usize = limits::NOTES_CHARS;

macro_rules! int {
    ($name:literal, $field:ident, $max:expr) => {
        Field {
            name: $name,
            part: Part::Shared,
            required: false,
            slot: |v: &mut RaceValues| Slot::Int(&mut v.$field, 0, $max),
        }
    };
}

macro_rules! text {
    ($name:literal, $part:expr, $field:ident) => {
        Field {
            name: $name,
            part: $part,
            required: false,
            slot: |v: &mut RaceValues| Slot::Text(&mut v.$field, LONG_TEXT),
        }
    };
}

/// Every writable field of a race, in the order the spec shows them.
pub(crate) const FIELDS: &[Field<RaceValues>] = &[
    Field {
        name: "date",
        part: Part::Shared,
        required: true,
        slot: |v| Slot::Date(&mut v.date),
    },
    Field {
        name: "race_name",
        part: Part::Shared,
        required: true,
        slot: |v| Slot::RequiredText(&mut v.race_name, 255),
    },
    int!("distance", distance, 1_000_000),
    int!("taper_days", taper_days, 365),
    int!("attendance_probability", attendance_probability, 100),
    text!("athletes_plan", Part::Athlete, athletes_plan),
    text!("coach_plan", Part::Coach, coach_plan),
    text!("athlete_feedback", Part::Athlete, athlete_feedback),
    text!("coach_comments", Part::Coach, coach_comments),
    Field {
        name: "event_url",
        part: Part::Shared,
        required: false,
        slot: |v| Slot::Text(&mut v.event_url, 2_000),
    },
    int!("position_overall", position_overall, 1_000_000),
    int!("position_age_group", position_age_group, 1_000_000),
    Field {
        name: "race_priority",
        part: Part::Shared,
        required: false,
        slot: |v| Slot::Priority(&mut v.race_priority),
    },
];

/// Fields a client may send back as it read them; they are not written.
const READ_ONLY: &[&str] = &[
    "id",
    "athlete",
    "deleted",
    "datetime_added",
    "datetime_updated",
    "has_uploaded_training",
];

fn refusal(part: Part) -> &'static str {
    match part {
        Part::Coach => "This field is read-only: only the athlete's coach writes it.",
        Part::Athlete => "This field is read-only: only the athlete writes it.",
        Part::Plan | Part::Shared => "This field is read-only.",
    }
}

/// The race as the spec shows it.
fn race_answer(race: &Race) -> Item<Race> {
    let mut out = Map::new();
    out.insert("id".into(), json!(race.id.0));
    out.insert("athlete".into(), json!(race.user_id.get()));
    record::members(FIELDS, &race.values, &mut out);
    out.insert("deleted".into(), json!(race.deleted));
    out.insert("datetime_added".into(), json!(datetime(race.created_at)));
    out.insert("datetime_updated".into(), json!(datetime(race.updated_at)));
    out.insert(
        "has_uploaded_training".into(),
        json!(race.has_uploaded_training),
    );
    Item::new(out)
}

/// An event URL: empty, or an absolute http(s) URL.
fn check_url(fields: &mut Fields<'_>, values: &RaceValues) {
    let url = values.event_url.as_str();
    let valid = url.is_empty()
        || ((url.starts_with("http://") || url.starts_with("https://"))
            && url.len() > "https://".len()
            && !url.chars().any(|c| c.is_whitespace() || c.is_control()));
    if !valid {
        fields.errors.add("event_url", "Enter a valid URL.");
    }
}

impl Resource for Race {
    fn key(id: i64) -> RaceId {
        RaceId(id)
    }

    const SCHEMA: &'static str = "Race";

    fn answer(&self, _state: &AppState, _subject: &Subject) -> Item<Self> {
        race_answer(self)
    }

    fn read_only_schemas() -> Vec<(&'static str, Schema)> {
        vec![
            ("id", plain(Type::Integer, false)),
            ("athlete", plain(Type::Integer, false)),
            ("deleted", plain(Type::Boolean, false)),
            ("datetime_added", datetime_schema()),
            ("datetime_updated", datetime_schema()),
            ("has_uploaded_training", plain(Type::Boolean, false)),
        ]
    }

    fn planner(_subject: &Subject) -> Option<UserId> {
        None
    }

    fn planned_by(&self) -> Option<UserId> {
        None
    }

    fn new_values(date: Date) -> RaceValues {
        RaceValues::on(date)
    }

    const FIELDS: &'static [Field<RaceValues>] = FIELDS;
    const READ_ONLY: &'static [&'static str] = READ_ONLY;

    fn refusal(part: Part) -> &'static str {
        refusal(part)
    }

    fn check(_input: &Input, fields: &mut Fields<'_>, values: &RaceValues) {
        check_url(fields, values);
    }

    async fn list(
        state: &AppState,
        athlete: UserId,
        query: CalendarQuery,
    ) -> Result<Vec<Self>, StoreError> {
        state.store.list_races(athlete, query).await
    }

    async fn create(
        state: &AppState,
        subject: &Subject,
        _input: &Input,
        values: RaceValues,
        files: &[FileId],
    ) -> Result<Written<Self>, StoreError> {
        let now = state.clock.now();
        state
            .store
            .create_race(subject.athlete, &values, files, now)
            .await
    }
}
