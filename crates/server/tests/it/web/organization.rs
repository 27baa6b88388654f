//! A company run from its owner's page: invitations (accepted in a fresh browser, refused
//! once used, withdrawn or expired), coaches assigned and unassigned at once, a member
//! removed who keeps their training, an integration revoked; password reset links (printed
//! or e-mailed over real SMTP) and the sign-up setting.

use super::coaching::{activity_of, pages_of};
use super::*;
use crate::calendar::team;
use paceline_domain::entities::Role;
use paceline_domain::invitations::{InvitationStore, NewInvitation};
use paceline_domain::oauth::secret::Secret;
use paceline_domain::oauth::store::OAuthStore;
use paceline_domain::resets;
use paceline_server::mail::{SmtpMailer, SmtpSecurity, SmtpSettings};
use paceline_testkit::on_both_engines;
use std::sync::{Arc, Mutex};
use time::{Duration, OffsetDateTime};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

on_both_engines!(
    an_owner_invites_an_athlete_who_joins_and_is_coached,
    dead_invitation_links_say_so_and_only_owners_run_the_company,
    a_removed_member_keeps_their_training_and_an_integration_is_revoked,
    a_reset_link_sets_a_new_password_and_signs_out_the_rest,
    reset_links_and_invitations_go_out_by_smtp_and_sign_up_is_a_setting,
);

