//! Sending e-mail: the boundary the domain's messages go out through. The server sends over
//! SMTP when an operator configures it; without it nothing is sent and the pages show the
//! links instead.

use crate::email::Email;
use async_trait::async_trait;

/// A plain-text message to one person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    /// The recipient.
    pub to: Email,
    /// The subject line.
    pub subject: String,
    /// The body, plain text.
    pub text: String,
}

/// Why a message was not sent.
#[derive(Debug, thiserror::Error)]
#[error("e-mail not sent: {0}")]
pub struct MailError(pub String);

/// Sends messages.
#[async_trait]
pub trait Mailer: Send + Sync {
    /// Sends `mail`, answering once the server took it.
    async fn send(&self, mail: Mail) -> Result<(), MailError>;
}
