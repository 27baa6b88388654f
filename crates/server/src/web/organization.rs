//! `/organization`: a coaching company as its owner runs it. Its members and their roles;
//! inviting a coach or an athlete by a one-time link (shown once to copy, and e-mailed when
//! the server can send mail); assigning and unassigning coaches, effective at the next
//! request; removing a member, who keeps their account and training; the company's
//! integrations, with revoke. Every change goes through the same domain functions as the
//! operator's commands.

use super::{Layout, Viewer, field, posted};
use crate::AppState;
use crate::oauth::request_rng;
use crate::pages::PageError;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use paceline_domain::accounts::{self, AccountError};
use paceline_domain::entities::{Organization, Role, User};
use paceline_domain::ids::{MembershipId, OrgId};
use paceline_domain::invitations::{self, InvitationError, InvitationId};
use paceline_domain::oauth::company;
use time::OffsetDateTime;

/// Not an organization the viewer owns.
const NOT_YOURS: PageError =
    PageError::NotFound("You do not own a coaching company at this address.");

/// One member of the company.
struct MemberRow {
    id: i64,
    name: String,
    email: String,
    role: &'static str,
    you: bool,
    athlete: bool,
    /// Their coaches: (coach membership id, name).
    coaches: Vec<(i64, String)>,
    /// Coaches who could be assigned to them: (membership id, name).
    assignable: Vec<(i64, String)>,
}

/// One invitation.
struct InvitationRow {
    id: i64,
    role: &'static str,
    email: String,
    state: String,
    open: bool,
}

/// One company integration.
struct IntegrationRow {
    name: String,
    client_id: String,
    created: String,
}

#[derive(Template)]
#[template(path = "app/organization.html")]
struct OrganizationPage {
    layout: Layout,
    org: String,
    name: String,
    /// The other companies the viewer owns: (address, name).
    others: Vec<(String, String)>,
    members: Vec<MemberRow>,
    invitations: Vec<InvitationRow>,
    integrations: Vec<IntegrationRow>,
    /// A link just made: shown once.
    new_link: Option<String>,
    /// Where it was e-mailed.
    sent_to: Option<String>,
    notice: Option<String>,
    problem: Option<String>,
}

/// The companies the viewer owns, and the one asked for (the first by default).
fn owned<'a>(
    viewer: &'a Viewer,
    asked: Option<&str>,
) -> Result<(Organization, &'a [Organization]), PageError> {
    let companies = viewer.roles.owns.as_slice();
    let chosen = match asked {
        Some(reference) => {
            let id = OrgId::parse_reference(reference).ok_or(NOT_YOURS)?;
            companies.iter().find(|o| o.id == id).cloned()
        }
        None => companies.first().cloned(),
    }
    .ok_or(NOT_YOURS)?;
    Ok((chosen, companies))
}

fn role_name(role: Role) -> &'static str {
    match role {
        Role::Owner => "Owner",
        Role::Coach => "Coach",
        Role::Athlete => "Athlete",
    }
}

fn when(at: OffsetDateTime) -> String {
    super::format::day_short(at.date())
}

