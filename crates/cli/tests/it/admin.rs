use crate::harness::{admin_json, run, run_with_stdin};
use paceline_domain::email::Email;
use paceline_domain::entities::User;
use paceline_domain::password::Password;
use paceline_domain::store::AccountStore;
use paceline_store_sql::SqlStore;
use paceline_testkit::{TestContext, on_both_engines};
use serde_json::{Value, json};

on_both_engines!(
    user_create_prints_every_id,
    passwords_can_come_from_standard_input,
    duplicate_emails_fail_with_a_clear_error,
    unknown_organizations_fail_with_a_clear_error,
    members_and_coaches_are_added,
    bad_input_changes_nothing,
    oauth_clients_are_administered,
    company_integrations_are_provisioned,
    a_reset_link_is_printed_and_works_once,
);

/// `admin user create` for `email` with a valid password and name, then `extra`.
fn user_create<'a>(email: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["admin", "user", "create", "--email", email];
    args.extend(["--password", "long enough", "--name", "Test User"]);
    args.extend_from_slice(extra);
    args
}

/// Runs an admin command with `--json`, expecting it to fail with exit code 1 and `code`.
async fn refused_json(db: &TestContext, args: &[&str], code: &str) {
    let mut all = args.to_vec();
    all.push("--json");
    let output = run(db, &all).await;
    assert_eq!(output.status.code(), Some(1), "{args:?}");
    assert!(output.stdout.is_empty());
    let error: Value = serde_json::from_slice(&output.stderr).unwrap();
    assert_eq!(error["error"]["code"], code, "{error}");
}

async fn stored_user(store: &SqlStore, email: &str) -> User {
    store
        .find_user_by_email(&Email::parse(email).unwrap())
        .await
        .unwrap()
        .unwrap()
}

async fn user_create_prints_every_id(db: TestContext) {
    let user = admin_json(&db, &user_create("ann@example.com", &[])[1..]).await;
    assert!(user["id"].as_i64().unwrap() > 0);
    assert!(user["public_id"].as_str().unwrap().starts_with("usr_"));
    assert!(user["organization"]["id"].as_i64().unwrap() > 0);
    assert!(
        user["organization"]["public_id"]
            .as_str()
            .unwrap()
            .starts_with("org_")
    );
    assert_eq!(user["organization"]["kind"], "personal");
    assert!(
        user["membership"]["public_id"]
            .as_str()
            .unwrap()
            .starts_with("mem_")
    );
    assert_eq!(user["membership"]["role"], "owner");

    let listed = admin_json(&db, &["user", "list"]).await;
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(listed[0]["id"], user["id"]);
    assert_eq!(listed[0]["public_id"], user["public_id"]);

    let text = run(&db, &["admin", "org", "create", "--name", "Team Alpine"]).await;
    assert!(text.status.success());
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(
        text.starts_with("created organization \"Team Alpine\" (id "),
        "{text}"
    );
}

async fn passwords_can_come_from_standard_input(db: TestContext) {
    let args = [
        "admin",
        "user",
        "create",
        "--email",
        "b@example.com",
        "--password",
        "-",
    ];
    let output = run_with_stdin(&db, &[&args[..], &["--name", "B"]].concat(), "from stdin\n").await;
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let store = db.open().await;
    let user = stored_user(&store, "b@example.com").await;
    assert!(user.password_hash.verify(&Password::new("from stdin")));

    let args = [
        "admin",
        "user",
        "set-password",
        "--email",
        "b@example.com",
        "--password",
        "-",
    ];
    let output = run_with_stdin(&db, &args, "changed on stdin\r\n").await;
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let user = stored_user(&store, "b@example.com").await;
    assert!(
        user.password_hash
            .verify(&Password::new("changed on stdin"))
    );
}

async fn duplicate_emails_fail_with_a_clear_error(db: TestContext) {
    assert!(
        run(&db, &user_create("dup@example.com", &[]))
            .await
            .status
            .success()
    );
    let again = run(&db, &user_create("DUP@example.com", &[])).await;
    assert_eq!(again.status.code(), Some(1));
    assert_eq!(
        String::from_utf8(again.stderr).unwrap().trim(),
        "error: a user with e-mail dup@example.com already exists"
    );
    refused_json(&db, &user_create("dup@example.com", &[]), "duplicate-email").await;
}

async fn unknown_organizations_fail_with_a_clear_error(db: TestContext) {
    let output = run(&db, &user_create("u@example.com", &["--org", "Ghost Club"])).await;
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        String::from_utf8(output.stderr).unwrap().trim(),
        "error: unknown organization `Ghost Club`"
    );
    let add = [
        "admin",
        "member",
        "add",
        "--org",
        "Ghost Club",
        "--email",
        "u@example.com",
    ];
    refused_json(
        &db,
        &[&add[..], &["--role", "coach"]].concat(),
        "unknown-organization",
    )
    .await;
    assert_eq!(admin_json(&db, &["user", "list"]).await, json!([]));
}

