//! Every route of the Xhale surface, each registered with the [`Endpoint`] that documents
//! it: the document at `/api/openapi.json` is what this file registers.

use crate::AppState;
use crate::api::document::{self, Answer, List, Route, refer};
use crate::api::xhale::athletes::{self, AthleteItem};
use crate::api::xhale::calendar::{self, Resource};
use crate::api::xhale::document::{Body, Endpoint, WORKOUT_FILE, bad_request, detail, header};
use crate::api::xhale::error;
use crate::api::xhale::messages::{self, Contact, MessageItem};
use crate::api::xhale::schemas::{self, Create, Item, Patch};
use crate::api::xhale::sessions::{self, DirectAccessToken};
use crate::api::xhale::uploads::{self, UploadItem};
use crate::api::xhale::users::{self, CurrentUser};
use crate::api::xhale::workouts::{self, WorkoutItem};
use crate::extract::upload::MAX_UPLOAD_BYTES;
use paceline_domain::calendar::{Race, TrainingSession};
use paceline_domain::oauth::Scope;
use utoipa::openapi::path::HttpMethod;
use utoipa_axum::router::OpenApiRouter;

const ATHLETE: (&str, &str) = (
    "athlete",
    "For a coach: the user id of an athlete they coach. Without it, the token's user.",
);
const LIST_PARAMS: &[(&str, &str)] = &[
    (
        "updated_since_datetime",
        "Only records changed at or after this instant (UTC, e.g. 2015-06-17T03:00:00), deleted ones included with deleted: true.",
    ),
    ("start_date", "First day, YYYY-MM-DD."),
    ("end_date", "Last day, YYYY-MM-DD."),
    ATHLETE,
];
const ATHLETE_PARAM: &[(&str, &str)] = &[ATHLETE];
const ID_PARAM: &[(&str, &str)] = &[("id", "The record's id.")];
const CONTACT: &[(&str, &str)] = &[("contact_id", "The contact's user id.")];
const MESSAGE: &[(&str, &str)] = &[
    ("contact_id", "The contact's user id."),
    ("message_id", "The message's id."),
];

const NOT_COACHED: Answer = detail(
    403,
    "The token lacks the scope, or the user does not coach that athlete.",
);
const NO_RECORD: Answer = detail(
    404,
    "No such record of the user or of an athlete they coach.",
);
const BAD_FIELD: Answer = bad_request("A field is missing, malformed or read-only to this user.");
const BODY_TYPE: Answer = detail(415, "The body is neither form-encoded nor JSON.");
const NOT_A_CONTACT: Answer = detail(404, "Not one of the user's contacts.");
const BAD_PARAMETER: Answer = bad_request("A parameter is malformed or unknown.");
const COACH_PLANS: Answer = detail(403, "A coached athlete's coach plans their workouts.");
const BAD_STEP: Answer = bad_request("A field or step is malformed.");
const NO_WORKOUT: Answer = detail(404, "No such workout.");

/// Every route of the surface.
pub(crate) fn routes() -> OpenApiRouter<AppState> {
    let mut all = vec![current_user(), athletes()];
    all.extend(records::<TrainingSession>(
        "/api/sessions/",
        "/api/sessions/{id}/",
        "session",
        "sessions",
    ));
    all.push(session_token());
    all.extend(records::<Race>(
        "/api/races/",
        "/api/races/{id}/",
        "race",
        "races",
    ));
    all.extend(conversations());
    all.extend(files());
    all.extend(planned_workouts());
    document::gather(header(), all)
}

fn current_user() -> Route {
    Route::new("/api/users/current/")
        .on(
            HttpMethod::Get,
            Endpoint {
                id: "get_current_user".into(),
                summary: "The token's user: seasons, disciplines, units, account kind and zones.",
                scope: Scope::Read,
                params: &[],
                body: None,
                answers: vec![Answer::json(200, "The user.", refer::<CurrentUser>)],
            }
            .describe(),
            users::get_current_user,
        )
        .fallback(error::read_only)
}

