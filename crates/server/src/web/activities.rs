//! `/activities`: the athlete's activities, a page at a time with filters; one activity's
//! page ([`super::activity`]); its downloads; deleting it.

use super::format::{self, Units};
use super::{At, Id, Layout, Seen, Viewer, field, posted, see_other};
use crate::AppState;
use crate::pages::PageError;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use paceline_domain::activities::fit_file::{FitFileError, fit_file};
use paceline_domain::activities::{self, Activity, ActivityFilter, ActivityType};
use paceline_domain::ids::{ActivityId, UserId};
use paceline_domain::listing::RecordQuery;
use time::format_description::well_known::Iso8601;
use time::{Date, Time};

/// Activities on one page of the list.
const PER_PAGE: u32 = 20;

/// Not found, worded for a person.
pub(super) const NO_SUCH_ACTIVITY: PageError =
    PageError::NotFound("You have no activity at this address.");

/// One row of the list.
pub(super) struct Row {
    pub(super) href: String,
    pub(super) title: String,
    pub(super) sport: &'static str,
    pub(super) class: &'static str,
    pub(super) day: String,
    pub(super) duration: String,
    pub(super) distance: String,
    pub(super) heart_rate: String,
    pub(super) load: String,
}

impl Row {
    pub(super) fn of(activity: &Activity, units: Units, seen: &Seen) -> Self {
        let f = &activity.figures;
        Self {
            href: seen.href(&format!("/activities/{}", activity.id.public())),
            title: title_of(activity),
            sport: format::sport(activity.activity_type),
            class: format::sport_class(activity.activity_type),
            day: format::moment(activity.started_at),
            duration: f.duration_sec.map(format::clock).unwrap_or_default(),
            distance: f
                .distance_m
                .filter(|d| *d > 0.0)
                .map(|d| units.distance(d))
                .unwrap_or_default(),
            heart_rate: f.avg_hr.map(|hr| format!("{hr} bpm")).unwrap_or_default(),
            load: f.load_score.map(|l| l.to_string()).unwrap_or_default(),
        }
    }
}

/// An activity's title, or its sport and day when it has none.
pub(super) fn title_of(activity: &Activity) -> String {
    match activity.title.as_deref().map(str::trim) {
        Some(title) if !title.is_empty() => title.to_owned(),
        _ => format!(
            "{} on {}",
            format::sport(activity.activity_type),
            format::day_short(activity.started_at.date())
        ),
    }
}

/// The list's filters, as asked in the query string.
#[derive(Debug, Default)]
struct Filters {
    sport: String,
    from: String,
    to: String,
    q: String,
    page: u32,
}

impl Filters {
    fn parse(raw: Option<&str>) -> Self {
        let mut filters = Self {
            page: 1,
            ..Self::default()
        };
        for (name, value) in form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
            let value = value.trim().to_owned();
            match name.as_ref() {
                "sport" => filters.sport = value,
                "from" => filters.from = value,
                "to" => filters.to = value,
                "q" => filters.q = value,
                "page" => filters.page = value.parse().unwrap_or(1).clamp(1, 10_000),
                _ => {}
            }
        }
        filters
    }

    /// The query string of these filters on page `page`.
    fn query(&self, page: u32) -> String {
        let mut query = form_urlencoded::Serializer::new(String::new());
        for (name, value) in [
            ("sport", &self.sport),
            ("from", &self.from),
            ("to", &self.to),
            ("q", &self.q),
        ] {
            if !value.is_empty() {
                query.append_pair(name, value);
            }
        }
        if page > 1 {
            query.append_pair("page", &page.to_string());
        }
        let query = query.finish();
        if query.is_empty() {
            "/activities".to_owned()
        } else {
            format!("/activities?{query}")
        }
    }
}

pub(super) fn parse_day(text: &str) -> Option<Date> {
    Date::parse(text, &Iso8601::DATE).ok()
}

