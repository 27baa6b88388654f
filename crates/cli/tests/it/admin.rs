use crate::harness::{admin_json, run, run_with_stdin};
use paceline_domain::email::Email;
use paceline_domain::password::Password;
use paceline_domain::store::AccountStore;
use paceline_testkit::{TestContext, on_both_engines};
use serde_json::Value;

on_both_engines!(
    user_create_prints_every_id,
    passwords_can_come_from_standard_input,
    duplicate_emails_fail_with_a_clear_error,
    unknown_organizations_fail_with_a_clear_error,
    members_and_coaches_are_added,
    bad_input_changes_nothing,
);

async fn user_create_prints_every_id(db: TestContext) {
    let user = admin_json(
        &db,
        &[
            "user",
            "create",
            "--email",
            "ann@example.com",
            "--password",
            "long enough",
            "--name",
            "Ann Athlete",
        ],
    )
    .await;
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
    let output = run_with_stdin(
        &db,
        &[
            "admin",
            "user",
            "create",
            "--email",
            "b@example.com",
            "--password",
            "-",
            "--name",
            "B",
            "--json",
        ],
        "from standard input\n",
    )
    .await;
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let store = db.open().await;
    let user = store
        .find_user_by_email(&Email::parse("b@example.com").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert!(
        user.password_hash
            .verify(&Password::new("from standard input"))
    );

    let output = run_with_stdin(
        &db,
        &[
            "admin",
            "user",
            "set-password",
            "--email",
            "b@example.com",
            "--password",
            "-",
        ],
        "changed on stdin\r\n",
    )
    .await;
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let user = store
        .find_user_by_email(&Email::parse("b@example.com").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert!(
        user.password_hash
            .verify(&Password::new("changed on stdin"))
    );
}

async fn duplicate_emails_fail_with_a_clear_error(db: TestContext) {
    let args = [
        "admin",
        "user",
        "create",
        "--email",
        "dup@example.com",
        "--password",
        "long enough",
        "--name",
        "D",
    ];
    assert!(run(&db, &args).await.status.success());
    let again = run(
        &db,
        &[
            "admin",
            "user",
            "create",
            "--email",
            "DUP@example.com",
            "--password",
            "long enough",
            "--name",
            "D",
        ],
    )
    .await;
    assert_eq!(again.status.code(), Some(1));
    assert_eq!(
        String::from_utf8(again.stderr).unwrap().trim(),
        "error: a user with e-mail dup@example.com already exists"
    );
    let mut json_args = args.to_vec();
    json_args.push("--json");
    let again = run(&db, &json_args).await;
    assert_eq!(again.status.code(), Some(1));
    assert!(again.stdout.is_empty());
    let error: Value = serde_json::from_slice(&again.stderr).unwrap();
    assert_eq!(error["error"]["code"], "duplicate-email");
}

async fn unknown_organizations_fail_with_a_clear_error(db: TestContext) {
    let output = run(
        &db,
        &[
            "admin",
            "user",
            "create",
            "--email",
            "u@example.com",
            "--password",
            "long enough",
            "--name",
            "U",
            "--org",
            "Ghost Club",
        ],
    )
    .await;
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        String::from_utf8(output.stderr).unwrap().trim(),
        "error: unknown organization `Ghost Club`"
    );
    let output = run(
        &db,
        &[
            "admin",
            "member",
            "add",
            "--org",
            "Ghost Club",
            "--email",
            "u@example.com",
            "--role",
            "coach",
            "--json",
        ],
    )
    .await;
    assert_eq!(output.status.code(), Some(1));
    let error: Value = serde_json::from_slice(&output.stderr).unwrap();
    assert_eq!(error["error"]["code"], "unknown-organization");
    assert_eq!(
        admin_json(&db, &["user", "list"]).await,
        serde_json::json!([])
    );
}

async fn members_and_coaches_are_added(db: TestContext) {
    let org = admin_json(&db, &["org", "create", "--name", "Team Alpine"]).await;
    let org_id = org["public_id"].as_str().unwrap();
    let coach = admin_json(
        &db,
        &[
            "user",
            "create",
            "--email",
            "c@example.com",
            "--password",
            "long enough",
            "--name",
            "C",
            "--org",
            org_id,
            "--role",
            "coach",
        ],
    )
    .await;
    assert_eq!(coach["organization"]["id"], org["id"]);
    assert_eq!(coach["membership"]["role"], "coach");
    let athlete = admin_json(
        &db,
        &[
            "user",
            "create",
            "--email",
            "a@example.com",
            "--password",
            "long enough",
            "--name",
            "A",
        ],
    )
    .await;
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
    let assignment = admin_json(
        &db,
        &[
            "coach",
            "assign",
            "--coach",
            "c@example.com",
            "--athlete",
            "a@example.com",
        ],
    )
    .await;
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

    let again = run(
        &db,
        &[
            "admin",
            "coach",
            "assign",
            "--coach",
            "c@example.com",
            "--athlete",
            "a@example.com",
        ],
    )
    .await;
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already coaches"));
}

async fn bad_input_changes_nothing(db: TestContext) {
    for (args, code) in [
        (
            vec![
                "--email",
                "not-an-email",
                "--password",
                "long enough",
                "--name",
                "X",
            ],
            Some(1),
        ),
        (
            vec![
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
                "--email",
                "x@example.com",
                "--password",
                "long enough",
                "--name",
                " ",
            ],
            Some(1),
        ),
        (
            vec![
                "--email",
                "x@example.com",
                "--password",
                "long enough",
                "--name",
                "X",
                "--role",
                "coach",
            ],
            Some(1),
        ),
        (
            vec![
                "--email",
                "x@example.com",
                "--password",
                "long enough",
                "--name",
                "X",
                "--org",
                "1",
                "--role",
                "boss",
            ],
            Some(2),
        ),
        (vec!["--email", "x@example.com", "--name", "X"], Some(2)),
    ] {
        let mut all = vec!["admin", "user", "create"];
        all.extend(args.iter());
        let output = run(&db, &all).await;
        assert_eq!(
            output.status.code(),
            code,
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(!output.stderr.is_empty());
    }
    assert_eq!(
        admin_json(&db, &["user", "list"]).await,
        serde_json::json!([])
    );
    assert_eq!(
        admin_json(&db, &["org", "list"]).await,
        serde_json::json!([])
    );
}
