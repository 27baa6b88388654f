//! The pages' browser, shared with the other crates' suites.

pub use paceline_testkit::browser::{Browser, Page};
