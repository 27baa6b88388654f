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

#[test]
fn limits_are_counted_in_the_database_by_default_on_postgresql_only() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("paceline.toml");
    let mut flags = args();
    flags.config = Some(path.clone());
    let mut shared = |file: &str, url: Option<&str>| {
        std::fs::write(&path, file).unwrap();
        flags.database_url = url.map(str::to_owned);
        Settings::resolve(&flags, None).unwrap().shared_limits
    };
    let postgres = Some("postgres://paceline@db.internal/paceline");
    assert!(!shared("", None), "SQLite: one process, counted in memory");
    assert!(shared("", postgres), "PostgreSQL: shared by every instance");
    assert!(
        !shared("[rate_limit]\nshared = false\n", postgres),
        "the file decides"
    );
    assert!(shared("[rate_limit]\nshared = true\n", None));
}

#[test]
fn metrics_are_served_when_enabled_or_given_a_token_and_an_empty_token_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("paceline.toml");
    let token_file = dir.path().join("metrics-token");
    let mut flags = args();
    flags.config = Some(path.clone());
    let resolve = |file: &str| {
        std::fs::write(&path, file).unwrap();
        Settings::resolve(&flags, None)
    };
    assert!(resolve("").unwrap().metrics.is_none(), "off by default");
    let open = resolve("[metrics]\nenabled = true\n")
        .unwrap()
        .metrics
        .unwrap();
    assert!(open.token.is_none());
    std::fs::write(&token_file, "t".repeat(40)).unwrap();
    let file = format!("[metrics]\ntoken_file = {token_file:?}\n");
    let guarded = resolve(&file).unwrap().metrics.unwrap();
    assert_eq!(guarded.token.unwrap().expose(), "t".repeat(40));
    // A secret that is not there yet must not leave the metrics open.
    std::fs::write(&token_file, "\n").unwrap();
    let refused = resolve(&format!(
        "[metrics]\nenabled = true\ntoken_file = {token_file:?}\n"
    ));
    assert!(refused.is_err());
    std::fs::write(&token_file, "short").unwrap();
    assert!(
        resolve(&file).is_err(),
        "a token of fewer than 32 characters"
    );
    std::fs::write(&token_file, "t".repeat(40)).unwrap();
    assert!(
        resolve(&format!(
            "[metrics]\nenabled = false\ntoken_file = {token_file:?}\n"
        ))
        .is_err()
    );
}

fn env<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
    move |name| {
        pairs
            .iter()
            .find(|(key, _)| *key == name)
            .map(|(_, value)| (*value).to_owned())
    }
}

#[test]
fn files_stay_local_unless_a_bucket_is_set() {
    let settings = Settings::resolve(&args(), None).unwrap();
    assert_eq!(
        settings.files,
        FileStorage::Local("./paceline-data/files".into())
    );
    assert_eq!(s3_settings(&FileS3::default(), env(&[])).unwrap(), None);
}

#[test]
fn s3_comes_from_the_file_and_the_environment_with_the_secret_kept_out_of_sight() {
    let dir = tempfile::tempdir().unwrap();
    let secret_path = dir.path().join("s3-secret");
    std::fs::write(&secret_path, "file-secret-value\n").unwrap();
    let path = dir.path().join("paceline.toml");
    std::fs::write(
        &path,
        format!(
            "[files.s3]\nbucket = \"training\"\nendpoint = \"https://s3.example.com\"\n\
             region = \"eu-central-1\"\naccess_key_id = \"AKIDFILE\"\n\
             secret_access_key_file = {:?}\nprefix = \"paceline\"\nvirtual_hosted_style = true\n",
            secret_path.display().to_string()
        ),
    )
    .unwrap();
    let mut flags = args();
    flags.config = Some(path.clone());
    let settings = Settings::resolve(&flags, None).unwrap();
    let FileStorage::S3(s3) = &settings.files else {
        panic!("{:?}", settings.files)
    };
    assert_eq!(s3.bucket, "training");
    assert_eq!(s3.endpoint.as_deref(), Some("https://s3.example.com"));
    assert_eq!(s3.region.as_deref(), Some("eu-central-1"));
    assert_eq!(s3.access_key_id.as_deref(), Some("AKIDFILE"));
    assert_eq!(
        s3.secret_access_key.as_ref().map(Secret::expose),
        Some("file-secret-value")
    );
    assert_eq!(s3.prefix.as_deref(), Some("paceline"));
    assert!(s3.virtual_hosted_style && !s3.allow_http);
    let described = settings.describe();
    assert!(described.contains("s3://training/paceline"), "{described}");
    assert!(!described.contains("file-secret-value"), "{described}");
    assert!(!format!("{settings:?}").contains("file-secret-value"));

    // The environment wins over the file.
    let file: FileConfig = toml::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let file = file.files.s3.unwrap();
    let from_env = s3_settings(
        &file,
        env(&[
            ("PACELINE_S3_BUCKET", "other"),
            ("PACELINE_S3_ENDPOINT", "http://127.0.0.1:9000"),
            ("PACELINE_S3_ALLOW_HTTP", "true"),
            ("PACELINE_S3_VIRTUAL_HOSTED_STYLE", "false"),
            ("PACELINE_S3_SECRET_ACCESS_KEY", "env-secret"),
        ]),
    )
    .unwrap()
    .unwrap();
    assert_eq!(from_env.bucket, "other");
    assert_eq!(from_env.endpoint.as_deref(), Some("http://127.0.0.1:9000"));
    assert!(from_env.allow_http && !from_env.virtual_hosted_style);
    assert_eq!(
        from_env.secret_access_key.as_ref().map(Secret::expose),
        Some("env-secret")
    );
}

