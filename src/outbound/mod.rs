//! Delivering the outbox: the transports (SMTP, GOV.UK Notify, Standard Webhooks), the
//! worker that claims and sends messages, and the scheduled jobs that write reminders and
//! digests. `store::outbox` holds the queue; this module only sends what is in it.
pub mod notify;
pub mod schedule;
pub mod smtp;
pub mod webhook;
pub mod worker;

use std::time::Duration;

use crate::config::DeliverySettings;
use crate::domain::messages::Channel;
use crate::store::entity::message;
use crate::store::outbox::Outcome;

/// The transports this process is configured with.
pub struct Transports {
    smtp: Option<smtp::Smtp>,
    notify: Option<notify::Notify>,
    webhooks: webhook::Webhooks,
    email_via_notify: bool,
    portal_url: Option<String>,
}

impl Transports {
    pub fn new(settings: &DeliverySettings) -> anyhow::Result<Self> {
        let smtp = settings
            .smtp_url
            .as_deref()
            .map(|url| {
                smtp::Smtp::new(
                    url,
                    &settings.mail_from,
                    settings.timeout,
                    u32::try_from(settings.concurrency).unwrap_or(u32::MAX),
                )
            })
            .transpose()?;
        let notify = settings
            .notify_api_key
            .as_deref()
            .map(|key| notify::Notify::new(key, settings, settings.timeout))
            .transpose()?;
        let email_via_notify = smtp.is_none()
            && notify
                .as_ref()
                .is_some_and(|n: &notify::Notify| n.sends(Channel::Email));
        Ok(Transports {
            smtp,
            notify,
            webhooks: webhook::Webhooks::new(settings.timeout)?,
            email_via_notify,
            portal_url: settings.portal_url.clone(),
        })
    }

    /// The channels a worker here can deliver (others wait for a worker that can).
    pub fn channels(&self) -> Vec<Channel> {
        let mut out = vec![Channel::Webhook];
        if self.smtp.is_some() || self.email_via_notify {
            out.push(Channel::Email);
        }
        if self.notify.as_ref().is_some_and(|n| n.sends(Channel::Sms)) {
            out.push(Channel::Sms);
        }
        out
    }

    /// The body as sent: the message's words and the portal's address.
    fn body(&self, msg: &message::Model) -> String {
        match &self.portal_url {
            Some(url) => format!(
                "{}\n\nSee where things stand, and every message we have sent you: {url}",
                msg.body
            ),
            None => msg.body.clone(),
        }
    }

    /// One attempt at delivering `msg`.
    pub async fn deliver(&self, db: &sea_orm::DatabaseConnection, msg: &message::Model) -> Outcome {
        let Some(address) = msg.address.as_deref() else {
            return permanent("the message has no address");
        };
        match Channel::parse(&msg.channel) {
            Ok(Channel::Email) => {
                if let Some(smtp) = &self.smtp {
                    smtp.send(address, &msg.subject, &self.body(msg), &msg.idempotency_key)
                        .await
                } else if let Some(notify) = self.notify.as_ref().filter(|_| self.email_via_notify)
                {
                    notify
                        .send(
                            Channel::Email,
                            address,
                            &msg.subject,
                            &self.body(msg),
                            &msg.idempotency_key,
                        )
                        .await
                } else {
                    retry("no email transport is configured on this worker")
                }
            }
            Ok(Channel::Sms) => match &self.notify {
                Some(notify) => {
                    notify
                        .send(
                            Channel::Sms,
                            address,
                            &msg.subject,
                            &self.body(msg),
                            &msg.idempotency_key,
                        )
                        .await
                }
                None => retry("no GOV.UK Notify key is configured on this worker"),
            },
            Ok(Channel::Webhook) => self.webhooks.send(db, msg).await,
            Ok(Channel::Portal) => Outcome::Sent(None),
            Err(_) => permanent(&format!("unknown channel {}", msg.channel)),
        }
    }
}

fn permanent(error: &str) -> Outcome {
    Outcome::Failed {
        error: error.to_owned(),
        permanent: true,
    }
}

fn retry(error: &str) -> Outcome {
    Outcome::Failed {
        error: error.to_owned(),
        permanent: false,
    }
}

/// An HTTP client for one transport: a timeout, no redirects followed (a subscriber's
/// redirect is not a delivery).
fn http_client(timeout: Duration) -> anyhow::Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("ehcp/", env!("CARGO_PKG_VERSION")))
        .build()?)
}

/// What an HTTP answer means for the message: 2xx delivered; 408, 429 and 5xx retried; any
/// other refusal permanent when `refusals_final` (an API refusing the request as made), else
/// retried too (a subscriber's system may be misconfigured for a while), except 410 Gone.
fn http_outcome(
    status: reqwest::StatusCode,
    body: &str,
    reference: Option<String>,
    refusals_final: bool,
) -> Outcome {
    if status.is_success() {
        return Outcome::Sent(reference);
    }
    let transient = status.is_server_error()
        || status == reqwest::StatusCode::TOO_MANY_REQUESTS
        || status == reqwest::StatusCode::REQUEST_TIMEOUT;
    let snippet: String = body.chars().take(500).collect();
    Outcome::Failed {
        error: format!("HTTP {status}: {snippet}"),
        permanent: !transient && (refusals_final || status == reqwest::StatusCode::GONE),
    }
}
