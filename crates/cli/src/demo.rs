//! `paceline demo` and `paceline serve --demo`: the demo organization and its logins.

use crate::config::Settings;
use crate::store;
use anyhow::Result;
use paceline_domain::demo;
use paceline_domain::{Store, SystemClock};

/// `paceline demo`.
pub async fn run(settings: &Settings) -> Result<()> {
    let store = store::open(settings, 2).await?;
    seed_and_print(&store, settings).await?;
    store.close().await;
    Ok(())
}

/// Seeds (or refreshes) the demo and prints how to log in.
pub async fn seed_and_print(store: &dyn Store, settings: &Settings) -> Result<()> {
    let demo = demo::seed(store, &SystemClock, &mut rand::rng()).await?;
    let verb = if demo.created { "Created" } else { "Refreshed" };
    println!(
        "{verb} the demo organization \"{}\" ({}) with new passwords:\n",
        demo.organization.name,
        demo.organization.id.public()
    );
    for login in &demo.logins {
        println!(
            "  {:<8} {:<14} {:<32} password: {}",
            login.role.as_str(),
            login.name,
            login.email,
            login.password.expose()
        );
    }
    // The command as this process was started, so that the line runs as printed whether
    // `paceline` is on the PATH or was run from the build folder.
    let program = std::env::args()
        .next()
        .unwrap_or_else(|| "paceline".to_owned());
    println!(
        "\nEach account logs in with its e-mail address and password; the coach is assigned\n\
         both athletes. The server answers at http://{} (`{program} serve`); list everyone\n\
         with `{program} admin user list`.\n",
        settings.listen
    );
    Ok(())
}