async fn page(
    state: &AppState,
    viewer: &Viewer,
    org: &Organization,
    companies: &[Organization],
) -> Result<OrganizationPage, PageError> {
    let store = state.store.as_ref();
    let now = state.clock.now();
    let members = store.members_of(org.id).await?;
    let name_of = |user: paceline_domain::ids::UserId| {
        members
            .iter()
            .find(|(_, u)| u.id == user)
            .map(|(m, u)| (m.id.0, u.name.clone()))
    };
    let coaches: Vec<(i64, String)> = members
        .iter()
        .filter(|(m, _)| m.role.can_coach())
        .map(|(m, u)| (m.id.0, u.name.clone()))
        .collect();
    let reached = store.athletes_of(viewer.id()).await?;
    let rows = members
        .iter()
        .map(|(m, u)| {
            let assigned: Vec<(i64, String)> = reached
                .iter()
                .filter(|a| a.organization_id == org.id && a.user.id == u.id)
                .flat_map(|a| a.coach_ids.iter().filter_map(|c| name_of(*c)))
                .collect();
            let athlete = m.role == Role::Athlete;
            MemberRow {
                id: m.id.0,
                name: u.name.clone(),
                email: u.email.to_string(),
                role: role_name(m.role),
                you: u.id == viewer.id(),
                athlete,
                assignable: if athlete {
                    coaches
                        .iter()
                        .filter(|c| !assigned.iter().any(|a| a.0 == c.0))
                        .cloned()
                        .collect()
                } else {
                    Vec::new()
                },
                coaches: assigned,
            }
        })
        .collect();
    let invitations = store
        .invitations_of(org.id)
        .await?
        .into_iter()
        .take(20)
        .map(|i| {
            let state = match (&i.accepted, i.revoked_at) {
                (Some((at, by)), _) => {
                    let who = by
                        .and_then(|by| members.iter().find(|(_, u)| u.id == by))
                        .map(|(_, u)| u.name.clone())
                        .unwrap_or_else(|| "someone".to_owned());
                    format!("Accepted by {who} on {}", when(*at))
                }
                (None, Some(at)) => format!("Withdrawn on {}", when(at)),
                (None, None) if i.expires_at <= now => format!("Expired on {}", when(i.expires_at)),
                (None, None) => format!("Open until {}", when(i.expires_at)),
            };
            InvitationRow {
                id: i.id.0,
                role: role_name(i.role),
                open: i.is_open(now),
                email: i.email.map(|e| e.to_string()).unwrap_or_default(),
                state,
            }
        })
        .collect();
    let integrations = company::integrations_of(store, viewer.id(), org.id)
        .await
        .map_err(|e| PageError::internal(e.to_string()))?
        .into_iter()
        .map(|c| IntegrationRow {
            name: c.name,
            client_id: c.client_id,
            created: when(c.created_at),
        })
        .collect();
    Ok(OrganizationPage {
        layout: viewer.layout(org.name.clone(), "organization"),
        org: org.id.public(),
        name: org.name.clone(),
        others: companies
            .iter()
            .filter(|o| o.id != org.id)
            .map(|o| {
                (
                    format!("/organization?org={}", o.id.public()),
                    o.name.clone(),
                )
            })
            .collect(),
        members: rows,
        invitations,
        integrations,
        new_link: None,
        sent_to: None,
        notice: None,
        problem: None,
    })
}

/// `GET /organization?org=`.
pub(crate) async fn get_organization(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let asked = form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
        .find(|(k, _)| k == "org")
        .map(|(_, v)| v.into_owned());
    let viewer = Viewer::of(&state, &headers, "/organization").await?;
    let (org, companies) = owned(&viewer, asked.as_deref())?;
    let page = page(&state, &viewer, &org, companies).await?;
    Ok(viewer.render(&page))
}

/// What a change did: a sentence to show, or what was wrong with it.
type Outcome = Result<String, String>;

/// The member `raw` (a membership id) of the company.
fn member<'a>(
    members: &'a [(paceline_domain::entities::Membership, User)],
    raw: Option<&str>,
) -> Option<&'a (paceline_domain::entities::Membership, User)> {
    let id = raw?.parse::<i64>().ok()?;
    members.iter().find(|(m, _)| m.id == MembershipId(id))
}

