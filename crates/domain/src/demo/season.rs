//! The demo athletes' recent past and near future: weeks of recorded rides and runs (see
//! [`super::training`]), health days, the coach's plan for this week and the next, a race,
//! and a few messages, so that a newcomer's first look at the web app is a populated one.

use super::training::{self, Kind};
use crate::accounts;
use crate::calendar::{NewSession, RacePriority, RaceValues, SessionValues};
use crate::clock::Clock;
use crate::daily::{
    Attribution, BodyMetricValues, NewRecord, NutritionValues, SleepValues, WellnessValues,
};
use crate::email::Email;
use crate::entities::Membership;
use crate::files::BlobStore;
use crate::ids::UserId;
use crate::imports::{self, Body, ImportError, Imported, Upload};
use crate::listing::RecordQuery;
use crate::messaging;
use crate::store::{Store, StoreError};
use rand::Rng;
use time::{Duration, OffsetDateTime, Time};

/// Weeks of training recorded before today.
pub const WEEKS: i64 = 6;

/// What seeding an athlete's season added.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Seeded {
    /// Activities recorded.
    pub activities: usize,
    /// Health days written.
    pub days: usize,
    /// Sessions planned.
    pub sessions: usize,
}

/// Why seeding stopped.
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Importing a made-up file failed.
    #[error(transparent)]
    Import(#[from] ImportError),
    /// A demo person is missing.
    #[error("the demo account {0} does not exist")]
    Missing(String),
}

impl From<messaging::MessagingError> for SeedError {
    fn from(error: messaging::MessagingError) -> Self {
        match error {
            messaging::MessagingError::Store(cause) => Self::Store(cause),
            other => Self::Store(StoreError::Other(other.to_string())),
        }
    }
}

async fn user(store: &dyn Store, email: &str) -> Result<crate::entities::User, SeedError> {
    let parsed = Email::parse(email).map_err(|_| SeedError::Missing(email.to_owned()))?;
    store
        .find_user_by_email(&parsed)
        .await?
        .ok_or_else(|| SeedError::Missing(email.to_owned()))
}

/// Gives the athlete `email` a season, coached by `coach`: unless they have activities
/// already (seeding twice adds nothing).
pub async fn seed_athlete(
    store: &dyn Store,
    files: &dyn BlobStore,
    clock: &dyn Clock,
    rng: &mut (impl Rng + Send),
    email: &str,
    coach: &str,
    runner: bool,
) -> Result<Seeded, SeedError> {
    let athlete = user(store, email).await?;
    let coach = user(store, coach).await?;
    let existing = store
        .list_activities(athlete.id, RecordQuery::page(1, 1))
        .await?;
    if !existing.items.is_empty() {
        return Ok(Seeded::default());
    }
    let membership = accounts::home_membership(store, athlete.id)
        .await?
        .ok_or_else(|| SeedError::Missing(email.to_owned()))?;
    let now = clock.now();
    let today = now.date();
    // The figures the zones follow from, as a coach would have set them.
    let figures = |settings: &mut crate::entities::AthleteSettings| {
        let t = &mut settings.training;
        t.max_heart_rate = Some(training::MAX_HEART_RATE);
        t.resting_heart_rate = Some(50);
        t.ftp_watts = (!runner).then_some(training::FTP_WATTS);
        t.threshold_pace_s_per_km = Some(250);
        t.weight_kg = Some(71.5);
        Ok(())
    };
    store
        .update_athlete_settings(athlete.id, &figures, now)
        .await?
        .ok_or_else(|| SeedError::Missing(email.to_owned()))?
        .map_err(|e| StoreError::Other(e.to_string()))?;
    let mut seeded = Seeded::default();
    for workout in training::schedule(today, WEEKS, runner, rng) {
        let bytes = training::recording(&workout, rng);
        let received = imports::received(&bytes)
            .map_err(|_| StoreError::Other("a demo file is too large".into()))?;
        let name = match workout.kind {
            Kind::Ride => "ride",
            Kind::IndoorRide => "trainer",
            Kind::Run => "run",
        };
        let upload = Upload {
            membership: membership.clone(),
            client: None,
            name: Some(format!("{}-{name}.fit", workout.start.date())),
            body: Body::Memory(bytes),
            received,
        };
        if let Imported::New { .. } = imports::import_file(store, files, now, rng, upload).await? {
            seeded.activities += 1;
        }
    }
    seeded.days = health(store, &membership, now, rng).await?;
    seeded.sessions = plan(store, athlete.id, coach.id, now, runner, rng).await?;
    messages(store, clock, athlete.id, coach.id, athlete.first_name()).await?;
    Ok(seeded)
}

