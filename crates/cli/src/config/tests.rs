use super::*;

fn args() -> ConfigArgs {
    ConfigArgs::default()
}

#[test]
fn defaults_need_no_setup() {
    let settings = Settings::resolve(&args(), None).unwrap();
    assert_eq!(settings.data_dir, PathBuf::from("./paceline-data"));
    assert_eq!(
        settings.database,
        Database::Sqlite("./paceline-data/paceline.sqlite3".into())
    );
    assert_eq!(settings.listen.to_string(), "127.0.0.1:8080");
    assert_eq!(settings.log_format, LogFormat::Text);
}

#[test]
fn the_file_is_overridden_by_flags_and_environment() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("paceline.toml");
    std::fs::write(
        &path,
        "data_dir = \"/srv/paceline\"\nlisten = \"0.0.0.0:9000\"\n\
         [database]\nurl = \"postgres://p:secret@db/pl\"\nmax_connections = 32\n\
         [log]\nformat = \"json\"\nfilter = \"debug\"\n",
    )
    .unwrap();
    let mut flags = args();
    flags.config = Some(path.clone());
    let from_file = Settings::resolve(&flags, None).unwrap();
    assert_eq!(from_file.data_dir, PathBuf::from("/srv/paceline"));
    assert_eq!(from_file.listen.to_string(), "0.0.0.0:9000");
    assert_eq!(
        from_file.database,
        Database::Postgres("postgres://p:secret@db/pl".into())
    );
    assert_eq!(from_file.max_connections, 32);
    assert_eq!(from_file.log_format, LogFormat::Json);
    assert_eq!(from_file.log_filter.as_deref(), Some("debug"));
    assert!(
        !from_file.describe().contains("secret"),
        "{}",
        from_file.describe()
    );

    flags.data_dir = Some("/elsewhere".into());
    flags.database_url = Some("sqlite:///tmp/x.db".into());
    flags.log_format = Some(LogFormat::Text);
    let overridden = Settings::resolve(&flags, Some("127.0.0.1:7000")).unwrap();
    assert_eq!(overridden.data_dir, PathBuf::from("/elsewhere"));
    assert_eq!(overridden.database, Database::Sqlite("/tmp/x.db".into()));
    assert_eq!(overridden.listen.to_string(), "127.0.0.1:7000");
    assert_eq!(overridden.log_format, LogFormat::Text);
}

#[test]
fn mistakes_are_reported_not_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.toml");
    std::fs::write(&path, "data_dri = \"/typo\"\n").unwrap();
    let mut flags = args();
    flags.config = Some(path);
    let err = format!("{:#}", Settings::resolve(&flags, None).unwrap_err());
    assert!(err.contains("data_dri"), "{err}");

    let err = format!(
        "{:#}",
        Settings::resolve(&args(), Some("localhost")).unwrap_err()
    );
    assert!(err.contains("invalid listen address"), "{err}");

    let mut flags = args();
    flags.database_url = Some("mysql://root@localhost/x".into());
    assert!(Settings::resolve(&flags, None).is_err());
    flags.config = Some("/no/such/paceline.toml".into());
    assert!(Settings::resolve(&flags, None).is_err());
}

#[test]
fn oauth_times_and_limits_come_from_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("paceline.toml");
    std::fs::write(
        &path,
        "[oauth]\ncode_ttl_seconds = 5\nrefresh_grace_seconds = 30\n\
         [rate_limit]\nshared = true\napi_per_token = 60\n",
    )
    .unwrap();
    let mut flags = args();
    flags.config = Some(path.clone());
    let settings = Settings::resolve(&flags, None).unwrap();
    let oauth = settings.oauth.settings("https://p.example".into());
    assert_eq!(oauth.code_ttl, Duration::seconds(5));
    assert_eq!(oauth.refresh_grace, Duration::seconds(30));
    assert_eq!(oauth.access_token_ttl, Duration::hours(1), "defaults stay");
    assert!(settings.shared_limits);
    assert_eq!(settings.limits.api_per_token.requests, 60);

    std::fs::write(&path, "[oauth]\ncode_ttl_seconds = 0\n").unwrap();
    assert!(Settings::resolve(&flags, None).is_err());
    std::fs::write(&path, "[rate_limit]\napi_per_client = 0\n").unwrap();
    assert!(Settings::resolve(&flags, None).is_err());
}