/// `POST /organization`: one change, named by the form's `do`.
pub(crate) async fn post_organization(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, PageError> {
    let pairs = posted(&state, &headers, &body)?;
    let viewer = Viewer::of(&state, &headers, "/organization").await?;
    let (org, companies) = owned(&viewer, field(&pairs, "org"))?;
    let store = state.store.as_ref();
    let clock = state.clock.as_ref();
    let members = store.members_of(org.id).await?;
    let mut new_link = None;
    let mut sent_to = None;
    let outcome: Outcome = match field(&pairs, "do").unwrap_or_default() {
        "invite" => {
            let role = match field(&pairs, "role") {
                Some("coach") => Role::Coach,
                Some("owner") => Role::Owner,
                _ => Role::Athlete,
            };
            let email = field(&pairs, "email");
            match invitations::invite(store, clock, &mut request_rng(), viewer.id(), org.id, role, email).await {
                Ok((invitation, token)) => {
                    let link = format!("{}/invite/{}", state.oauth.issuer, token.expose());
                    if let (Some(address), Some(mailer)) = (&invitation.email, state.mailer.as_ref()) {
                        let mail = crate::mail::invitation(&viewer.user, &org, role_name(role), &link, address);
                        match mailer.send(mail).await {
                            Ok(()) => sent_to = Some(address.to_string()),
                            Err(cause) => tracing::warn!(%cause, "the invitation could not be e-mailed"),
                        }
                    }
                    new_link = Some(link);
                    Ok(format!("Invitation made: it works once, until {}.", when(invitation.expires_at)))
                }
                Err(InvitationError::Account(AccountError::InvalidEmail(_))) => {
                    Err("That e-mail address does not read as one; leave it empty to invite by link only.".to_owned())
                }
                Err(InvitationError::Store(cause)) => return Err(cause.into()),
                Err(other) => Err(other.to_string()),
            }
        }
        "withdraw" => {
            let id = field(&pairs, "invitation")
                .and_then(|v| v.parse().ok())
                .map(InvitationId);
            match id {
                Some(id) => {
                    match invitations::revoke(store, clock, viewer.id(), org.id, id).await {
                        Ok(true) => {
                            Ok("Invitation withdrawn: its link no longer works.".to_owned())
                        }
                        Ok(false) => Err("That invitation is no longer open.".to_owned()),
                        Err(InvitationError::Store(cause)) => return Err(cause.into()),
                        Err(other) => Err(other.to_string()),
                    }
                }
                None => Err("Choose an invitation to withdraw.".to_owned()),
            }
        }
        verb @ ("assign" | "unassign") => {
            match (
                member(&members, field(&pairs, "coach")),
                member(&members, field(&pairs, "athlete")),
            ) {
                (Some((_, coach)), Some((_, athlete))) => {
                    let reference = org.id.public();
                    let done = if verb == "assign" {
                        accounts::assign_coach(
                            store,
                            clock,
                            coach.email.as_str(),
                            athlete.email.as_str(),
                            Some(&reference),
                        )
                        .await
                        .map(|_| format!("{} now coaches {}.", coach.name, athlete.name))
                    } else {
                        accounts::unassign_coach(
                            store,
                            coach.email.as_str(),
                            athlete.email.as_str(),
                            Some(&reference),
                        )
                        .await
                        .map(|_| format!("{} no longer coaches {}.", coach.name, athlete.name))
                    };
                    match done {
                        Ok(text) => Ok(text),
                        Err(AccountError::Store(cause)) => return Err(cause.into()),
                        Err(other) => Err(other.to_string()),
                    }
                }
                _ => Err("Choose a coach and an athlete of this organization.".to_owned()),
            }
        }
        "remove" => match member(&members, field(&pairs, "member")) {
            Some((m, user)) if field(&pairs, "confirm") == Some("yes") => {
                match invitations::remove_member(store, clock, viewer.id(), org.id, m.id).await {
                    Ok(()) => Ok(format!(
                        "{} left {}: they keep their account and their training, in an organization of their own.",
                        user.name, org.name
                    )),
                    Err(InvitationError::Store(cause)) => return Err(cause.into()),
                    Err(other) => Err(other.to_string()),
                }
            }
            Some(_) => Err("Tick the box to confirm the removal.".to_owned()),
            None => Err("That person is not a member of this organization.".to_owned()),
        },
        "revoke" => {
            let client_id = field(&pairs, "client").unwrap_or_default();
            if field(&pairs, "confirm") != Some("yes") {
                Err("Tick the box to confirm revoking the integration.".to_owned())
            } else {
                match company::revoke_integration(store, viewer.id(), org.id, client_id).await {
                    Ok(client) => Ok(format!(
                        "{} is revoked: its tokens stopped working.",
                        client.name
                    )),
                    Err(paceline_domain::oauth::clients::ClientError::Store(cause)) => {
                        return Err(cause.into());
                    }
                    Err(other) => Err(other.to_string()),
                }
            }
        }
        _ => Err("That change is not one this page makes.".to_owned()),
    };
    let mut page = page(&state, &viewer, &org, companies).await?;
    page.new_link = new_link;
    page.sent_to = sent_to;
    let status = match outcome {
        Ok(notice) => {
            page.notice = Some(notice);
            StatusCode::OK
        }
        Err(problem) => {
            page.problem = Some(problem);
            StatusCode::UNPROCESSABLE_ENTITY
        }
    };
    Ok(viewer.render_with(status, &page))
}