/// A choice of the sport filter.
struct Choice {
    value: &'static str,
    label: &'static str,
    selected: bool,
}

#[derive(Template)]
#[template(path = "app/activities.html")]
struct ListPage {
    layout: Layout,
    rows: Vec<Row>,
    sports: Vec<Choice>,
    from: String,
    to: String,
    q: String,
    problems: Vec<String>,
    filtered: bool,
    previous: Option<String>,
    next: Option<String>,
    page: u32,
}

/// `GET /activities?sport=&from=&to=&q=&page=`.
pub(crate) async fn list_activities(
    State(state): State<AppState>,
    at: At,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let filters = Filters::parse(raw.as_deref());
    let seen = Seen::of(&state, &headers, at, &filters.query(filters.page)).await?;
    let mut problems = Vec::new();
    let sport = match filters.sport.as_str() {
        "" => None,
        text => match text.parse::<ActivityType>() {
            Ok(kind) => Some(kind),
            Err(_) => {
                problems.push(format!(
                    "“{text}” is not a sport Paceline knows; showing all."
                ));
                None
            }
        },
    };
    let mut day = |text: &str, which: &str| match text {
        "" => None,
        text => {
            let parsed = parse_day(text);
            if parsed.is_none() {
                problems.push(format!(
                    "The {which} date “{text}” is not a date like 2026-11-03; it is left out."
                ));
            }
            parsed
        }
    };
    let from = day(&filters.from, "from");
    let to = day(&filters.to, "to");
    let query = RecordQuery {
        from: from.map(|d| d.with_time(Time::MIDNIGHT).assume_utc()),
        to: to.map(|d| d.with_time(Time::MAX).assume_utc()),
        ..RecordQuery::page(filters.page, PER_PAGE)
    };
    let filter = ActivityFilter {
        activity_type: sport,
        title_contains: Some(filters.q.clone()).filter(|q| !q.is_empty()),
    };
    let found = state
        .store
        .search_activities(seen.athlete_id(), query, &filter)
        .await?;
    let units = seen.units();
    let rows = found
        .items
        .iter()
        .map(|a| Row::of(a, units, &seen))
        .collect();
    let sports = ActivityType::ALL
        .iter()
        .map(|kind| Choice {
            value: kind.as_str(),
            label: format::sport(*kind),
            selected: Some(*kind) == sport,
        })
        .collect();
    let page = ListPage {
        layout: seen.layout("Activities", "activities"),
        rows,
        sports,
        from: filters.from.clone(),
        to: filters.to.clone(),
        q: filters.q.clone(),
        problems,
        filtered: !filter.is_empty() || from.is_some() || to.is_some(),
        previous: (filters.page > 1).then(|| seen.href(&filters.query(filters.page - 1))),
        next: found
            .has_next
            .then(|| seen.href(&filters.query(filters.page + 1))),
        page: filters.page,
    };
    Ok(seen.render(&page))
}

/// `user`'s activity `raw_id`, or not found.
async fn owned(state: &AppState, user: UserId, raw_id: &str) -> Result<Activity, PageError> {
    let id = ActivityId::from_public(raw_id).ok_or(NO_SUCH_ACTIVITY)?;
    state
        .store
        .get_activity(user, id)
        .await?
        .ok_or(NO_SUCH_ACTIVITY)
}

/// The page of activity `raw_id` as the signed-in viewer sees it (or a detour through the
/// login page back to it), and the activity (or not found).
pub(super) async fn viewed(
    state: &AppState,
    headers: &HeaderMap,
    at: At,
    raw_id: &str,
) -> Result<(Seen, Activity), PageError> {
    let seen = Seen::of(state, headers, at, &format!("/activities/{raw_id}")).await?;
    let activity = owned(state, seen.athlete_id(), raw_id).await?;
    Ok((seen, activity))
}