fn athletes() -> Route {
    Route::new("/api/athletes/")
        .on(
            HttpMethod::Get,
            Endpoint {
                id: "list_athletes".into(),
                summary: "The athletes the user may act for with ?athlete=: those assigned to them as a coach, and every athlete of a coaching company they own.",
                scope: Scope::Read,
                params: &[],
                body: None,
                answers: vec![
                    Answer::json(
                        200,
                        "The athletes, by id, once per organization.",
                        refer::<List<AthleteItem>>,
                    ),
                    BAD_PARAMETER,
                ],
            }
            .describe(),
            athletes::list_athletes,
        )
        .fallback(error::read_only)
}

/// A calendar record's list and its records, at `list` and `one`.
fn records<R: Resource>(
    list: &'static str,
    one: &'static str,
    name: &str,
    plural: &str,
) -> [Route; 2] {
    let endpoint = |id: String, summary, scope, params, body, answers| Endpoint {
        id: id.into(),
        summary,
        scope,
        params,
        body,
        answers,
    };
    let item = refer::<Item<R>>;
    let updated = vec![
        Answer::json(200, "The record as changed.", item),
        BAD_FIELD,
        NO_RECORD,
        detail(409, "Others kept changing the record; try again."),
        BODY_TYPE,
    ];
    let records = Route::new(list)
        .on(
            HttpMethod::Get,
            endpoint(
                format!("list_{plural}"),
                "Lists records: the current season by default.",
                Scope::Read,
                LIST_PARAMS,
                None,
                vec![
                    Answer::json(200, "The records, by day.", refer::<List<Item<R>>>),
                    BAD_PARAMETER,
                    NOT_COACHED,
                ],
            )
            .describe(),
            calendar::list_records::<R>,
        )
        .on(
            HttpMethod::Post,
            endpoint(
                format!("create_{name}"),
                "Creates a record.",
                Scope::Write,
                ATHLETE_PARAM,
                Some(Body::Fields(refer::<Create<R>>)),
                vec![
                    Answer::json(201, "The record created.", item),
                    BAD_FIELD,
                    NOT_COACHED,
                    BODY_TYPE,
                ],
            )
            .describe(),
            calendar::create_record::<R>,
        )
        .fallback(error::list_methods);
    let record = Route::new(one)
        .on(
            HttpMethod::Get,
            endpoint(
                format!("get_{name}"),
                "Retrieves a record.",
                Scope::Read,
                ID_PARAM,
                None,
                vec![Answer::json(200, "The record.", item), NO_RECORD],
            )
            .describe(),
            calendar::get_record::<R>,
        )
        .on(
            HttpMethod::Put,
            endpoint(
                format!("replace_{name}"),
                "Updates a record; the required fields must come again.",
                Scope::Write,
                ID_PARAM,
                Some(Body::Fields(refer::<Create<R>>)),
                updated.clone(),
            )
            .describe(),
            calendar::replace_record::<R>,
        )
        .on(
            HttpMethod::Patch,
            endpoint(
                format!("patch_{name}"),
                "Changes the fields sent.",
                Scope::Write,
                ID_PARAM,
                Some(Body::Fields(refer::<Patch<R>>)),
                updated,
            )
            .describe(),
            calendar::patch_record::<R>,
        )
        .on(
            HttpMethod::Delete,
            endpoint(
                format!("delete_{name}"),
                "Deletes a record.",
                Scope::Write,
                ID_PARAM,
                None,
                vec![
                    Answer::empty(
                        204,
                        "Deleted (softly: syncing clients see it with deleted: true).",
                    ),
                    NO_RECORD,
                ],
            )
            .describe(),
            calendar::delete_record::<R>,
        )
        .fallback(error::record_methods);
    [records, record]
}

fn session_token() -> Route {
    Route::new("/api/sessions/{id}/direct_access_token/")
        .on(
            HttpMethod::Post,
            Endpoint {
                id: "rotate_session_token".into(),
                summary: "Gives the session a new direct-access token; the old link stops working.",
                scope: Scope::Write,
                params: ID_PARAM,
                body: None,
                answers: vec![
                    Answer::json(200, "The new token.", refer::<DirectAccessToken>),
                    detail(
                        404,
                        "No such session of the user or of an athlete they coach.",
                    ),
                ],
            }
            .describe(),
            sessions::rotate_session_token,
        )
        .fallback(error::post_only)
}