/// Sixty days of sleep, steps and resting heart rate, a weighing every third day, and a
/// week of meals logged.
async fn health(
    store: &dyn Store,
    membership: &Membership,
    now: OffsetDateTime,
    rng: &mut impl Rng,
) -> Result<usize, StoreError> {
    let by = Attribution {
        user_id: membership.user_id,
        membership_id: membership.id,
        client: None,
    };
    let today = now.date();
    let mut days = 0;
    for back in (0..60i64).rev() {
        let day = today - Duration::days(back);
        let asleep: f64 = rng.random_range(6.2..8.4) * 3600.0;
        let bedtime = day
            .with_time(Time::from_hms(22, 40, 0).unwrap_or(Time::MIDNIGHT))
            .assume_utc()
            - Duration::days(1)
            + Duration::minutes(rng.random_range(-40..50));
        let in_bed = asleep + rng.random_range(900.0..2400.0);
        let deep = asleep * rng.random_range(0.14..0.22);
        let rem = asleep * rng.random_range(0.18..0.25);
        store
            .upsert_sleep_day(new_record(
                &by,
                now,
                day,
                SleepValues {
                    sleep_start_at: Some(bedtime),
                    sleep_end_at: Some(bedtime + Duration::seconds(in_bed as i64)),
                    sleep_seconds: Some(asleep as i32),
                    time_in_bed_seconds: Some(in_bed as i32),
                    deep_seconds: Some(deep as i32),
                    light_seconds: Some((asleep - deep - rem) as i32),
                    rem_seconds: Some(rem as i32),
                    awake_seconds: Some((in_bed - asleep) as i32),
                    sleep_score: Some(rng.random_range(62..92)),
                },
            ))
            .await?;
        store
            .upsert_wellness_day(new_record(
                &by,
                now,
                day,
                WellnessValues {
                    steps: Some(rng.random_range(6_500..15_000)),
                    water_ml: Some(f64::from(rng.random_range(15..30)) * 100.0),
                    activity_energy_kcal: Some(f64::from(rng.random_range(350..1100))),
                },
            ))
            .await?;
        let morning = day
            .with_time(Time::from_hms(7, 0, 0).unwrap_or(Time::MIDNIGHT))
            .assume_utc();
        // Weight drifts down a little over the two months; resting heart rate with it.
        let progress = (60 - back) as f64 / 60.0;
        let weighed = back % 3 == 0;
        store
            .upsert_body_metric(new_record(
                &by,
                now,
                morning,
                BodyMetricValues {
                    weight_kg: weighed
                        .then(|| 72.6 - 1.3 * progress + rng.random_range(-0.35..0.35)),
                    resting_hr: Some((52.0 - 3.0 * progress + rng.random_range(-2.0..2.0)) as i32),
                    sleep_hours: Some((asleep / 360.0).round() / 10.0),
                    ..BodyMetricValues::default()
                },
            ))
            .await?;
        if back < 7 {
            let meals: [f64; 4] = [
                rng.random_range(380.0..520.0),
                rng.random_range(600.0..800.0),
                rng.random_range(700.0..950.0),
                rng.random_range(150.0..400.0),
            ];
            store
                .upsert_nutrition_day(new_record(
                    &by,
                    now,
                    day,
                    NutritionValues {
                        logged_at: Some(
                            day.with_time(Time::from_hms(21, 0, 0).unwrap_or(Time::MIDNIGHT))
                                .assume_utc(),
                        ),
                        energy_breakfast_kcal: Some(meals[0].round()),
                        energy_lunch_kcal: Some(meals[1].round()),
                        energy_dinner_kcal: Some(meals[2].round()),
                        energy_snack_kcal: Some(meals[3].round()),
                        goal_energy_kcal: Some(2600.0),
                        carb_total_g: Some(rng.random_range(280.0..360.0_f64).round()),
                        protein_total_g: Some(rng.random_range(110.0..150.0_f64).round()),
                        fat_total_g: Some(rng.random_range(65.0..95.0_f64).round()),
                        water_ml: Some(2400.0),
                        ..NutritionValues::default()
                    }
                    .with_total(),
                ))
                .await?;
        }
        days += 1;
    }
    Ok(days)
}

