//! `paceline admin …`: account administration against the configured database. Safe while
//! the server runs: every change is one transaction, and SQLite writers wait their turn.
//! With `--json`, results go to standard output and errors to standard error as JSON; every
//! created record is shown with its integer `id` and, where it has one, its `public_id`.

use crate::Failure;
use crate::args::{
    AdminArgs, AdminCommand, ClientsCommand, CoachCommand, Grant, MemberCommand, OrgCommand,
    UserCommand,
};

mod athlete;
mod reprocess;
use crate::config::Settings;
use crate::store;
use paceline_domain::accounts::{self, AccountError, UserRequest};
use paceline_domain::entities::{Membership, Organization, User};
use paceline_domain::oauth::client::OAuthClient;
use paceline_domain::oauth::clients::{self, ClientError, Registration, Update};
use paceline_domain::oauth::company::{self, CompanyRegistration};
use paceline_domain::oauth::secret::Secret;
use paceline_domain::password::Password;
use paceline_domain::{Store, StoreError, SystemClock};
use paceline_server::admin::{client_json, client_json_with_secret};
use rand::SeedableRng;
use serde_json::{Value, json};
use std::io::Read;

/// Runs one admin command and prints its result.
pub async fn run(settings: &Settings, args: AdminArgs) -> Result<(), Failure> {
    let json = args.json;
    let outcome = async {
        let store = store::open(settings, 2)
            .await
            .map_err(|e| Failure::system(&e))?;
        let result = execute(settings, &store, args.command, json).await;
        store.close().await;
        result
    }
    .await;
    match outcome {
        Ok(output) => {
            if json {
                println!("{}", output.json);
            } else {
                println!("{}", output.text);
            }
            Ok(())
        }
        Err(failure) => {
            if json {
                eprintln!(
                    "{}",
                    json!({ "error": { "code": failure.code, "message": failure.message } })
                );
            } else {
                eprintln!("error: {}", failure.message);
            }
            Err(failure)
        }
    }
}

/// A command's result in both forms.
struct Output {
    text: String,
    json: Value,
}

