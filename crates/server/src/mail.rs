//! E-mail: the messages the pages send (an invitation, a password reset link) and the SMTP
//! [`Mailer`] that sends them, over lettre. STARTTLS (port 587), implicit TLS (465) or, for
//! a relay on the same host, plain SMTP.

use async_trait::async_trait;
use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use paceline_domain::email::Email;
use paceline_domain::entities::{Organization, User};
use paceline_domain::mail::{Mail, MailError, Mailer};

/// How the SMTP connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// STARTTLS, required (usually port 587).
    StartTls,
    /// TLS from the first byte (usually port 465).
    Tls,
    /// None: only for a relay on the same machine or network.
    Plain,
}

/// Where and how to send e-mail.
#[derive(Debug, Clone)]
pub struct SmtpSettings {
    /// The server's host name.
    pub host: String,
    /// Its port.
    pub port: u16,
    /// How the connection is secured.
    pub security: SmtpSecurity,
    /// The login, if the server wants one.
    pub username: Option<String>,
    /// Its password.
    pub password: Option<String>,
    /// The sender, as `Name <address>` or an address.
    pub from: String,
}

/// Sends over SMTP.
pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl SmtpMailer {
    /// A mailer for `settings`; refuses a sender that is not an address.
    pub fn new(settings: &SmtpSettings) -> Result<Self, MailError> {
        let from: Mailbox = settings
            .from
            .parse()
            .map_err(|e| MailError(format!("the sender `{}`: {e}", settings.from)))?;
        let builder = match settings.security {
            SmtpSecurity::StartTls => {
                AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&settings.host)
            }
            SmtpSecurity::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&settings.host),
            SmtpSecurity::Plain => Ok(AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(
                &settings.host,
            )),
        }
        .map_err(|e| MailError(e.to_string()))?;
        let mut builder = builder.port(settings.port);
        if let (Some(user), Some(password)) = (&settings.username, &settings.password) {
            builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
        }
        Ok(Self {
            transport: builder.build(),
            from,
        })
    }
}

#[async_trait]
impl Mailer for SmtpMailer {
    async fn send(&self, mail: Mail) -> Result<(), MailError> {
        let to: Mailbox = mail
            .to
            .as_str()
            .parse()
            .map_err(|e| MailError(format!("the recipient: {e}")))?;
        // lettre picks the transfer encoding: quoted-printable when a line (a link) is long.
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(mail.subject)
            .header(ContentType::TEXT_PLAIN)
            .body(mail.text)
            .map_err(|e| MailError(e.to_string()))?;
        self.transport
            .send(message)
            .await
            .map(drop)
            .map_err(|e| MailError(e.to_string()))
    }
}

/// The message inviting `to` into `organization` as `role`, by `owner`.
pub(crate) fn invitation(
    owner: &User,
    organization: &Organization,
    role: &str,
    link: &str,
    to: &Email,
) -> Mail {
    Mail {
        to: to.clone(),
        subject: format!(
            "{} invites you to {} on Paceline",
            owner.name, organization.name
        ),
        text: format!(
            "Hello,\n\n{} invites you to join {} on Paceline as {}.\n\nOpen this link to choose \
             your name and password (it works once, for seven days):\n\n{link}\n\nIf you did not \
             expect this, ignore this message: nothing happens until the link is opened.\n",
            owner.name,
            organization.name,
            role.to_lowercase(),
        ),
    }
}

/// The message carrying a password reset link.
pub(crate) fn reset(to: &Email, link: &str) -> Mail {
    Mail {
        to: to.clone(),
        subject: "Choose a new Paceline password".to_owned(),
        text: format!(
            "Hello,\n\nSomeone asked to reset the password of your Paceline account. Open this \
             link to choose a new one (it works once, for an hour):\n\n{link}\n\nIf it was not \
             you, ignore this message: your password stays as it is.\n"
        ),
    }
}
