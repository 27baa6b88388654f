use super::*;

#[test]
fn urls_choose_the_engine() {
    assert_eq!(
        Database::from_url("sqlite:///var/lib/paceline/db.sqlite3").unwrap(),
        Database::Sqlite("/var/lib/paceline/db.sqlite3".into())
    );
    assert_eq!(
        Database::from_url("sqlite:data/p.db?mode=rwc").unwrap(),
        Database::Sqlite("data/p.db".into())
    );
    assert!(matches!(
        Database::from_url("postgresql://u@h/db").unwrap(),
        Database::Postgres(_)
    ));
    assert!(Database::from_url("mysql://root@h/db").is_err());
    assert!(Database::from_url("sqlite::memory:").is_err());
    assert!(Database::from_url("/just/a/path").is_err());
}

#[test]
fn passwords_never_print() {
    let db = Database::from_url("postgres://paceline:s3cret@db.internal:5432/pl?sslmode=require")
        .unwrap();
    assert_eq!(
        db.redacted(),
        "postgres://paceline:***@db.internal:5432/pl?sslmode=require"
    );
    assert_eq!(redact_url("postgres://u@h/db"), "postgres://u@h/db");
    assert_eq!(redact_url("postgres://h/db?x=a@b"), "postgres://h/db?x=a@b");
    let err = Database::from_url("mysql://root:hunter2@h/db")
        .unwrap_err()
        .to_string();
    assert!(!err.contains("hunter2"), "{err}");
}