#[derive(Template)]
#[template(path = "app/delete_activity.html")]
struct DeletePage {
    layout: Layout,
    href: String,
    title: String,
    day: String,
    has_file: bool,
}

/// `GET /activities/{id}/delete`: asks first.
pub(crate) async fn get_delete_activity(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(raw_id): Path<String>,
) -> Result<Response, PageError> {
    let here = format!("/activities/{raw_id}/delete");
    let viewer = Viewer::of(&state, &headers, &here).await?;
    let activity = owned(&state, viewer.id(), &raw_id).await?;
    let has_file = state
        .store
        .file_of_activity(viewer.id(), activity.id)
        .await?
        .is_some();
    let page = DeletePage {
        layout: viewer.layout("Delete activity", "activities"),
        href: format!("/activities/{}", activity.id.public()),
        title: title_of(&activity),
        day: format::moment(activity.started_at),
        has_file,
    };
    Ok(viewer.render(&page))
}

/// `POST /activities/{id}/delete`: deletes it (and its file), then back to the list.
pub(crate) async fn post_delete_activity(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(raw_id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let pairs = posted(&state, &headers, &body)?;
    let here = format!("/activities/{raw_id}/delete");
    let viewer = Viewer::of(&state, &headers, &here).await?;
    let activity = owned(&state, viewer.id(), &raw_id).await?;
    if field(&pairs, "confirm") != Some("yes") {
        return Ok(see_other(&here));
    }
    activities::delete(
        state.store.as_ref(),
        state.files.as_ref(),
        viewer.id(),
        activity.id,
        state.clock.now(),
    )
    .await?;
    Ok(see_other("/activities?deleted=1"))
}

/// A download's response: `bytes` as an attachment named `name`.
pub(super) fn attachment(bytes: Vec<u8>, content_type: &'static str, name: &str) -> Response {
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // The name is ours (an id and an extension), never the uploaded one.
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

/// `GET /activities/{id}/original`: the file it was made from, as uploaded.
pub(crate) async fn get_original(
    State(state): State<AppState>,
    at: At,
    headers: HeaderMap,
    Path(Id { id: raw_id }): Path<Id>,
) -> Result<Response, PageError> {
    let (seen, activity) = viewed(&state, &headers, at, &raw_id).await?;
    let kept = state
        .store
        .file_of_activity(seen.athlete_id(), activity.id)
        .await?
        .ok_or(PageError::NotFound(
            "This activity was not made from a file; download its FIT instead.",
        ))?;
    let bytes = state
        .files
        .get(&kept.file.storage_key)
        .await
        .map_err(|e| PageError::Failure(e.into()))?
        .ok_or_else(|| PageError::internal("file missing"))?;
    let format = kept.file.format.as_str();
    let content_type = match kept.file.format {
        paceline_domain::files::FileFormat::Fit => "application/vnd.ant.fit",
        _ => "application/xml",
    };
    Ok(attachment(
        bytes,
        content_type,
        &format!("{}.{format}", activity.id.public()),
    ))
}

/// `GET /activities/{id}/fit`: the activity as FIT, whatever it came as.
pub(crate) async fn get_fit(
    State(state): State<AppState>,
    at: At,
    headers: HeaderMap,
    Path(Id { id: raw_id }): Path<Id>,
) -> Result<Response, PageError> {
    let (seen, activity) = viewed(&state, &headers, at, &raw_id).await?;
    let bytes = fit_file(
        state.store.as_ref(),
        state.files.as_ref(),
        seen.athlete_id(),
        activity.id,
    )
    .await
    .map_err(|error| match error {
        FitFileError::Files(cause) => PageError::Failure(cause.into()),
        FitFileError::Store(cause) => cause.into(),
        other => PageError::internal(other.to_string()),
    })?
    .ok_or(NO_SUCH_ACTIVITY)?;
    Ok(attachment(
        bytes,
        "application/vnd.ant.fit",
        &format!("{}.fit", activity.id.public()),
    ))
}
