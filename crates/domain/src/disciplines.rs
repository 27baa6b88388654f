//! The training disciplines of the Xhale surface: what a training session is, by id, with
//! its title and category (the `discipline_options` of the current user).

/// One discipline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Discipline {
    /// Its id, as sessions refer to it.
    pub id: i32,
    /// Its title.
    pub title: &'static str,
    /// Its category: `swim`, `bike`, `run`, `brick`, `gym`, `rest`, `other` or `diary`.
    pub category: &'static str,
}

/// Every discipline, in the Xhale spec's order (there is no id 16).
pub const DISCIPLINES: [Discipline; 16] = [
    Discipline {
        id: 1,
        title: "Swim Tech",
        category: "swim",
    },
    Discipline {
        id: 2,
        title: "Swim Intervals",
        category: "swim",
    },
    Discipline {
        id: 3,
        title: "Swim Endurance",
        category: "swim",
    },
    Discipline {
        id: 4,
        title: "Bike Intervals",
        category: "bike",
    },
    Discipline {
        id: 5,
        title: "Turbo Intervals",
        category: "bike",
    },
    Discipline {
        id: 6,
        title: "Bike Endurance",
        category: "bike",
    },
    Discipline {
        id: 7,
        title: "Run Intervals",
        category: "run",
    },
    Discipline {
        id: 8,
        title: "Run Endurance",
        category: "run",
    },
    Discipline {
        id: 9,
        title: "Run Tempo",
        category: "run",
    },
    Discipline {
        id: 10,
        title: "Brick Intervals",
        category: "brick",
    },
    Discipline {
        id: 11,
        title: "Brick Endurance",
        category: "brick",
    },
    Discipline {
        id: 12,
        title: "Gym Core/Specifics",
        category: "gym",
    },
    Discipline {
        id: 13,
        title: "Gym Lifting",
        category: "gym",
    },
    Discipline {
        id: 14,
        title: "Rest day",
        category: "rest",
    },
    Discipline {
        id: 15,
        title: "Other",
        category: "other",
    },
    Discipline {
        id: 17,
        title: "Diary",
        category: "diary",
    },
];

/// The discipline of an id.
pub fn discipline(id: i32) -> Option<Discipline> {
    DISCIPLINES.iter().copied().find(|d| d.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_16_is_missing() {
        let mut ids: Vec<i32> = DISCIPLINES.iter().map(|d| d.id).collect();
        ids.dedup();
        assert_eq!(ids.len(), 16);
        assert_eq!(discipline(16), None);
        assert_eq!(discipline(17).map(|d| d.category), Some("diary"));
    }
}
