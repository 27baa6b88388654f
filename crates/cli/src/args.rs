//! The command line, as clap reads it. Options that configure the installation are global,
//! so they may come before or after the subcommand, and each has an environment variable.

use clap::{Args, Parser, Subcommand, ValueEnum};
use paceline_domain::entities::Role;
use std::path::PathBuf;

/// Paceline: a self-hosted training-data platform.
#[derive(Debug, Parser)]
#[command(name = "paceline", version, about, propagate_version = true)]
pub struct Cli {
    /// The installation's configuration.
    #[command(flatten)]
    pub config: ConfigArgs,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Options that override the configuration file.
#[derive(Debug, Clone, Default, Args)]
pub struct ConfigArgs {
    /// A TOML configuration file.
    #[arg(long, global = true, env = "PACELINE_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Folder for the SQLite database and stored files [default: ./paceline-data].
    #[arg(long, global = true, env = "PACELINE_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// postgres://… to use PostgreSQL, or sqlite://PATH [default: DATA_DIR/paceline.sqlite3].
    #[arg(
        long,
        global = true,
        env = "PACELINE_DATABASE_URL",
        value_name = "URL",
        hide_env_values = true
    )]
    pub database_url: Option<String>,
    /// The URL clients and browsers use to reach this server, e.g.
    /// https://paceline.example.com (the OAuth issuer) [default: http://LISTEN].
    #[arg(long, global = true, env = "PACELINE_PUBLIC_URL", value_name = "URL")]
    pub public_url: Option<String>,
    /// Log as human-readable text or as JSON lines [default: text].
    #[arg(
        long,
        global = true,
        env = "PACELINE_LOG_FORMAT",
        value_name = "FORMAT"
    )]
    pub log_format: Option<LogFormat>,
    /// Log filter in tracing's syntax, e.g. `info` or `paceline_server=debug`
    /// [default: info for serve, warn otherwise].
    #[arg(long, global = true, env = "PACELINE_LOG", value_name = "FILTER")]
    pub log: Option<String>,
}

/// How logs are written to standard error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// One human-readable line per event.
    Text,
    /// One JSON object per event.
    Json,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP server.
    Serve(ServeArgs),
    /// Seed the demo organization (a coach and two athletes) and print its logins.
    Demo,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Inspect the configuration.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Administer users, organizations, memberships and coaches.
    Admin(AdminArgs),
    /// Move a whole installation's database between engines.
    #[command(subcommand)]
    Db(DbCommand),
    /// Move stored files between a folder and the configured storage.
    #[command(subcommand)]
    Files(FilesCommand),
    /// Import an athlete's activity files from a folder, a zip, or a Strava or Garmin
    /// Connect bulk-export archive; files already there are recognized and skipped.
    Import {
        /// The athlete's e-mail address.
        #[arg(long)]
        email: String,
        /// A folder, a zip, or one activity file (FIT, TCX, GPX, gzipped or not).
        #[arg(value_name = "PATH")]
        path: PathBuf,
        /// Files imported at once [default: the number of CPUs].
        #[arg(long)]
        parallel: Option<usize>,
    },
    /// Write everything of one athlete into a zip (their uploaded files, and every record as
    /// the APIs show it), so that they can take it elsewhere.
    Export {
        /// The athlete's e-mail address.
        #[arg(long)]
        email: String,
        /// The zip to write (a new file).
        #[arg(value_name = "FILE.zip")]
        file: PathBuf,
    },
    /// Copy a SQLite installation's database and files into a new folder, while the server
    /// runs: everything committed before the backup began is in it.
    Backup {
        /// The folder to fill (new or empty).
        #[arg(value_name = "DIR")]
        dir: PathBuf,
    },
    /// Put a backup into this installation, which must have no database yet (its files go
    /// to the configured storage).
    Restore {
        /// A folder `paceline backup` filled.
        #[arg(value_name = "DIR")]
        dir: PathBuf,
    },
}

