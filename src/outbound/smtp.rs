//! Email over SMTP with `lettre`: one pooled connection set per worker, the message's
//! idempotency key as its `Message-ID`, so a message sent twice after a crash is recognisably
//! the same message to the receiving side.
use std::time::Duration;

use lettre::message::{Mailbox, header::ContentType};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

use crate::store::outbox::Outcome;

pub struct Smtp {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

/// The `Message-ID` for an idempotency key: the key, made a valid id-left.
pub fn message_id(key: &str) -> String {
    let left: String = key
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '.'
            }
        })
        .collect();
    format!("<{left}@ehcp.invalid>")
}

impl Smtp {
    /// `connections`: as many as the worker sends at once (lettre's pool keeps them open).
    pub fn new(url: &str, from: &str, timeout: Duration, connections: u32) -> anyhow::Result<Self> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| anyhow::anyhow!("EHCP_SMTP_URL: {e}"))?
            .timeout(Some(timeout))
            .pool_config(lettre::transport::smtp::PoolConfig::new().max_size(connections.max(1)))
            .build();
        let from = from
            .parse()
            .map_err(|e| anyhow::anyhow!("EHCP_MAIL_FROM {from:?}: {e}"))?;
        Ok(Smtp { transport, from })
    }

    pub async fn send(&self, to: &str, subject: &str, body: &str, key: &str) -> Outcome {
        let to: Mailbox = match to.parse() {
            Ok(to) => to,
            Err(e) => {
                return Outcome::Failed {
                    error: format!("not an email address {to:?}: {e}"),
                    permanent: true,
                };
            }
        };
        let email = lettre::Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .message_id(Some(message_id(key)))
            .header(ContentType::TEXT_PLAIN)
            .body(body.to_owned());
        let email = match email {
            Ok(email) => email,
            Err(e) => {
                return Outcome::Failed {
                    error: format!("cannot build the email: {e}"),
                    permanent: true,
                };
            }
        };
        match self.transport.send(email).await {
            Ok(response) => Outcome::Sent(Some(response.message().collect::<Vec<_>>().join(" "))),
            Err(e) => Outcome::Failed {
                error: format!("SMTP: {e}"),
                permanent: e.is_permanent(),
            },
        }
    }
}