async fn members_and_coaches_are_added(db: TestContext) {
    let org = admin_json(&db, &["org", "create", "--name", "Team Alpine"]).await;
    let org_id = org["public_id"].as_str().unwrap();
    let args = user_create("c@example.com", &["--org", org_id, "--role", "coach"]);
    let coach = admin_json(&db, &args[1..]).await;
    assert_eq!(coach["organization"]["id"], org["id"]);
    assert_eq!(coach["membership"]["role"], "coach");
    let athlete = admin_json(&db, &user_create("a@example.com", &[])[1..]).await;
    let member = admin_json(
        &db,
        &[
            "member",
            "add",
            "--org",
            "team alpine",
            "--email",
            "a@example.com",
            "--role",
            "athlete",
        ],
    )
    .await;
    assert!(member["id"].as_i64().unwrap() > 0);
    assert_eq!(member["user_id"], athlete["id"]);
    let assign = [
        "coach",
        "assign",
        "--coach",
        "c@example.com",
        "--athlete",
        "a@example.com",
    ];
    let assignment = admin_json(&db, &assign).await;
    assert!(assignment["id"].as_i64().unwrap() > 0);
    assert_eq!(assignment["coach_membership_id"], coach["membership"]["id"]);
    assert_eq!(assignment["athlete_membership_id"], member["id"]);

    let shown = admin_json(&db, &["user", "show", "--email", "a@example.com"]).await;
    let roles: Vec<&str> = shown["memberships"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["role"].as_str().unwrap())
        .collect();
    assert_eq!(roles, ["owner", "athlete"]);
    assert_eq!(shown["distance_unit_preference"], "kilometers");

    refused_json(&db, &[&["admin"][..], &assign].concat(), "already-assigned").await;

    let unassign = [
        "coach",
        "unassign",
        "--coach",
        "c@example.com",
        "--athlete",
        "a@example.com",
    ];
    let ended = admin_json(&db, &unassign).await;
    assert_eq!(ended["assigned"], false);
    assert_eq!(ended["organization"]["id"], org["id"]);
    refused_json(&db, &[&["admin"][..], &unassign].concat(), "not-assigned").await;
    // Assigned again, as before.
    admin_json(&db, &assign).await;
}