/// `paceline files`.
#[derive(Debug, Subcommand)]
pub enum FilesCommand {
    /// Copy every stored file from a folder into the configured storage (a bucket, say),
    /// or from the configured storage into a folder; each file is checked by SHA-256 once
    /// written, and a file already there with the same bytes is skipped, so running it
    /// again finishes a copy that was stopped.
    Copy {
        /// A folder of files (as `DATA_DIR/files` keeps them) to copy into the configured
        /// storage.
        #[arg(
            long,
            value_name = "DIR",
            conflicts_with = "to",
            required_unless_present = "to"
        )]
        from: Option<PathBuf>,
        /// A folder to copy the configured storage's files into.
        #[arg(long, value_name = "DIR")]
        to: Option<PathBuf>,
        /// Files copied at once.
        #[arg(long, default_value_t = 8)]
        parallel: usize,
    },
}

/// `paceline db`.
#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Copy every table, id, token and file reference from one database into a new, empty
    /// one (SQLite to PostgreSQL or back), then check row counts and keys on both sides.
    /// Stop the servers that write to the source first.
    Copy {
        /// The database to copy: `sqlite://PATH` or `postgres://…`.
        #[arg(long, value_name = "URL")]
        from: String,
        /// The empty database to fill (created and migrated first).
        #[arg(long, value_name = "URL")]
        to: String,
    },
}

/// `paceline serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on [default: 127.0.0.1:8080].
    #[arg(long, env = "PACELINE_LISTEN", value_name = "ADDR")]
    pub listen: Option<String>,
    /// Seed the demo organization first and print its logins.
    #[arg(long)]
    pub demo: bool,
    /// Serve HTTPS with this certificate chain (PEM); a renewed file is picked up without a
    /// restart.
    #[arg(
        long,
        env = "PACELINE_TLS_CERT",
        value_name = "FILE",
        requires = "tls_key"
    )]
    pub tls_cert: Option<PathBuf>,
    /// The certificate's private key (PEM).
    #[arg(
        long,
        env = "PACELINE_TLS_KEY",
        value_name = "FILE",
        requires = "tls_cert"
    )]
    pub tls_key: Option<PathBuf>,
    /// Also listen for plain HTTP here, answering 308 to the HTTPS URL.
    #[arg(long, env = "PACELINE_REDIRECT_HTTP", value_name = "ADDR")]
    pub redirect_http: Option<String>,
}

/// `paceline config …`.
#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print the effective configuration, with secrets redacted.
    Check,
}

/// `paceline admin …`.
#[derive(Debug, Args)]
pub struct AdminArgs {
    /// Print machine-readable JSON (errors too, on standard error).
    #[arg(long, global = true)]
    pub json: bool,
    /// The resource to administer.
    #[command(subcommand)]
    pub command: AdminCommand,
}

/// The resources `paceline admin` manages.
#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// User accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Organizations.
    #[command(subcommand)]
    Org(OrgCommand),
    /// Memberships of users in organizations.
    #[command(subcommand)]
    Member(MemberCommand),
    /// Coach-athlete assignments.
    #[command(subcommand)]
    Coach(CoachCommand),
    /// OAuth clients: the third-party apps that may ask users for access.
    #[command(subcommand)]
    Clients(ClientsCommand),
    /// An athlete's training settings and zones.
    #[command(subcommand)]
    Athlete(AthleteCommand),
    /// Give the activities imported before laps and record streams were kept those of
    /// their kept files. Resumable: run it again to finish a run that was stopped.
    Reprocess,
}

/// `paceline admin athlete …`.
#[derive(Debug, Subcommand)]
pub enum AthleteCommand {
    /// Change an athlete's training settings, then print them with the zones they give.
    Settings(SettingsArgs),
    /// Print an athlete's training settings and zones.
    Show {
        /// The athlete's e-mail address.
        #[arg(long)]
        email: String,
    },
}

