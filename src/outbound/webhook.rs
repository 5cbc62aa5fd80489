//! Webhooks for the council's other systems, signed per the Standard Webhooks specification
//! (`standardwebhooks`): `webhook-id` is the message's idempotency key (the same on every
//! retry, so a subscriber drops a duplicate), `webhook-timestamp` the attempt's time and
//! `webhook-signature` the HMAC-SHA256 of `id.timestamp.body` with the subscriber's secret.
use std::time::Duration;

use sea_orm::{DatabaseConnection, EntityTrait};
use standardwebhooks::{
    HEADER_WEBHOOK_ID, HEADER_WEBHOOK_SIGNATURE, HEADER_WEBHOOK_TIMESTAMP, Webhook,
};

use super::{http_client, http_outcome};
use crate::store::entity::{message, webhook_subscription};
use crate::store::outbox::Outcome;

pub struct Webhooks {
    client: reqwest::Client,
}

/// A new subscriber's secret: `whsec_` and 32 random bytes in base64.
pub fn new_secret() -> String {
    use base64::Engine;
    let bytes: [u8; 32] = rand::random();
    format!(
        "whsec_{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    )
}

impl Webhooks {
    pub fn new(timeout: Duration) -> anyhow::Result<Self> {
        Ok(Webhooks {
            client: http_client(timeout)?,
        })
    }

    pub async fn send(&self, db: &DatabaseConnection, msg: &message::Model) -> Outcome {
        // The secret is read at delivery: a rotated secret signs what is still queued.
        let subscription = match webhook_subscription::Entity::find_by_id(msg.recipient_id)
            .one(db)
            .await
        {
            Ok(Some(s)) => s,
            Ok(None) => {
                return Outcome::Failed {
                    error: "the webhook subscription was removed".into(),
                    permanent: true,
                };
            }
            Err(e) => {
                return Outcome::Failed {
                    error: format!("cannot read the subscription: {e}"),
                    permanent: false,
                };
            }
        };
        if !subscription.active {
            return Outcome::Failed {
                error: "the webhook subscription is paused".into(),
                permanent: true,
            };
        }
        let signer = match Webhook::new(&subscription.secret) {
            Ok(s) => s,
            Err(e) => {
                return Outcome::Failed {
                    error: format!("the subscription's secret is not valid: {e}"),
                    permanent: true,
                };
            }
        };
        let timestamp = chrono::Utc::now().timestamp();
        let signature = match signer.sign(&msg.idempotency_key, timestamp, msg.body.as_bytes()) {
            Ok(s) => s,
            Err(e) => {
                return Outcome::Failed {
                    error: format!("cannot sign: {e}"),
                    permanent: true,
                };
            }
        };
        let response = self
            .client
            .post(&subscription.url)
            .header(HEADER_WEBHOOK_ID, &msg.idempotency_key)
            .header(HEADER_WEBHOOK_TIMESTAMP, timestamp.to_string())
            .header(HEADER_WEBHOOK_SIGNATURE, signature)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(msg.body.clone())
            .send()
            .await;
        match response {
            Ok(r) => {
                let status = r.status();
                let text = r.text().await.unwrap_or_default();
                http_outcome(status, &text, None, false)
            }
            Err(e) => Outcome::Failed {
                error: format!("webhook: {e}"),
                permanent: false,
            },
        }
    }
}