/// A record of the demo's own (no client) with `key` and `values`.
fn new_record<K, V>(by: &Attribution, now: OffsetDateTime, key: K, values: V) -> NewRecord<K, V> {
    NewRecord {
        by: by.clone(),
        key,
        values,
        external_id: None,
        raw_payload: None,
        now,
    }
}

/// A session of the demo's week: its weekday (from Monday), discipline, minutes, kilometres,
/// intensity and the coach's words.
type PlannedDay = (i64, i32, i32, Option<f64>, i32, &'static str);

/// The coach's plan for this week and the next, and a race six weeks out.
async fn plan(
    store: &dyn Store,
    athlete: UserId,
    coach: UserId,
    now: OffsetDateTime,
    runner: bool,
    rng: &mut impl Rng,
) -> Result<usize, StoreError> {
    let today = now.date();
    let monday = today - Duration::days(i64::from(today.weekday().number_days_from_monday()));
    let week: &[PlannedDay] = if runner {
        &[
            (
                1,
                7,
                50,
                Some(10.0),
                4,
                "6 × 800 m at 5 km pace, 2 min jog between",
            ),
            (
                3,
                9,
                45,
                Some(9.0),
                3,
                "20 min at threshold between an easy warm-up and cool-down",
            ),
            (
                6,
                8,
                80,
                Some(16.0),
                2,
                "Long run, easy and steady; last 10 min a little quicker",
            ),
        ]
    } else {
        &[
            (
                1,
                7,
                45,
                Some(9.0),
                4,
                "5 × 3 min hard, 2 min easy; keep the last one honest",
            ),
            (
                2,
                6,
                75,
                Some(30.0),
                2,
                "Endurance ride, zone 2, cadence above 85",
            ),
            (
                3,
                5,
                60,
                None,
                4,
                "Trainer: 4 × 5 min at 105% FTP, 7 min between",
            ),
            (
                5,
                6,
                150,
                Some(65.0),
                2,
                "Long ride with the group; eat every 30 minutes",
            ),
            (
                6,
                8,
                70,
                Some(13.0),
                2,
                "Long run off the bike feeling; easy",
            ),
        ]
    };
    let mut planned = 0;
    for offset in [0, 7] {
        for (weekday, discipline, minutes, km, intensity, text) in week {
            let date = monday + Duration::days(offset + weekday);
            if date < today {
                continue;
            }
            let mut values = SessionValues::on(date);
            values.intensity = Some(*intensity);
            values.plan.discipline_id = *discipline;
            values.plan.brief_description = text.split(';').next().unwrap_or(text).to_owned();
            values.plan.training_plan = (*text).to_owned();
            values.plan.prescribed_minutes.total = Some(*minutes);
            values.plan.prescribed_km.total = *km;
            let token = crate::calendar::new_token(rng);
            store
                .create_session(
                    NewSession {
                        user_id: athlete,
                        planned_by: Some(coach),
                        values,
                        order_given: false,
                        direct_access_token: token,
                        now,
                    },
                    &[],
                )
                .await?;
            planned += 1;
        }
    }
    let mut race = RaceValues::on(today + Duration::weeks(6));
    race.race_name = if runner {
        "Lakeside Half Marathon".into()
    } else {
        "Hill Country Gran Fondo".into()
    };
    race.race_priority = Some(RacePriority::A);
    race.distance = Some(if runner { 21 } else { 120 });
    race.coach_plan = "Taper the last ten days; race at the pace we practise on Sundays.".into();
    store.create_race(athlete, &race, &[], now).await?;
    Ok(planned)
}

/// A short conversation with the coach, its last message unread.
async fn messages(
    store: &dyn Store,
    clock: &dyn Clock,
    athlete: UserId,
    coach: UserId,
    first_name: &str,
) -> Result<(), SeedError> {
    messaging::send(
        store,
        clock,
        coach,
        athlete,
        &format!("Nice work last weekend, {first_name}. This week's plan is in your calendar; keep Tuesday's intervals controlled."),
    )
    .await?;
    messaging::send(
        store,
        clock,
        athlete,
        coach,
        "Thanks! My legs felt heavy on the last interval. Should I move Thursday if they still do?",
    )
    .await?;
    messaging::send(
        store,
        clock,
        coach,
        athlete,
        "Yes: swap Thursday and Friday if you need to, and tell me how the long run goes.",
    )
    .await?;
    Ok(())
}