async fn execute(
    settings: &Settings,
    store: &dyn Store,
    command: AdminCommand,
    json: bool,
) -> Result<Output, Failure> {
    let clock = SystemClock;
    match command {
        AdminCommand::User(UserCommand::Create {
            email,
            password,
            name,
            org,
            role,
        }) => {
            let password = read_password(&password)?;
            let request = UserRequest {
                email,
                password,
                name,
                organization: org,
                role,
            };
            let created = accounts::create_user(store, &clock, request)
                .await
                .map_err(refused)?;
            let text = format!(
                "created user {} (id {}, {}) as {} of \"{}\" ({})",
                created.user.email,
                created.user.id,
                created.user.id.public(),
                created.membership.role,
                created.organization.name,
                created.organization.id.public(),
            );
            let mut json = user_json(&created.user);
            set(&mut json, "organization", org_json(&created.organization));
            set(
                &mut json,
                "membership",
                membership_json(&created.membership),
            );
            Ok(Output { text, json })
        }
        AdminCommand::User(UserCommand::List) => {
            let users = store.list_users().await.map_err(stored)?;
            let text = users
                .iter()
                .map(|u| format!("{:>6}  {}  {:<32} {}", u.id, u.id.public(), u.email, u.name))
                .collect::<Vec<_>>()
                .join("\n");
            Ok(Output {
                text,
                json: Value::Array(users.iter().map(user_json).collect()),
            })
        }
        AdminCommand::User(UserCommand::Show { email }) => {
            let user = accounts::user_by_email(store, &email)
                .await
                .map_err(refused)?;
            let memberships = store.memberships_of_user(user.id).await.map_err(stored)?;
            let settings = store.athlete_settings(user.id).await.map_err(stored)?;
            let mut json = user_json(&user);
            let mut text = format!(
                "{} (id {}, {})\n{}",
                user.name,
                user.id,
                user.id.public(),
                user.email
            );
            let listed = memberships
                .iter()
                .map(|m| {
                    text.push_str(&format!(
                        "\n  {} of \"{}\" ({})",
                        m.membership.role,
                        m.organization.name,
                        m.organization.id.public()
                    ));
                    let mut entry = membership_json(&m.membership);
                    set(&mut entry, "organization", org_json(&m.organization));
                    entry
                })
                .collect();
            set(&mut json, "memberships", listed);
            if let Some(settings) = settings {
                let seasons: Vec<Value> = settings
                    .seasons
                    .iter()
                    .map(|s| json!([s.start.to_string(), s.end.to_string()]))
                    .collect();
                text.push('\n');
                text.push_str(&athlete::units_line(&settings));
                set(
                    &mut json,
                    "distance_unit_preference",
                    json!(settings.distance_unit.as_str()),
                );
                set(
                    &mut json,
                    "pool_unit_preference",
                    json!(settings.pool_unit.as_str()),
                );
                set(&mut json, "seasons", Value::Array(seasons));
            }
            Ok(Output { text, json })
        }
        AdminCommand::User(UserCommand::SetPassword { email, password }) => {
            let password = read_password(&password)?;
            let user = accounts::set_password(store, &clock, &email, password)
                .await
                .map_err(refused)?;
            Ok(Output {
                text: format!("password replaced for {}", user.email),
                json: user_json(&user),
            })
        }
        AdminCommand::User(UserCommand::ResetLink { email }) => {
            let user = accounts::user_by_email(store, &email)
                .await
                .map_err(refused)?;
            let token = paceline_domain::resets::reset_link(
                store,
                &clock,
                &mut rand::rngs::StdRng::from_os_rng(),
                user.id,
            )
            .await
            .map_err(stored)?;
            let link = format!(
                "{}/reset/{}",
                settings.issuer(settings.listen),
                token.expose()
            );
            let mut json = user_json(&user);
            set(&mut json, "reset_link", Value::String(link.clone()));
            set(
                &mut json,
                "expires_in_seconds",
                serde_json::json!(paceline_domain::resets::RESET_LIFETIME.whole_seconds()),
            );
            Ok(Output {
                text: format!(
                    "{link}\nopen within an hour to choose a new password for {}; it works once",
                    user.email
                ),
                json,
            })
        }
        AdminCommand::Org(OrgCommand::Create { name }) => {
            let org = accounts::create_organization(store, &clock, &name)
                .await
                .map_err(refused)?;
            let text = format!(
                "created organization \"{}\" (id {}, {})",
                org.name,
                org.id,
                org.id.public()
            );
            Ok(Output {
                text,
                json: org_json(&org),
            })
        }
        AdminCommand::Org(OrgCommand::List) => {
            let orgs = store.list_organizations().await.map_err(stored)?;
            let text = orgs
                .iter()
                .map(|o| format!("{:>6}  {}  {:<8} {}", o.id, o.id.public(), o.kind, o.name))
                .collect::<Vec<_>>()
                .join("\n");
            Ok(Output {
                text,
                json: Value::Array(orgs.iter().map(org_json).collect()),
            })
        }
        AdminCommand::Member(MemberCommand::Add { org, email, role }) => {
            let (membership, org) = accounts::add_member(store, &clock, &org, &email, role)
                .await
                .map_err(refused)?;
            let text = format!(
                "added {email} as {} of \"{}\" (membership id {}, {})",
                membership.role,
                org.name,
                membership.id,
                membership.id.public()
            );
            let mut json = membership_json(&membership);
            set(&mut json, "organization", org_json(&org));
            Ok(Output { text, json })
        }
        AdminCommand::Coach(CoachCommand::Unassign {
            coach,
            athlete,
            org,
        }) => {
            let org = accounts::unassign_coach(store, &coach, &athlete, org.as_deref())
                .await
                .map_err(refused)?;
            Ok(Output {
                text: format!("{coach} no longer coaches {athlete} in \"{}\"", org.name),
                json: json!({
                    "coach": coach,
                    "athlete": athlete,
                    "organization": org_json(&org),
                    "assigned": false,
                }),
            })
        }
        AdminCommand::Clients(command) => clients_command(store, command).await,
        AdminCommand::Athlete(command) => athlete::run(store, command).await,
        AdminCommand::Reprocess => reprocess::run(settings, store, json).await,
        AdminCommand::Coach(CoachCommand::Assign {
            coach,
            athlete,
            org,
        }) => {
            let (assignment, org) =
                accounts::assign_coach(store, &clock, &coach, &athlete, org.as_deref())
                    .await
                    .map_err(refused)?;
            let text = format!(
                "{coach} now coaches {athlete} in \"{}\" (assignment id {})",
                org.name, assignment.id.0
            );
            let json = json!({
                "id": assignment.id.0,
                "organization": org_json(&org),
                "coach_membership_id": assignment.coach_membership_id.get(),
                "athlete_membership_id": assignment.athlete_membership_id.get(),
                "created_at": timestamp(assignment.created_at),
            });
            Ok(Output { text, json })
        }
    }
}