/// The value of the element with `id` in `body`.
fn value_of(body: &str, id: &str) -> String {
    let at = body
        .find(&format!(r#"id="{id}""#))
        .unwrap_or_else(|| panic!("no #{id} in {body}"));
    let rest = &body[at..];
    let start = rest.find("value=\"").unwrap() + "value=\"".len();
    let end = rest[start..].find('"').unwrap() + start;
    rest[start..end]
        .replace("&#x2f;", "/")
        .replace("&#47;", "/")
}

/// The path of a link the page showed, on this server.
fn path_of(app: &TestApp, link: &str) -> String {
    link.strip_prefix(&app.base)
        .unwrap_or_else(|| panic!("{link} is not on {}", app.base))
        .to_owned()
}

async fn organization_post(browser: &mut Browser, fields: &[(&str, &str)]) -> Page {
    let csrf = browser.get("/organization").await.field("csrf");
    let mut all = vec![("csrf", csrf.as_str())];
    all.extend_from_slice(fields);
    browser.post_form("/organization", &all).await
}

/// The membership id of `email` in the Squad company.
async fn membership_of(app: &TestApp, org: paceline_domain::ids::OrgId, email: &str) -> String {
    app.store
        .members_of(org)
        .await
        .unwrap()
        .into_iter()
        .find(|(_, u)| u.email.as_str() == email)
        .map(|(m, _)| m.id.0.to_string())
        .unwrap()
}

async fn an_owner_invites_an_athlete_who_joins_and_is_coached(db: TestContext) {
    let app = TestApp::spawn(&db).await;
    let team = team(&app).await;
    let org = team.athlete.membership.organization_id;
    let mut owner = signed_in(&app, "owner@example.com").await;
    let page = owner.get("/organization").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("<h1>Squad</h1>"));
    assert!(page.body.contains("athlete2@example.com"));
    let made = organization_post(
        &mut owner,
        &[
            ("org", &org.public()),
            ("do", "invite"),
            ("role", "athlete"),
            ("email", "newbie@example.com"),
        ],
    )
    .await;
    assert_eq!(made.status, 200, "{}", made.body);
    assert!(made.body.contains("Invitation made"));
    let link = value_of(&made.body, "invite-link");
    assert!(!made.body.contains("Sent to"), "no mail without SMTP");
    let path = path_of(&app, &link);

    // The invited athlete, in a browser of their own.
    let mut newbie = Browser::new(&app.base);
    let join = newbie.get(&path).await;
    assert_eq!(join.status, 200, "{}", join.body);
    assert!(
        join.body
            .contains("invites you to join Squad as an athlete"),
        "{}",
        join.body
    );
    assert!(
        join.body.contains(r#"value="newbie@example.com""#),
        "the address is filled in"
    );
    let csrf = join.field("csrf");
    let weak = newbie
        .post_form(
            &path,
            &[
                ("csrf", &csrf),
                ("name", "Nia Newbie"),
                ("email", "newbie@example.com"),
                ("password", "short"),
            ],
        )
        .await;
    assert_eq!(weak.status, 422);
    assert!(weak.body.contains("at least 8 characters"));
    assert!(
        weak.body.contains(r#"value="Nia Newbie""#),
        "what was typed stays"
    );
    let joined = newbie
        .post_form(
            &path,
            &[
                ("csrf", &csrf),
                ("name", "Nia Newbie"),
                ("email", "newbie@example.com"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(joined.status, 303, "{}", joined.body);
    assert_eq!(joined.location(), "/");
    let home = newbie.get("/").await;
    assert_eq!(home.status, 200, "signed in at once");
    assert!(home.body.contains("Hello, Nia"));
    // Reused: refused with a page that says so.
    let again = Browser::new(&app.base).get(&path).await;
    assert_eq!(again.status, 410);
    assert!(again.body.contains("This link does not work any more"));

    // On the owner's roster at once, and assigned to a coach from the organization page.
    let nia = app
        .store
        .find_user_by_email(&paceline_domain::email::Email::parse("newbie@example.com").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert!(
        owner
            .get("/athletes")
            .await
            .body
            .contains(&pages_of(nia.id))
    );
    let mut coach = signed_in(&app, "coach@example.com").await;
    assert!(
        !coach
            .get("/athletes")
            .await
            .body
            .contains(&pages_of(nia.id))
    );
    let coach_member = membership_of(&app, org, "coach@example.com").await;
    let nia_member = membership_of(&app, org, "newbie@example.com").await;
    let assigned = organization_post(
        &mut owner,
        &[
            ("org", &org.public()),
            ("do", "assign"),
            ("coach", &coach_member),
            ("athlete", &nia_member),
        ],
    )
    .await;
    assert_eq!(assigned.status, 200, "{}", assigned.body);
    assert!(assigned.body.contains("now coaches Nia Newbie"));
    assert!(
        coach
            .get("/athletes")
            .await
            .body
            .contains(&pages_of(nia.id))
    );
    assert_eq!(coach.get(&pages_of(nia.id)).await.status, 200);
    let unassigned = organization_post(
        &mut owner,
        &[
            ("org", &org.public()),
            ("do", "unassign"),
            ("coach", &coach_member),
            ("athlete", &nia_member),
        ],
    )
    .await;
    assert!(
        unassigned.body.contains("no longer coaches Nia Newbie"),
        "{}",
        unassigned.body
    );
    assert_eq!(
        coach.get(&pages_of(nia.id)).await.status,
        404,
        "effective at once"
    );
    app.stop().await;
}

async fn dead_invitation_links_say_so_and_only_owners_run_the_company(db: TestContext) {
    let app = TestApp::spawn(&db).await;
    let team = team(&app).await;
    let org = team.athlete.membership.organization_id;
    // An expired invitation.
    let token = Secret::new("pli_expired-invitation-token");
    let long_ago = OffsetDateTime::now_utc() - Duration::days(30);
    app.store
        .create_invitation(&NewInvitation {
            token_hash: token.hash(),
            organization_id: org,
            role: Role::Athlete,
            email: None,
            invited_by: team.owner.user.id,
            now: long_ago,
            expires_at: long_ago + Duration::days(7),
        })
        .await
        .unwrap();
    let mut stranger = Browser::new(&app.base);
    let expired = stranger.get("/invite/pli_expired-invitation-token").await;
    assert_eq!(expired.status, 410);
    assert!(expired.body.contains("it expired"), "{}", expired.body);
    assert_eq!(stranger.get("/invite/pli_made-up").await.status, 410);
    // A withdrawn one.
    let mut owner = signed_in(&app, "owner@example.com").await;
    let made = organization_post(
        &mut owner,
        &[("org", &org.public()), ("do", "invite"), ("role", "coach")],
    )
    .await;
    let path = path_of(&app, &value_of(&made.body, "invite-link"));
    let id = app.store.invitations_of(org).await.unwrap()[0]
        .id
        .0
        .to_string();
    let withdrawn = organization_post(
        &mut owner,
        &[
            ("org", &org.public()),
            ("do", "withdraw"),
            ("invitation", &id),
        ],
    )
    .await;
    assert!(
        withdrawn.body.contains("Invitation withdrawn"),
        "{}",
        withdrawn.body
    );
    assert!(withdrawn.body.contains("Withdrawn on"));
    assert_eq!(Browser::new(&app.base).get(&path).await.status, 410);
    // A malformed address is refused, and nothing is made.
    let bad = organization_post(
        &mut owner,
        &[
            ("org", &org.public()),
            ("do", "invite"),
            ("email", "not an address"),
        ],
    )
    .await;
    assert_eq!(bad.status, 422);
    assert_eq!(app.store.invitations_of(org).await.unwrap().len(), 2);
    // Only an owner of this company runs it.
    for email in [
        "coach@example.com",
        "athlete@example.com",
        "owner@rivals.example",
        "loner@example.com",
    ] {
        let mut browser = signed_in(&app, email).await;
        let page = browser
            .get(&format!("/organization?org={}", org.public()))
            .await;
        assert_eq!(page.status, 404, "{email} reads the page");
        let csrf = browser.get("/settings").await.field("csrf");
        let posted = browser
            .post_form(
                "/organization",
                &[
                    ("csrf", &csrf),
                    ("org", &org.public()),
                    ("do", "invite"),
                    ("role", "owner"),
                ],
            )
            .await;
        assert_eq!(posted.status, 404, "{email} invites");
    }
    assert_eq!(app.store.invitations_of(org).await.unwrap().len(), 2);
    // Every form needs its token.
    let forged = owner
        .post_form("/organization", &[("org", &org.public()), ("do", "invite")])
        .await;
    assert_eq!(forged.status, 403);
    assert_eq!(app.store.invitations_of(org).await.unwrap().len(), 2);
    app.stop().await;
}

async fn a_removed_member_keeps_their_training_and_an_integration_is_revoked(db: TestContext) {
    let app = TestApp::spawn(&db).await;
    let team = team(&app).await;
    let org = team.athlete.membership.organization_id;
    let athlete = team.athlete.user.id;
    let act = activity_of(&app, athlete, OffsetDateTime::now_utc()).await;
    let mut owner = signed_in(&app, "owner@example.com").await;
    let member = membership_of(&app, org, "athlete@example.com").await;
    let unconfirmed = organization_post(
        &mut owner,
        &[
            ("org", &org.public()),
            ("do", "remove"),
            ("member", &member),
        ],
    )
    .await;
    assert_eq!(unconfirmed.status, 422);
    let removed = organization_post(
        &mut owner,
        &[
            ("org", &org.public()),
            ("do", "remove"),
            ("member", &member),
            ("confirm", "yes"),
        ],
    )
    .await;
    assert_eq!(removed.status, 200, "{}", removed.body);
    assert!(
        removed
            .body
            .contains("they keep their account and their training")
    );
    assert_eq!(owner.get(&pages_of(athlete)).await.status, 404);
    let mut coach = signed_in(&app, "coach@example.com").await;
    assert_eq!(coach.get(&pages_of(athlete)).await.status, 404);
    let mut them = signed_in(&app, "athlete@example.com").await;
    let list = them.get("/activities").await;
    assert!(
        list.body.contains(&act.public()),
        "their activity is still theirs"
    );
    // The company's integration, revoked: its token stops working at once.
    let company = team.company.access_token.clone();
    let before =
        crate::calendar::send(&app, reqwest::Method::GET, "/api/sessions/", &company, &[]).await;
    assert_eq!(before.status(), 200);
    let page = owner.get("/organization").await;
    let client_id = app.store.company_clients_of(org).await.unwrap()[0]
        .client_id
        .clone();
    assert!(page.body.contains(&client_id));
    let revoked = organization_post(
        &mut owner,
        &[
            ("org", &org.public()),
            ("do", "revoke"),
            ("client", &client_id),
            ("confirm", "yes"),
        ],
    )
    .await;
    assert!(revoked.body.contains("is revoked"), "{}", revoked.body);
    let after =
        crate::calendar::send(&app, reqwest::Method::GET, "/api/sessions/", &company, &[]).await;
    assert_eq!(after.status(), 401);
    // Another company's integration is not this owner's to revoke.
    let rival_org = team.rival_owner.membership.organization_id;
    let rival_client = app.store.company_clients_of(rival_org).await.unwrap()[0]
        .client_id
        .clone();
    let refused = organization_post(
        &mut owner,
        &[
            ("org", &org.public()),
            ("do", "revoke"),
            ("client", &rival_client),
            ("confirm", "yes"),
        ],
    )
    .await;
    assert_eq!(refused.status, 422);
    assert_eq!(
        app.store.company_clients_of(rival_org).await.unwrap().len(),
        1
    );
    app.stop().await;
}

async fn a_reset_link_sets_a_new_password_and_signs_out_the_rest(db: TestContext) {
    let (app, mut robin) = robin(&db).await;
    let (user, _) = robins(&app).await;
    let forgot = Browser::new(&app.base).get("/forgot").await;
    assert!(forgot.body.contains("This server does not send e-mail"));
    assert!(forgot.body.contains("paceline admin user reset-link"));
    let token = resets::reset_link(
        app.store.as_ref(),
        &paceline_domain::SystemClock,
        &mut <rand::rngs::StdRng as rand::SeedableRng>::from_os_rng(),
        user.id,
    )
    .await
    .unwrap();
    let path = format!("/reset/{}", token.expose());
    let mut browser = Browser::new(&app.base);
    let form = browser.get(&path).await;
    assert_eq!(form.status, 200);
    let csrf = form.field("csrf");
    let weak = browser
        .post_form(&path, &[("csrf", &csrf), ("password", "short")])
        .await;
    assert_eq!(weak.status, 422);
    let done = browser
        .post_form(
            &path,
            &[("csrf", &csrf), ("password", "a new and long password")],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(
        browser.get("/").await.status,
        200,
        "signed in with the new password"
    );
    assert_eq!(
        robin.get("/").await.status,
        303,
        "the other browser was signed out"
    );
    assert_eq!(Browser::new(&app.base).get(&path).await.status, 410, "once");
    let login = Browser::new(&app.base).get("/login").await;
    assert!(
        login
            .body
            .contains(r#"<a href="/forgot">Forgot your password?</a>"#)
    );
    assert!(!login.body.contains("/signup"), "sign-up is off by default");
    assert_eq!(Browser::new(&app.base).get("/signup").await.status, 404);
    app.stop().await;
}

/// What an SMTP server received: each message's data.
type Inbox = Arc<Mutex<Vec<String>>>;

/// A minimal SMTP server on a random port that accepts every message.
async fn smtp_sink() -> (u16, Inbox) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let inbox: Inbox = Arc::default();
    let kept = inbox.clone();
    tokio::spawn(async move {
        loop {
            let Ok((socket, _)) = listener.accept().await else {
                return;
            };
            let kept = kept.clone();
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut lines = BufReader::new(read).lines();
                write.write_all(b"220 sink ESMTP\r\n").await.unwrap();
                let mut data: Option<String> = None;
                while let Ok(Some(line)) = lines.next_line().await {
                    if let Some(body) = data.as_mut() {
                        if line == "." {
                            // Quoted-printable's soft line breaks joined, as a mail reader does.
                            let message = data.take().unwrap().replace("=\n", "");
                            kept.lock().unwrap().push(message);
                            write.write_all(b"250 queued\r\n").await.unwrap();
                        } else {
                            body.push_str(&line);
                            body.push('\n');
                        }
                        continue;
                    }
                    let verb = line.get(..4).unwrap_or_default().to_ascii_uppercase();
                    let reply: &[u8] = match verb.as_str() {
                        "EHLO" => b"250-sink\r\n250 8BITMIME\r\n",
                        "DATA" => {
                            data = Some(String::new());
                            b"354 go on\r\n"
                        }
                        "QUIT" => {
                            write.write_all(b"221 bye\r\n").await.unwrap();
                            return;
                        }
                        _ => b"250 ok\r\n",
                    };
                    write.write_all(reply).await.unwrap();
                }
            });
        }
    });
    (port, inbox)
}

async fn reset_links_and_invitations_go_out_by_smtp_and_sign_up_is_a_setting(db: TestContext) {
    let (port, inbox) = smtp_sink().await;
    let mailer = SmtpMailer::new(&SmtpSettings {
        host: "127.0.0.1".into(),
        port,
        security: SmtpSecurity::Plain,
        username: None,
        password: None,
        from: "Paceline <paceline@example.com>".into(),
    })
    .unwrap();
    use paceline_domain::mail::Mailer as _;
    mailer
        .send(paceline_domain::mail::Mail {
            to: paceline_domain::email::Email::parse("probe@example.com").unwrap(),
            subject: "Probe".into(),
            text: "A line.".into(),
        })
        .await
        .unwrap();
    assert_eq!(inbox.lock().unwrap().len(), 1);
    inbox.lock().unwrap().clear();
    let app = TestApp::spawn_with(&db, |state| {
        state.with_mailer(Arc::new(mailer)).with_open_signup(true)
    })
    .await;
    // Sign-up, turned on.
    let mut newcomer = Browser::new(&app.base);
    let form = newcomer.get("/signup").await;
    assert_eq!(form.status, 200);
    let csrf = form.field("csrf");
    let made = newcomer
        .post_form(
            "/signup",
            &[
                ("csrf", &csrf),
                ("name", "Sol Signup"),
                ("email", "sol@example.com"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(made.status, 303, "{}", made.body);
    assert!(newcomer.get("/").await.body.contains("Hello, Sol"));
    let mut again = Browser::new(&app.base);
    let taken = again.get("/signup").await;
    let dup = again
        .post_form(
            "/signup",
            &[
                ("csrf", &taken.field("csrf")),
                ("name", "Sol Again"),
                ("email", "sol@example.com"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(dup.status, 422);
    assert!(
        dup.body
            .contains("An account with this e-mail address exists")
    );
    // A reset link by e-mail: the same answer for an address without an account.
    let mut forgetful = Browser::new(&app.base);
    let form = forgetful.get("/forgot").await;
    assert!(form.body.contains("Send the link"));
    let csrf = form.field("csrf");
    let sent = forgetful
        .post_form("/forgot", &[("csrf", &csrf), ("email", "sol@example.com")])
        .await;
    assert!(sent.body.contains("If an account has this address"));
    let nobody = forgetful
        .post_form(
            "/forgot",
            &[("csrf", &csrf), ("email", "nobody@example.com")],
        )
        .await;
    assert_eq!(nobody.body, sent.body, "the same answer either way");
    let message = inbox.lock().unwrap().pop().expect("one message sent");
    assert_eq!(
        inbox.lock().unwrap().len(),
        0,
        "nothing for an unknown address"
    );
    assert!(message.contains("To: sol@example.com"), "{message}");
    assert!(message.contains("Subject: Choose a new Paceline password"));
    let at = message
        .find(&format!("{}/reset/", app.base))
        .expect("the link");
    let link: String = message[at..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();
    let page = Browser::new(&app.base).get(&path_of(&app, &link)).await;
    assert_eq!(page.status, 200, "the e-mailed link works");
    // An invitation with an address goes out too.
    let team = team(&app).await;
    let org = team.athlete.membership.organization_id;
    let mut owner = signed_in(&app, "owner@example.com").await;
    let invited = organization_post(
        &mut owner,
        &[
            ("org", &org.public()),
            ("do", "invite"),
            ("role", "coach"),
            ("email", "cora@example.com"),
        ],
    )
    .await;
    assert!(
        invited.body.contains("Sent to cora@example.com"),
        "{}",
        invited.body
    );
    let message = inbox.lock().unwrap().pop().expect("the invitation");
    assert!(
        message.contains("invites you to Squad on Paceline"),
        "{message}"
    );
    assert!(message.contains(&value_of(&invited.body, "invite-link")));
    app.stop().await;
}