/// Messaging.
fn conversations() -> [Route; 3] {
    let contacts = Route::new("/api/contacts/")
        .on(
            HttpMethod::Get,
            Endpoint {
                id: "list_contacts".into(),
                summary: "The user's contacts: a coach's athletes, an athlete's coaches.",
                scope: Scope::Read,
                params: &[],
                body: None,
                answers: vec![Answer::json(
                    200,
                    "The contacts, with their unseen message counts.",
                    refer::<List<Contact>>,
                )],
            }
            .describe(),
            messages::list_contacts,
        )
        .fallback(error::read_only);
    let conversation = Route::new("/api/contacts/{contact_id}/messages/")
        .on(
            HttpMethod::Get,
            Endpoint {
                id: "list_messages".into(),
                summary: "The conversation with a contact, oldest first; reading marks the reader's messages seen.",
                scope: Scope::Read,
                params: &[
                    ("contact_id", "The contact's user id."),
                    (
                        "limit",
                        "At most this many of the latest messages (1 to 1000).",
                    ),
                    ("before_id", "Only messages older than this one."),
                ],
                body: None,
                answers: vec![
                    Answer::json(200, "The messages.", refer::<List<MessageItem>>),
                    NOT_A_CONTACT,
                ],
            }
            .describe(),
            messages::list_messages,
        )
        .on(
            HttpMethod::Post,
            Endpoint {
                id: "create_message".into(),
                summary: "Sends a message to a contact.",
                scope: Scope::Write,
                params: CONTACT,
                body: Some(Body::Fields(refer::<schemas::MessageWrite>)),
                answers: vec![
                    Answer::json(201, "The message sent.", refer::<MessageItem>),
                    bad_request("The content is missing, blank or too long."),
                    NOT_A_CONTACT,
                    BODY_TYPE,
                ],
            }
            .describe(),
            messages::create_message,
        )
        .fallback(error::list_methods);
    let message = Route::new("/api/contacts/{contact_id}/messages/{message_id}/")
        .on(
            HttpMethod::Get,
            Endpoint {
                id: "get_message".into(),
                summary: "One message; reading it as its recipient marks it seen.",
                scope: Scope::Read,
                params: MESSAGE,
                body: None,
                answers: vec![
                    Answer::json(200, "The message.", refer::<MessageItem>),
                    NOT_A_CONTACT,
                ],
            }
            .describe(),
            messages::get_message,
        )
        .fallback(error::read_only);
    [contacts, conversation, message]
}

/// Training files.
fn files() -> [Route; 3] {
    let upload = Route::new("/api/uploads/")
        .on(
            HttpMethod::Post,
            Endpoint {
                id: "create_upload".into(),
                summary: "Uploads a FIT, TCX or GPX activity file (needs the scopes write and upload).",
                scope: Scope::Upload,
                params: ATHLETE_PARAM,
                body: Some(Body::Multipart(refer::<schemas::UploadBody>)),
                answers: vec![
                    Answer::json(201, "The file, new.", refer::<UploadItem>),
                    Answer::json(200, "The same file, uploaded before.", refer::<UploadItem>),
                    bad_request("The file is missing, empty or damaged."),
                    detail(
                        403,
                        "The token lacks write or upload, or the user does not coach that athlete.",
                    ),
                    detail(413, "The file is larger than 25 MB."),
                    detail(415, "Not an activity file, or not multipart."),
                ],
            }
            .describe(),
            uploads::create_upload,
        )
        .body_limit(MAX_UPLOAD_BYTES)
        .fallback(error::post_only);
    let pending = Route::new("/api/uploads/pending/")
        .on(
            HttpMethod::Get,
            Endpoint {
                id: "list_pending_uploads".into(),
                summary: "The files attached to no session or race: the newest 500, oldest first.",
                scope: Scope::Read,
                params: ATHLETE_PARAM,
                body: None,
                answers: vec![Answer::json(200, "The files.", refer::<List<UploadItem>>)],
            }
            .describe(),
            uploads::list_pending_uploads,
        )
        .fallback(error::read_only);
    let file = Route::new("/api/uploads/{id}/")
        .on(
            HttpMethod::Delete,
            Endpoint {
                id: "delete_upload".into(),
                summary: "Deletes a file and the activity made from it.",
                scope: Scope::Upload,
                params: ID_PARAM,
                body: None,
                answers: vec![
                    Answer::empty(204, "Deleted."),
                    detail(404, "No such file of the user or of an athlete they coach."),
                ],
            }
            .describe(),
            uploads::delete_upload,
        )
        .fallback(error::delete_only);
    [upload, pending, file]
}