async fn clients_command(store: &dyn Store, command: ClientsCommand) -> Result<Output, Failure> {
    let clock = SystemClock;
    let mut rng = rand::rngs::StdRng::from_os_rng();
    match command {
        ClientsCommand::Create {
            name,
            org: Some(organization),
            grant: Grant::ClientCredentials,
            scope,
            client_id,
            ..
        } => {
            let registration = CompanyRegistration {
                organization,
                name,
                scopes: scope,
                client_id,
            };
            let made = company::register(store, &clock, &mut rng, registration)
                .await
                .map_err(client_refused)?;
            let mut json = client_json_with_secret(&made.client, Some(&made.secret));
            set(&mut json, "grant_types", json!(["client_credentials"]));
            set(&mut json, "organization", org_json(&made.organization));
            set(&mut json, "acts_as_user_id", json!(made.acts_as.get()));
            let text = format!(
                "created company integration {} of \"{}\" (grant_type=client_credentials)\n\
                 client_secret: {}\n(shown this once: store it now; only its hash is kept)",
                made.client.client_id,
                made.organization.name,
                made.secret.expose()
            );
            Ok(Output { text, json })
        }
        ClientsCommand::Create {
            grant: Grant::ClientCredentials,
            ..
        } => Err(Failure {
            exit: 1,
            code: "missing-organization",
            message: "--grant client_credentials needs --org: the coaching company the \
                      integration acts for"
                .into(),
        }),
        ClientsCommand::Create { org: Some(_), .. } => Err(Failure {
            exit: 1,
            code: "invalid-grant",
            message: "--org makes a company integration: give --grant client_credentials".into(),
        }),
        ClientsCommand::Create {
            name,
            redirect_uris,
            scope,
            public,
            client_id,
            secret_from_stdin,
            ..
        } => {
            if redirect_uris.is_empty() {
                return Err(client_refused(ClientError::NoRedirectUri));
            }
            let secret = if secret_from_stdin {
                Some(Secret::new(read_stdin_line("client secret")?))
            } else {
                None
            };
            let registration = Registration {
                name,
                redirect_uris,
                scopes: scope,
                public,
                client_id,
                secret,
            };
            let (client, secret) = clients::register(store, &clock, &mut rng, registration)
                .await
                .map_err(client_refused)?;
            let json = client_json_with_secret(&client, secret.as_ref());
            let mut text = format!("created {} client {}", kind(&client), client.client_id);
            if let Some(secret) = &secret {
                text.push_str(&format!(
                    "\nclient_secret: {}\n(shown this once: store it now; only its hash is kept)",
                    secret.expose()
                ));
            }
            Ok(Output { text, json })
        }
        ClientsCommand::List => {
            let list = store.list_clients().await.map_err(stored)?;
            let text = list
                .iter()
                .map(|c| format!("{:<28} {:<12} {}", c.client_id, kind(c), c.name))
                .collect::<Vec<_>>()
                .join("\n");
            Ok(Output {
                text,
                json: Value::Array(list.iter().map(client_json).collect()),
            })
        }
        ClientsCommand::Show { client_id } => {
            let client = clients::get(store, &client_id)
                .await
                .map_err(client_refused)?;
            Ok(Output {
                text: client_text(&client),
                json: client_json(&client),
            })
        }
        ClientsCommand::Update {
            client_id,
            name,
            redirect_uris,
            scope,
        } => {
            let update = Update {
                name,
                redirect_uris: (!redirect_uris.is_empty()).then_some(redirect_uris),
                scopes: scope,
            };
            let client = clients::update(store, &clock, &client_id, update)
                .await
                .map_err(client_refused)?;
            Ok(Output {
                text: client_text(&client),
                json: client_json(&client),
            })
        }
        ClientsCommand::RotateSecret { client_id } => {
            let (client, secret) = clients::rotate_secret(store, &clock, &mut rng, &client_id)
                .await
                .map_err(client_refused)?;
            let json = client_json_with_secret(&client, Some(&secret));
            let text = format!(
                "new secret for {}: {}\n(shown this once; the old secret no longer works)",
                client.client_id,
                secret.expose()
            );
            Ok(Output { text, json })
        }
        ClientsCommand::Delete { client_id } => {
            let client = clients::delete(store, &client_id)
                .await
                .map_err(client_refused)?;
            Ok(Output {
                text: format!(
                    "deleted client {} and every token issued to it",
                    client.client_id
                ),
                json: client_json(&client),
            })
        }
    }
}

fn kind(client: &OAuthClient) -> &'static str {
    if client.is_confidential() {
        "confidential"
    } else {
        "public"
    }
}

