//! GOV.UK Notify's REST API (https://docs.notifications.service.gov.uk/rest-api.html):
//! `POST /v2/notifications/email` and `/v2/notifications/sms`, authenticated with a JWT
//! (HS256, `iss` the service id, `iat` now) signed with the secret half of the API key. The
//! council's templates take `((subject))` and `((body))`; the message's idempotency key goes
//! as Notify's `reference`, so the council can find a notification in Notify by it.
use std::time::Duration;

use jsonwebtoken::{EncodingKey, Header, encode};
use serde::Serialize;

use super::{http_client, http_outcome};
use crate::config::DeliverySettings;
use crate::domain::messages::Channel;
use crate::store::outbox::Outcome;

pub struct Notify {
    client: reqwest::Client,
    base: String,
    service_id: String,
    secret: EncodingKey,
    email_template: Option<String>,
    sms_template: Option<String>,
}

/// The service id and secret of a Notify API key: `{key name}-{service id}-{secret}`, the
/// last two UUIDs of 36 characters each.
pub fn split_key(key: &str) -> anyhow::Result<(&str, &str)> {
    let key = key.trim();
    if key.len() < 74 || !key.is_char_boundary(key.len() - 73) {
        anyhow::bail!("EHCP_NOTIFY_API_KEY is not a Notify API key (name-serviceid-secret)");
    }
    let service_id = &key[key.len() - 73..key.len() - 37];
    let secret = &key[key.len() - 36..];
    let uuid = |s: &str| s.len() == 36 && s.chars().filter(|c| *c == '-').count() == 4;
    if !uuid(service_id) || !uuid(secret) || &key[key.len() - 37..key.len() - 36] != "-" {
        anyhow::bail!("EHCP_NOTIFY_API_KEY is not a Notify API key (name-serviceid-secret)");
    }
    Ok((service_id, secret))
}

#[derive(Serialize)]
struct Claims<'a> {
    iss: &'a str,
    iat: i64,
}

impl Notify {
    pub fn new(key: &str, settings: &DeliverySettings, timeout: Duration) -> anyhow::Result<Self> {
        let (service_id, secret) = split_key(key)?;
        Ok(Notify {
            client: http_client(timeout)?,
            base: settings.notify_base_url.trim_end_matches('/').to_owned(),
            service_id: service_id.to_owned(),
            secret: EncodingKey::from_secret(secret.as_bytes()),
            email_template: settings.notify_email_template.clone(),
            sms_template: settings.notify_sms_template.clone(),
        })
    }

    /// Whether a template is configured for `channel`.
    pub fn sends(&self, channel: Channel) -> bool {
        match channel {
            Channel::Email => self.email_template.is_some(),
            Channel::Sms => self.sms_template.is_some(),
            _ => false,
        }
    }

    fn token(&self) -> Result<String, jsonwebtoken::errors::Error> {
        let claims = Claims {
            iss: &self.service_id,
            iat: chrono::Utc::now().timestamp(),
        };
        encode(&Header::default(), &claims, &self.secret)
    }

    pub async fn send(
        &self,
        channel: Channel,
        to: &str,
        subject: &str,
        body: &str,
        reference: &str,
    ) -> Outcome {
        let (path, template, address_field) = match channel {
            Channel::Email => ("email", &self.email_template, "email_address"),
            Channel::Sms => ("sms", &self.sms_template, "phone_number"),
            _ => unreachable!("Notify sends email and text messages"),
        };
        let Some(template) = template else {
            return Outcome::Failed {
                error: format!("no Notify template is configured for {path}"),
                permanent: false,
            };
        };
        let token = match self.token() {
            Ok(t) => t,
            Err(e) => {
                return Outcome::Failed {
                    error: format!("cannot sign the Notify token: {e}"),
                    permanent: false,
                };
            }
        };
        let payload = serde_json::json!({
            address_field: to,
            "template_id": template,
            "personalisation": {"subject": subject, "body": body},
            "reference": reference,
        });
        let response = self
            .client
            .post(format!("{}/v2/notifications/{path}", self.base))
            .bearer_auth(token)
            .json(&payload)
            .send()
            .await;
        match response {
            Ok(r) => {
                let status = r.status();
                let text = r.text().await.unwrap_or_default();
                let id = serde_json::from_str::<serde_json::Value>(&text)
                    .ok()
                    .and_then(|v| v.get("id").and_then(|i| i.as_str()).map(str::to_owned));
                http_outcome(status, &text, id, true)
            }
            Err(e) => Outcome::Failed {
                error: format!("Notify: {e}"),
                permanent: false,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::split_key;

    #[test]
    fn a_notify_key_splits_into_its_service_id_and_secret() {
        let key =
            "my_test_key-26785a09-ab16-4eb0-8407-a37497a57506-3d844edf-8d35-48ac-975b-e847b4f122b0";
        let (service, secret) = split_key(key).unwrap();
        assert_eq!(service, "26785a09-ab16-4eb0-8407-a37497a57506");
        assert_eq!(secret, "3d844edf-8d35-48ac-975b-e847b4f122b0");
        assert!(split_key("short").is_err());
        assert!(split_key(&key.replace('-', "_")).is_err());
    }
}