/// Planned workouts and their files.
fn planned_workouts() -> [Route; 3] {
    let list = Route::new("/api/workouts/")
        .on(
            HttpMethod::Get,
            Endpoint {
                id: "list_workouts".into(),
                summary: "Planned workouts.",
                scope: Scope::Read,
                params: &[
                    ("sport", "cycling, running, swimming... (FIT's names)."),
                    (
                        "updated_since_datetime",
                        "Only workouts changed at or after this instant, deleted ones included.",
                    ),
                    (
                        "scheduled_date_earliest",
                        "Only workouts on a session on or after this day.",
                    ),
                    (
                        "scheduled_date_latest",
                        "Only workouts on a session on or before this day.",
                    ),
                    (
                        "athlete",
                        "For a coach: the user id of an athlete they coach.",
                    ),
                ],
                body: None,
                answers: vec![
                    Answer::json(200, "The workouts.", refer::<List<WorkoutItem>>),
                    BAD_PARAMETER,
                ],
            }
            .describe(),
            workouts::list_workouts,
        )
        .on(
            HttpMethod::Post,
            Endpoint {
                id: "create_workout".into(),
                summary: "Creates a workout (the athlete's coach, or a self-coached athlete).",
                scope: Scope::Write,
                params: ATHLETE_PARAM,
                body: Some(Body::Fields(refer::<schemas::WorkoutWrite>)),
                answers: vec![
                    Answer::json(201, "The workout.", refer::<WorkoutItem>),
                    BAD_STEP,
                    COACH_PLANS,
                ],
            }
            .describe(),
            workouts::create_workout,
        )
        .fallback(error::list_methods);
    let one = Route::new("/api/workouts/{id}/")
        .on(
            HttpMethod::Get,
            Endpoint {
                id: "get_workout".into(),
                summary: "One workout.",
                scope: Scope::Read,
                params: ID_PARAM,
                body: None,
                answers: vec![
                    Answer::json(200, "The workout.", refer::<WorkoutItem>),
                    NO_WORKOUT,
                ],
            }
            .describe(),
            workouts::get_workout,
        )
        .on(
            HttpMethod::Patch,
            Endpoint {
                id: "update_workout".into(),
                summary: "Changes the fields sent; training_session_ids replaces the attachments.",
                scope: Scope::Write,
                params: ID_PARAM,
                body: Some(Body::Fields(refer::<schemas::WorkoutPatch>)),
                answers: vec![
                    Answer::json(200, "The workout.", refer::<WorkoutItem>),
                    BAD_STEP,
                    COACH_PLANS,
                    NO_WORKOUT,
                ],
            }
            .describe(),
            workouts::update_workout,
        )
        .on(
            HttpMethod::Delete,
            Endpoint {
                id: "delete_workout".into(),
                summary: "Deletes a workout (softly).",
                scope: Scope::Write,
                params: ID_PARAM,
                body: None,
                answers: vec![Answer::empty(204, "Deleted."), NO_WORKOUT],
            }
            .describe(),
            workouts::delete_workout,
        )
        .fallback(error::patch_record_methods);
    let file = Route::new("/api/sessions/{id}/workouts/{file}")
        .on(
            HttpMethod::Get,
            Endpoint {
                id: "download_workout".into(),
                summary: "A workout attached to a session, as <workout_id>.fit, .zwo or .erg.",
                scope: Scope::Read,
                params: &[
                    ("id", "The training session's id."),
                    (
                        "file",
                        "<workout_id>.fit, <workout_id>.zwo or <workout_id>.erg.",
                    ),
                ],
                body: None,
                answers: vec![
                    Answer {
                        status: 200,
                        meaning: "The file.",
                        content: WORKOUT_FILE,
                    },
                    detail(404, "No such workout on that session."),
                    detail(
                        409,
                        "The target needs the athlete's zones, which are not set.",
                    ),
                    detail(422, "The format cannot express this workout."),
                ],
            }
            .describe(),
            workouts::download_workout,
        )
        .fallback(error::read_only);
    [list, one, file]
}