fn client_text(client: &OAuthClient) -> String {
    format!(
        "{} ({} client {})\nredirect URIs: {}\nscope: {}",
        client.name,
        kind(client),
        client.client_id,
        client.redirect_uris.join(" "),
        client.allowed_scopes
    )
}

fn client_refused(error: ClientError) -> Failure {
    let code = match &error {
        ClientError::InvalidName => "invalid-name",
        ClientError::InvalidRedirectUri(_) | ClientError::NoRedirectUri => "invalid-redirect-uri",
        ClientError::InvalidScope(_) => "invalid-scope",
        ClientError::InvalidClientId(_) => "invalid-client-id",
        ClientError::WeakSecret => "weak-secret",
        ClientError::DuplicateClientId(_) => "duplicate-client-id",
        ClientError::UnknownClient(_) => "unknown-client",
        ClientError::PublicClient(_) => "public-client",
        ClientError::UnknownOrganization(_) => "unknown-organization",
        ClientError::NotACompany(_) => "not-a-company",
        ClientError::Store(_) => {
            return Failure {
                exit: 3,
                code: "system-failure",
                message: error.to_string(),
            };
        }
    };
    Failure {
        exit: 1,
        code,
        message: error.to_string(),
    }
}

/// Reads one line from standard input (one trailing newline dropped).
fn read_stdin_line(what: &str) -> Result<String, Failure> {
    let mut text = String::new();
    std::io::stdin()
        .take(64 * 1024)
        .read_to_string(&mut text)
        .map_err(|e| Failure {
            exit: 1,
            code: "invalid-input",
            message: format!("cannot read the {what} from standard input: {e}"),
        })?;
    let line = text.strip_suffix('\n').unwrap_or(&text);
    Ok(line.strip_suffix('\r').unwrap_or(line).to_owned())
}

/// Takes the password as given, or reads it from standard input when it is `-` (so it
/// stays out of the process list and the shell history). One trailing newline is dropped.
fn read_password(given: &str) -> Result<Password, Failure> {
    if given != "-" {
        return Ok(Password::new(given));
    }
    Ok(Password::new(read_stdin_line("password")?))
}

fn user_json(user: &User) -> Value {
    json!({
        "id": user.id.get(),
        "public_id": user.id.public(),
        "email": user.email.as_str(),
        "name": user.name,
        "created_at": timestamp(user.created_at),
    })
}

fn org_json(org: &Organization) -> Value {
    json!({
        "id": org.id.get(),
        "public_id": org.id.public(),
        "name": org.name,
        "kind": org.kind.as_str(),
        "created_at": timestamp(org.created_at),
    })
}

fn membership_json(membership: &Membership) -> Value {
    json!({
        "id": membership.id.get(),
        "public_id": membership.id.public(),
        "organization_id": membership.organization_id.get(),
        "user_id": membership.user_id.get(),
        "role": membership.role.as_str(),
        "created_at": timestamp(membership.created_at),
    })
}

/// Adds `key` to a JSON object built by this module.
fn set(object: &mut Value, key: &str, value: Value) {
    if let Some(map) = object.as_object_mut() {
        map.insert(key.to_owned(), value);
    }
}

fn timestamp(at: time::OffsetDateTime) -> String {
    at.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// Maps a refused operation to exit code 1 with its error code; storage failures to 3.
fn refused(error: AccountError) -> Failure {
    let code = match &error {
        AccountError::InvalidEmail(_) => "invalid-email",
        AccountError::WeakPassword(_) => "invalid-password",
        AccountError::InvalidName(_) => "invalid-name",
        AccountError::DuplicateEmail(_) => "duplicate-email",
        AccountError::UnknownOrganization(_) => "unknown-organization",
        AccountError::AmbiguousOrganization { .. } => "ambiguous-organization",
        AccountError::UnknownUser(_) => "unknown-user",
        AccountError::RoleWithoutOrganization => "role-needs-organization",
        AccountError::AlreadyMember { .. } => "already-member",
        AccountError::NoSharedOrganization { .. } => "no-shared-organization",
        AccountError::AmbiguousSharedOrganization { .. } => "ambiguous-shared-organization",
        AccountError::SelfCoaching => "self-coaching",
        AccountError::AlreadyAssigned { .. } => "already-assigned",
        AccountError::NotAssigned { .. } => "not-assigned",
        AccountError::Hash(_) | AccountError::Store(_) => {
            return Failure {
                exit: 3,
                code: "system-failure",
                message: error.to_string(),
            };
        }
    };
    Failure {
        exit: 1,
        code,
        message: error.to_string(),
    }
}

fn stored(error: StoreError) -> Failure {
    refused(AccountError::Store(error))
}