#[test]
fn s3_mistakes_are_reported() {
    let bucket = ("PACELINE_S3_BUCKET", "training");
    let plain = FileS3::default();
    let refused =
        |pairs: &[(&str, &str)]| format!("{:#}", s3_settings(&plain, env(pairs)).unwrap_err());
    assert!(refused(&[bucket, ("PACELINE_S3_ACCESS_KEY_ID", "AKID")]).contains("both"));
    assert!(refused(&[bucket, ("PACELINE_S3_ENDPOINT", "s3.example.com")]).contains("https://"));
    assert!(
        refused(&[bucket, ("PACELINE_S3_ENDPOINT", "http://127.0.0.1:9000")])
            .contains("allow_http")
    );
    assert!(refused(&[bucket, ("PACELINE_S3_ALLOW_HTTP", "maybe")]).contains("true or false"));
    assert!(
        refused(&[
            bucket,
            ("PACELINE_S3_SECRET_ACCESS_KEY_FILE", "/no/such/file")
        ])
        .contains("secret access key file")
    );
    // Without keys, the instance's role signs the requests.
    let role = s3_settings(&plain, env(&[bucket])).unwrap().unwrap();
    assert_eq!(role.access_key_id, None);

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("paceline.toml");
    std::fs::write(
        &path,
        "[files.s3]\nbucket = \"b\"\nsecret_access_key = \"inline\"\n",
    )
    .unwrap();
    let mut flags = args();
    flags.config = Some(path);
    let err = format!("{:#}", Settings::resolve(&flags, None).unwrap_err());
    assert!(err.contains("secret_access_key"), "{err}");
}

#[test]
fn tls_needs_both_files_and_a_redirect_needs_tls() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("paceline.toml");
    std::fs::write(&path, "[tls]\ncert = \"/etc/cert.pem\"\n").unwrap();
    let mut flags = args();
    flags.config = Some(path.clone());
    let err = format!("{:#}", Settings::resolve(&flags, None).unwrap_err());
    assert!(err.contains("both a certificate and its key"), "{err}");

    std::fs::write(
        &path,
        "[tls]\ncert = \"/etc/cert.pem\"\nkey = \"/etc/key.pem\"\nredirect_http = \"0.0.0.0:80\"\n\
         [proxy]\ntrusted = [\"10.0.0.0/8\", \"127.0.0.1\"]\n",
    )
    .unwrap();
    let settings = Settings::resolve(&flags, None).unwrap();
    let tls = settings.network.tls.clone().unwrap();
    assert_eq!(tls.key, PathBuf::from("/etc/key.pem"));
    assert_eq!(tls.reload_every.as_secs(), 30);
    assert!(!settings.network.trusted_proxies.is_empty());
    assert!(
        settings
            .issuer("127.0.0.1:8443".parse().unwrap())
            .starts_with("https://")
    );

    let plain = Network::default().with_flags(&ServeFlags {
        redirect_http: Some("0.0.0.0:80"),
        ..ServeFlags::default()
    });
    assert!(plain.is_err(), "a redirect to HTTPS without TLS");
    std::fs::write(&path, "[proxy]\ntrusted = [\"proxy.example\"]\n").unwrap();
    assert!(Settings::resolve(&flags, None).is_err());
}

#[test]
fn smtp_and_sign_up_are_read_from_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let secret = dir.path().join("smtp-password");
    std::fs::write(&secret, "hunter2-but-longer\n").unwrap();
    let path = dir.path().join("paceline.toml");
    let write = |text: &str| std::fs::write(&path, text).unwrap();
    let mut flags = args();
    flags.config = Some(path.clone());
    let defaults = Settings::resolve(&args(), None).unwrap();
    assert!(!defaults.open_signup, "sign-up is off by default");
    assert!(defaults.smtp.is_none());
    write(&format!(
        "[accounts]\nopen_signup = true\n[smtp]\nhost = \"mail.example.com\"\n\
         username = \"paceline\"\npassword_file = {:?}\nfrom = \"Paceline <p@example.com>\"\n",
        secret.display().to_string()
    ));
    let settings = Settings::resolve(&flags, None).unwrap();
    assert!(settings.open_signup);
    let smtp = settings.smtp.unwrap();
    assert_eq!((smtp.port, smtp.security), (587, SmtpSecurity::StartTls));
    assert_eq!(smtp.password.as_deref(), Some("hunter2-but-longer"));
    let described = Settings::resolve(&flags, None).unwrap().describe();
    assert!(
        described.contains("accounts.open_signup = true"),
        "{described}"
    );
    assert!(described.contains("mail.example.com:587"), "{described}");
    assert!(
        !described.contains("hunter2"),
        "the password is never shown"
    );
    write("[smtp]\nhost = \"relay\"\nsecurity = \"tls\"\nfrom = \"p@example.com\"\n");
    let tls = Settings::resolve(&flags, None).unwrap().smtp.unwrap();
    assert_eq!((tls.port, tls.security), (465, SmtpSecurity::Tls));
    for (text, says) in [
        (
            "[smtp]\nhost = \"relay\"\nsecurity = \"ssl\"\nfrom = \"p@example.com\"\n",
            "smtp.security",
        ),
        (
            "[smtp]\nhost = \"relay\"\nusername = \"u\"\nfrom = \"p@example.com\"\n",
            "go together",
        ),
        ("[smtp]\nhost = \"relay\"\n", "from"),
    ] {
        write(text);
        let error = format!("{:#}", Settings::resolve(&flags, None).unwrap_err());
        assert!(error.contains(says), "{text}: {error}");
    }
}
