//! `paceline`: the one binary. Parses the command line and configuration, sets up logging
//! and the runtime, and hands over to the command. Exit codes: 0 done, 1 refused (bad
//! input, conflict, unknown record), 2 usage or configuration error, 3 the database or the
//! system failed.
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod admin;
mod args;
mod backup;
mod config;
mod db_copy;
mod demo;
mod durable;
mod export;
mod files_copy;
mod import;
mod logging;
mod progress;
mod serve;
mod store;

use args::{Cli, Command, ConfigCommand, DbCommand, FilesCommand};
use clap::Parser;
use config::Settings;
use std::process::ExitCode;

/// mimalloc rather than the system's allocator: requests allocate on one worker thread and
/// free on another, where glibc's arenas take a lock (a tenth of a list request's CPU in the
/// profile in `docs/BENCHMARKS.md`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// A failure with the exit code and machine-readable code it maps to.
#[derive(Debug)]
pub struct Failure {
    /// Process exit code.
    pub exit: u8,
    /// Kebab-case error code, for `--json` output.
    pub code: &'static str,
    /// The message, with its causes.
    pub message: String,
}

impl Failure {
    /// The database or the system failed (exit code 3).
    pub fn system(error: &anyhow::Error) -> Self {
        Self {
            exit: 3,
            code: "system-failure",
            message: format!("{error:#}"),
        }
    }

    /// A refusal (exit code 1): the request cannot be carried out as given.
    pub fn refused(code: &'static str, message: &str) -> Self {
        Self {
            exit: 1,
            code,
            message: message.to_owned(),
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let listen = match &cli.command {
        Command::Serve(serve) => serve.listen.as_deref(),
        _ => None,
    };
    let resolved = Settings::resolve(&cli.config, listen).and_then(|mut settings| {
        if let Command::Serve(serve) = &cli.command {
            let flags = config::ServeFlags {
                tls_cert: serve.tls_cert.as_deref(),
                tls_key: serve.tls_key.as_deref(),
                redirect_http: serve.redirect_http.as_deref(),
            };
            settings.network = settings.network.clone().with_flags(&flags)?;
        }
        Ok(settings)
    });
    let settings = match resolved {
        Ok(settings) => settings,
        Err(error) => {
            eprintln!("error: {error:#}");
            return ExitCode::from(2);
        }
    };
    let default_filter = match cli.command {
        Command::Serve(_) => "info",
        _ => "warn",
    };
    logging::init(&settings, default_filter);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return ExitCode::from(3);
        }
    };
    let outcome = runtime.block_on(run(cli.command, settings));
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => ExitCode::from(failure.exit),
    }
}

async fn run(command: Command, settings: Settings) -> Result<(), Failure> {
    match command {
        Command::Serve(args) => report(serve::run(&settings, args.demo).await),
        Command::Demo => report(demo::run(&settings).await),
        Command::Migrate => report(store::open(&settings, 2).await.map(|_| {
            println!("database is up to date: {}", settings.database.redacted());
        })),
        Command::Config(ConfigCommand::Check) => {
            print!("{}", settings.describe());
            Ok(())
        }
        Command::Admin(args) => admin::run(&settings, args).await,
        Command::Db(DbCommand::Copy { from, to }) => printed(db_copy::run(&from, &to).await),
        Command::Import {
            email,
            path,
            parallel,
        } => {
            let parallel = parallel.unwrap_or_else(|| {
                std::thread::available_parallelism().map_or(2, std::num::NonZero::get)
            });
            printed(import::run(&settings, &email, &path, parallel).await)
        }
        Command::Export { email, file } => printed(export::run(&settings, &email, &file).await),
        Command::Backup { dir } => printed(backup::backup(&settings, &dir).await),
        Command::Restore { dir } => printed(backup::restore(&settings, &dir).await),
        Command::Files(FilesCommand::Copy { from, to, parallel }) => {
            printed(files_copy::run(&settings, from.as_deref(), to.as_deref(), parallel).await)
        }
    }
}

/// Prints a failure's message on standard error, as `error: …`.
fn printed(outcome: Result<(), Failure>) -> Result<(), Failure> {
    if let Err(failure) = &outcome {
        eprintln!("error: {}", failure.message);
    }
    outcome
}

/// Prints a system failure and maps it to exit code 3.
fn report(result: anyhow::Result<()>) -> Result<(), Failure> {
    result.map_err(|error| {
        tracing::error!(error = %format!("{error:#}"), "command failed");
        eprintln!("error: {error:#}");
        Failure::system(&error)
    })
}
