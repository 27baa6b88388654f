//! `paceline demo` and `paceline serve --demo`: the demo organization and its logins.

use crate::config::Settings;
use crate::serve::open_files;
use crate::store;
use anyhow::Result;
use paceline_domain::demo::{self, season};
use paceline_domain::{Store, SystemClock};
use rand::SeedableRng;
use rand::rngs::StdRng;

/// `paceline demo`.
pub async fn run(settings: &Settings) -> Result<()> {
    let store = store::open(settings, 2).await?;
    seed_and_print(&store, settings).await?;
    store.close().await;
    Ok(())
}

/// Seeds (or refreshes) the demo and prints how to log in. Athletes without activities get
/// a season: weeks of recorded training, health days, the coach's plan and messages.
pub async fn seed_and_print(store: &dyn Store, settings: &Settings) -> Result<()> {
    let demo = demo::seed(store, &SystemClock, &mut rand::rng()).await?;
    let files = open_files(&settings.files).await?;
    let coach = demo::PEOPLE[0].1;
    let mut seasons = Vec::new();
    for (role, email, name) in demo::PEOPLE.iter().skip(1) {
        debug_assert_eq!(*role, paceline_domain::entities::Role::Athlete);
        let runner = *email == demo::PEOPLE[2].1;
        let seeded = season::seed_athlete(
            store,
            &files,
            &SystemClock,
            &mut StdRng::from_os_rng(),
            email,
            coach,
            runner,
        )
        .await?;
        if seeded.activities > 0 {
            seasons.push(format!(
                "  {name}: {} activities from the last {} weeks, {} days of health records, \
                 {} planned sessions",
                seeded.activities,
                season::WEEKS,
                seeded.days,
                seeded.sessions
            ));
        }
    }
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
    if !seasons.is_empty() {
        println!("\nThe athletes' recent training, made up for the demo:\n");
        for line in &seasons {
            println!("{line}");
        }
    }
    // The command as this process was started, so that the line runs as printed whether
    // `paceline` is on the PATH or was run from the build folder.
    let program = std::env::args()
        .next()
        .unwrap_or_else(|| "paceline".to_owned());
    println!(
        "\nEach account logs in with its e-mail address and password; the coach owns the company\n\
         and is assigned both athletes. The server answers at http://{} (`{program} serve`); list everyone\n\
         with `{program} admin user list`.\n",
        settings.listen
    );
    Ok(())
}
