//! The OAuth 2.0 endpoints: RFC 6749 forms in, JSON out, one file per endpoint. The rules
//! live in `paceline_domain::oauth`; this module maps them to HTTP.

pub(crate) mod authorize;
pub(crate) mod client_auth;
pub(crate) mod csrf;
pub(crate) mod form;
pub(crate) mod login;
pub(crate) mod metadata;
pub(crate) mod response;
pub(crate) mod revoke;
pub(crate) mod token;

use rand::SeedableRng;
use rand::rngs::StdRng;

/// A generator seeded from the operating system, for one request.
pub(crate) fn request_rng() -> StdRng {
    StdRng::from_os_rng()
}