/// `paceline admin athlete settings`: each option given changes that setting.
#[derive(Debug, Args)]
pub struct SettingsArgs {
    /// The athlete's e-mail address.
    #[arg(long)]
    pub email: String,
    /// Maximum heart rate, beats per minute.
    #[arg(long, value_name = "BPM")]
    pub max_hr: Option<u16>,
    /// Resting heart rate, beats per minute.
    #[arg(long, value_name = "BPM")]
    pub resting_hr: Option<u16>,
    /// Threshold heart rate, beats per minute.
    #[arg(long, value_name = "BPM")]
    pub threshold_hr: Option<u16>,
    /// Functional threshold power, watts.
    #[arg(long, value_name = "W")]
    pub ftp: Option<u16>,
    /// Threshold run pace per kilometre, M:SS.
    #[arg(long, value_name = "M:SS", value_parser = parse_pace)]
    pub threshold_pace: Option<u16>,
    /// Swim critical speed per 100 m, M:SS.
    #[arg(long, value_name = "M:SS", value_parser = parse_pace)]
    pub swim_css: Option<u16>,
    /// Weight, kilograms.
    #[arg(long, value_name = "KG")]
    pub weight: Option<f64>,
    /// Take the suggested maximum heart rate (from an upload above the maximum).
    #[arg(long)]
    pub accept_suggested_max_hr: bool,
    /// Clear a setting: max-hr, resting-hr, threshold-hr, ftp, threshold-pace, swim-css or
    /// weight (repeatable).
    #[arg(long, value_name = "SETTING")]
    pub clear: Vec<String>,
    /// Distance unit: kilometers or miles.
    #[arg(long, value_name = "UNIT")]
    pub distance_unit: Option<String>,
    /// Pool unit: meters or yards.
    #[arg(long, value_name = "UNIT")]
    pub pool_unit: Option<String>,
    /// First day of a season to keep (with --season-end; it replaces the seasons it
    /// overlaps).
    #[arg(long, value_name = "YYYY-MM-DD", requires = "season_end")]
    pub season_start: Option<String>,
    /// Last day of that season.
    #[arg(long, value_name = "YYYY-MM-DD", requires = "season_start")]
    pub season_end: Option<String>,
}

/// A pace written `M:SS`, as seconds.
pub fn parse_pace(text: &str) -> Result<u16, String> {
    let (minutes, seconds) = text
        .split_once(':')
        .ok_or_else(|| "expected M:SS, e.g. 4:30".to_owned())?;
    let minutes: u16 = minutes.parse().map_err(|_| "expected M:SS, e.g. 4:30")?;
    let seconds: u16 = seconds
        .parse()
        .ok()
        .filter(|s| *s < 60 && seconds.len() == 2)
        .ok_or("expected M:SS with two-digit seconds, e.g. 4:05")?;
    minutes
        .checked_mul(60)
        .and_then(|m| m.checked_add(seconds))
        .ok_or_else(|| "too long a pace".to_owned())
}

/// How an OAuth client gets its tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Grant {
    /// An app that users authorize (authorization code with PKCE, refresh tokens).
    #[value(name = "authorization-code", alias = "authorization_code")]
    AuthorizationCode,
    /// A company integration acting for a coaching company.
    #[value(name = "client-credentials", alias = "client_credentials")]
    ClientCredentials,
}