async fn bad_input_changes_nothing(db: TestContext) {
    for (args, code) in [
        (user_create("not-an-email", &[]), Some(1)),
        (
            vec![
                "admin",
                "user",
                "create",
                "--email",
                "x@example.com",
                "--password",
                "short",
                "--name",
                "X",
            ],
            Some(1),
        ),
        (
            vec![
                "admin",
                "user",
                "create",
                "--email",
                "x@example.com",
                "--password",
                "long enough",
                "--name",
                " ",
            ],
            Some(1),
        ),
        (user_create("x@example.com", &["--role", "coach"]), Some(1)),
        (
            user_create("x@example.com", &["--org", "1", "--role", "boss"]),
            Some(2),
        ),
        (
            vec![
                "admin",
                "user",
                "create",
                "--email",
                "x@example.com",
                "--name",
                "X",
            ],
            Some(2),
        ),
    ] {
        let output = run(&db, &args).await;
        assert_eq!(
            output.status.code(),
            code,
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(!output.stderr.is_empty());
    }
    assert_eq!(admin_json(&db, &["user", "list"]).await, json!([]));
    assert_eq!(admin_json(&db, &["org", "list"]).await, json!([]));
}

async fn oauth_clients_are_administered(db: TestContext) {
    let create = [
        "clients",
        "create",
        "--name",
        "Your App",
        "--redirect-uri",
        "https://your.app/cb",
        "--redirect-uri",
        "http://127.0.0.1:8765/cb",
        "--scope",
        "profile:read activities:read",
    ];
    let client = admin_json(&db, &create).await;
    let client_id = client["client_id"].as_str().unwrap().to_owned();
    assert!(client_id.starts_with("pcl_"));
    assert_eq!(client["type"], "confidential");
    assert_eq!(client["client_secret"].as_str().unwrap().len(), 48);
    assert_eq!(
        client["redirect_uris"],
        json!(["https://your.app/cb", "http://127.0.0.1:8765/cb"])
    );
    assert_eq!(client["scope"], "profile:read activities:read");

    let public = admin_json(
        &db,
        &[&create[..], &["--public", "--client-id", "mobile-app"]].concat(),
    )
    .await;
    assert_eq!(public["client_id"], "mobile-app");
    assert_eq!(public["type"], "public");
    assert!(public.get("client_secret").is_none());

    let args = [
        "admin",
        "clients",
        "create",
        "--name",
        "Moved",
        "--redirect-uri",
        "https://m.app/cb",
    ];
    let args = [
        &args[..],
        &[
            "--scope",
            "read write upload",
            "--secret-from-stdin",
            "--json",
        ],
    ]
    .concat();
    let output = run_with_stdin(&db, &args, "Secret-with_all.four~characters-0123456789\n").await;
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let moved: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        moved["client_secret"],
        "Secret-with_all.four~characters-0123456789"
    );

    let listed = admin_json(&db, &["clients", "list"]).await;
    assert_eq!(listed.as_array().unwrap().len(), 3);
    assert!(
        listed
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c.get("client_secret").is_none())
    );

    let updated = admin_json(
        &db,
        &["clients", "update", &client_id, "--scope", "profile:read"],
    )
    .await;
    assert_eq!(updated["scope"], "profile:read");
    assert_eq!(
        updated["redirect_uris"], client["redirect_uris"],
        "unchanged"
    );
    let shown = admin_json(&db, &["clients", "show", &client_id]).await;
    assert_eq!(shown["scope"], "profile:read");

    let rotated = admin_json(&db, &["clients", "rotate-secret", &client_id]).await;
    assert_ne!(rotated["client_secret"], client["client_secret"]);
    refused_json(
        &db,
        &["admin", "clients", "rotate-secret", "mobile-app"],
        "public-client",
    )
    .await;

    let bad = ["admin", "clients", "create", "--name", "X"];
    for (uri, scope, code) in [
        ("http://evil.example/cb", "read", "invalid-redirect-uri"),
        ("https://a/cb#frag", "read", "invalid-redirect-uri"),
        ("https://a/cb", "read admin", "invalid-scope"),
    ] {
        refused_json(
            &db,
            &[&bad[..], &["--redirect-uri", uri, "--scope", scope]].concat(),
            code,
        )
        .await;
    }
    refused_json(
        &db,
        &[&["admin"][..], &create, &["--client-id", "mobile-app"]].concat(),
        "duplicate-client-id",
    )
    .await;

    admin_json(&db, &["clients", "delete", &client_id]).await;
    refused_json(
        &db,
        &["admin", "clients", "show", &client_id],
        "unknown-client",
    )
    .await;
    assert_eq!(
        admin_json(&db, &["clients", "list"])
            .await
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

async fn company_integrations_are_provisioned(db: TestContext) {
    admin_json(&db, &["org", "create", "--name", "Coaches Inc"]).await;
    let create = |extra: &[&'static str]| {
        let mut args = vec![
            "admin",
            "clients",
            "create",
            "--name",
            "Coaches sync",
            "--scope",
            "read write",
        ];
        args.extend_from_slice(extra);
        args
    };
    let made = admin_json(
        &db,
        &create(&["--grant", "client-credentials", "--org", "Coaches Inc"])[1..],
    )
    .await;
    assert!(
        made["client_secret"].as_str().unwrap().len() >= 32,
        "{made}"
    );
    assert_eq!(made["grant_types"], json!(["client_credentials"]));
    assert_eq!(made["organization"]["name"], "Coaches Inc");
    assert!(made["acts_as_user_id"].as_i64().unwrap() > 0);

    refused_json(
        &db,
        &create(&["--grant", "client-credentials"]),
        "missing-organization",
    )
    .await;
    refused_json(
        &db,
        &create(&["--grant", "client-credentials", "--org", "Nobody"]),
        "unknown-organization",
    )
    .await;
    let lone = admin_json(&db, &user_create("lone@example.com", &[])[1..]).await;
    let personal = lone["organization"]["public_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut args: Vec<&str> = create(&["--grant", "client-credentials", "--org"]);
    args.push(&personal);
    refused_json(&db, &args, "not-a-company").await;
    refused_json(&db, &create(&[]), "invalid-redirect-uri").await;
}

async fn a_reset_link_is_printed_and_works_once(db: TestContext) {
    assert!(
        run(&db, &user_create("reset@example.com", &[]))
            .await
            .status
            .success()
    );
    let printed = admin_json(&db, &["user", "reset-link", "--email", "reset@example.com"]).await;
    let link = printed["reset_link"].as_str().unwrap();
    assert!(link.contains("/reset/plr_"), "{printed}");
    assert_eq!(printed["expires_in_seconds"], 3600);
    let token = link.rsplit('/').next().unwrap();
    let store = db.open().await;
    let clock = paceline_domain::SystemClock;
    let user = stored_user(&store, "reset@example.com").await;
    assert_eq!(
        paceline_domain::resets::reset(&store, &clock, token, "chosen by the link")
            .await
            .unwrap(),
        user.id
    );
    let user = stored_user(&store, "reset@example.com").await;
    assert!(
        user.password_hash
            .verify(&Password::new("chosen by the link"))
    );
    assert!(
        paceline_domain::resets::reset(&store, &clock, token, "and again, no")
            .await
            .is_err()
    );
    refused_json(
        &db,
        &[
            "admin",
            "user",
            "reset-link",
            "--email",
            "nobody@example.com",
        ],
        "unknown-user",
    )
    .await;
}