/// `paceline admin clients …`.
#[derive(Debug, Subcommand)]
pub enum ClientsCommand {
    /// Register a client; prints its client_id and, for a confidential client, its secret
    /// (shown this once: only its hash is kept).
    Create {
        /// Name shown on the consent page.
        #[arg(long)]
        name: String,
        /// An exact redirect URI; repeat for several (an app that users authorize needs one).
        #[arg(long = "redirect-uri")]
        redirect_uris: Vec<String>,
        /// How the client gets its tokens: authorization_code (an app users authorize) or
        /// client_credentials (a company integration, with --org).
        #[arg(long, value_enum, default_value = "authorization-code")]
        grant: Grant,
        /// The coaching company a client_credentials integration acts for (name or org_ id).
        #[arg(long, conflicts_with_all = ["public", "redirect_uris", "secret_from_stdin"])]
        org: Option<String>,
        /// Space-separated scopes the client may request.
        #[arg(long)]
        scope: String,
        /// A public client (a mobile or browser app): no secret, PKCE only.
        #[arg(long)]
        public: bool,
        /// A client id of your choice (A-Z a-z 0-9 - . _ ~) [default: generated].
        #[arg(long)]
        client_id: Option<String>,
        /// Read the secret from standard input instead of generating one (when moving a
        /// client from another installation): at least 32 characters of A-Z a-z 0-9 - . _ ~.
        #[arg(long, conflicts_with = "public")]
        secret_from_stdin: bool,
    },
    /// List every client.
    List,
    /// Show one client.
    Show {
        /// The client id.
        client_id: String,
    },
    /// Change a client's name, redirect URIs or scopes.
    Update {
        /// The client id.
        client_id: String,
        /// New name.
        #[arg(long)]
        name: Option<String>,
        /// New redirect URIs, replacing all; repeat for several.
        #[arg(long = "redirect-uri")]
        redirect_uris: Vec<String>,
        /// New space-separated scopes, replacing all; tokens lose removed scopes at once.
        #[arg(long)]
        scope: Option<String>,
    },
    /// Give a confidential client a new secret; the old one stops working at once.
    RotateSecret {
        /// The client id.
        client_id: String,
    },
    /// Delete a client and every consent and token issued to it.
    Delete {
        /// The client id.
        client_id: String,
    },
}

/// `paceline admin user …`.
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user; without --org they get a personal organization, which they own.
    Create {
        /// Login e-mail address.
        #[arg(long)]
        email: String,
        /// Password, or `-` to read it from standard input.
        #[arg(long)]
        password: String,
        /// Full name.
        #[arg(long)]
        name: String,
        /// Organization to join: its id (org_… or number) or exact name.
        #[arg(long)]
        org: Option<String>,
        /// Role in that organization [default: athlete].
        #[arg(long, value_parser = parse_role)]
        role: Option<Role>,
    },
    /// List every user.
    List,
    /// Show one user with their memberships and settings.
    Show {
        /// Login e-mail address.
        #[arg(long)]
        email: String,
    },
    /// Replace a user's password.
    SetPassword {
        /// Login e-mail address.
        #[arg(long)]
        email: String,
        /// New password, or `-` to read it from standard input.
        #[arg(long)]
        password: String,
    },
    /// Print a one-time link (valid for an hour) with which the user chooses a new password.
    ResetLink {
        /// Login e-mail address.
        #[arg(long)]
        email: String,
    },
}

/// `paceline admin org …`.
#[derive(Debug, Subcommand)]
pub enum OrgCommand {
    /// Create an organization (a coaching company or club).
    Create {
        /// Its name.
        #[arg(long)]
        name: String,
    },
    /// List every organization.
    List,
}

/// `paceline admin member …`.
#[derive(Debug, Subcommand)]
pub enum MemberCommand {
    /// Add an existing user to an organization.
    Add {
        /// The organization: its id (org_… or number) or exact name.
        #[arg(long)]
        org: String,
        /// The user's e-mail address.
        #[arg(long)]
        email: String,
        /// Their role there.
        #[arg(long, value_parser = parse_role)]
        role: Role,
    },
}

/// `paceline admin coach …`.
#[derive(Debug, Subcommand)]
pub enum CoachCommand {
    /// Make a coach responsible for an athlete of the same organization.
    Assign {
        /// The coach's e-mail address.
        #[arg(long)]
        coach: String,
        /// The athlete's e-mail address.
        #[arg(long)]
        athlete: String,
        /// The organization, when the two share several.
        #[arg(long)]
        org: Option<String>,
    },
    /// End a coach's responsibility for an athlete; it takes effect on the coach's next
    /// request.
    Unassign {
        /// The coach's e-mail address.
        #[arg(long)]
        coach: String,
        /// The athlete's e-mail address.
        #[arg(long)]
        athlete: String,
        /// The organization, when the two share several.
        #[arg(long)]
        org: Option<String>,
    },
}

fn parse_role(text: &str) -> Result<Role, String> {
    text.parse()
        .map_err(|e: paceline_domain::entities::UnknownName| {
            format!("expected one of: {}", e.allowed.join(", "))
        })
}
