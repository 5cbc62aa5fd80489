//! Settings, from the environment and matching command-line flags. Secrets never reach logs
//! or `Debug` output.
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, bail};
use clap::{Args, ValueEnum};

use crate::api::token::{KeySource, Secret, TokenConfig};

/// The embedded default: a SQLite file in the working directory, created when absent.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://ehcp.db?mode=rwc";

#[derive(Args, Clone)]
pub struct Settings {
    /// Database URL: `sqlite://PATH?mode=rwc` (the embedded default) or `postgres://...`.
    #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL, global = true)]
    pub database_url: String,

    /// Shared secret for HS256 access tokens (at least 32 bytes). When unset on a SQLite
    /// database, a development secret is generated once and kept beside the database file.
    #[arg(long, env = "EHCP_JWT_SECRET", hide_env_values = true, global = true)]
    pub jwt_secret: Option<String>,

    /// Expected `iss` claim.
    #[arg(long, env = "EHCP_JWT_ISSUER", default_value = "ehcp", global = true)]
    pub jwt_issuer: String,

    /// Expected `aud` claim.
    #[arg(long, env = "EHCP_JWT_AUDIENCE", default_value = "ehcp", global = true)]
    pub jwt_audience: String,

    /// An external identity provider's JSON Web Key Set (file path or http(s) URL) for
    /// RS256/ES256 tokens. Replaces the HS256 secret.
    #[arg(long, env = "EHCP_JWKS", global = true)]
    pub jwks: Option<String>,

    /// Log format.
    #[arg(long, env = "EHCP_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text, global = true)]
    pub log_format: LogFormat,

    /// England-and-Wales bank holidays in GOV.UK's `bank-holidays.json` format, replacing the
    /// list shipped in the binary (`data/bank-holidays.json`): download a newer one from
    /// https://www.gov.uk/bank-holidays.json when a new year or a one-off holiday is announced.
    #[arg(long, env = "EHCP_BANK_HOLIDAYS_FILE", global = true)]
    pub bank_holidays_file: Option<std::path::PathBuf>,
}

impl Settings {
    /// Installs the bank holidays file, if one is named; a file that does not read or parse
    /// stops the start with the reason (the shipped list is never silently kept instead).
    pub fn install_bank_holidays(&self) -> anyhow::Result<()> {
        let Some(path) = &self.bank_holidays_file else {
            return Ok(());
        };
        let json = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read EHCP_BANK_HOLIDAYS_FILE {}", path.display()))?;
        crate::domain::holidays::install(&json)
            .map_err(|e| anyhow::anyhow!("EHCP_BANK_HOLIDAYS_FILE {}: {e}", path.display()))
    }
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("database_url", &redact_url(&self.database_url))
            .field("jwt_secret", &self.jwt_secret.as_ref().map(|_| "***"))
            .field("jwt_issuer", &self.jwt_issuer)
            .field("jwt_audience", &self.jwt_audience)
            .field("jwks", &self.jwks)
            .field("log_format", &self.log_format)
            .field("bank_holidays_file", &self.bank_holidays_file)
            .finish()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

/// HTTP server settings for `ehcp serve`.
#[derive(Args, Clone, Debug)]
pub struct ServeSettings {
    /// Address to listen on.
    #[arg(long, env = "EHCP_BIND", default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,

    /// Serve GraphiQL at `GET /graphql` (turn off in production).
    #[arg(long, env = "EHCP_GRAPHIQL", default_value_t = true, action = clap::ArgAction::Set)]
    pub graphiql: bool,

    /// Answer introspection queries (turn off in production).
    #[arg(long, env = "EHCP_INTROSPECTION", default_value_t = true, action = clap::ArgAction::Set)]
    pub introspection: bool,

    /// Browser origins allowed to call the API (CORS), comma-separated, e.g.
    /// `https://send.example.gov.uk,https://portal.example.gov.uk`. None by default.
    #[arg(long, env = "EHCP_CORS_ORIGINS", value_delimiter = ',', value_parser = parse_origin)]
    pub cors_origins: Vec<String>,

    /// How long browsers may cache a CORS preflight answer.
    #[arg(long, env = "EHCP_CORS_MAX_AGE", default_value = "10m", value_parser = humantime::parse_duration)]
    pub cors_max_age: Duration,

    /// Serve Prometheus metrics at `GET /metrics` on the main address.
    #[arg(
        long,
        env = "EHCP_METRICS",
        default_value_t = false,
        num_args = 0..=1,
        default_missing_value = "true",
        action = clap::ArgAction::Set,
        value_parser = clap::builder::BoolishValueParser::new()
    )]
    pub metrics: bool,

    /// Serve `GET /metrics` (only) on this separate address, e.g. one reachable only from the
    /// monitoring network.
    #[arg(long, env = "EHCP_METRICS_BIND")]
    pub metrics_bind: Option<SocketAddr>,

    /// Requests slower than this many milliseconds are logged at warn.
    #[arg(long, env = "EHCP_SLOW_REQUEST_MS", default_value_t = 1000)]
    pub slow_request_ms: u64,

    /// On SIGTERM or Ctrl-C, how long requests in flight may take to finish before the server
    /// closes anyway.
    #[arg(long, env = "EHCP_SHUTDOWN_TIMEOUT", default_value = "20s", value_parser = humantime::parse_duration)]
    pub shutdown_timeout: Duration,

    /// Run the delivery worker (messages, reminders, digests) inside the server. Turn off
    /// where workers run apart (`ehcp deliver`).
    #[arg(long, env = "EHCP_DELIVERY", default_value_t = true, action = clap::ArgAction::Set)]
    pub delivery: bool,

    #[command(flatten)]
    pub deliver: DeliverySettings,
}

/// How messages are delivered: the transports, the worker's pace and the retry policy.
#[derive(Args, Clone)]
pub struct DeliverySettings {
    /// SMTP server for email: `smtp://host:port` (plain), `smtp://host:587?tls=required`
    /// (STARTTLS) or `smtps://user:password@host` (TLS).
    #[arg(long, env = "EHCP_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,

    /// The `From` of emails sent over SMTP.
    #[arg(
        long,
        env = "EHCP_MAIL_FROM",
        default_value = "SEND team <send@localhost>"
    )]
    pub mail_from: String,

    /// GOV.UK Notify API key (`name-serviceid-secret`): email and text messages through
    /// Notify. Email goes through Notify when this is set and `EHCP_SMTP_URL` is not.
    #[arg(long, env = "EHCP_NOTIFY_API_KEY", hide_env_values = true)]
    pub notify_api_key: Option<String>,

    /// Notify's API address (a stand-in's, in tests).
    #[arg(
        long,
        env = "EHCP_NOTIFY_BASE_URL",
        default_value = "https://api.notifications.service.gov.uk"
    )]
    pub notify_base_url: String,

    /// The Notify email template: its subject `((subject))`, its body `((body))`.
    #[arg(long, env = "EHCP_NOTIFY_EMAIL_TEMPLATE")]
    pub notify_email_template: Option<String>,

    /// The Notify text message template, with `((body))`.
    #[arg(long, env = "EHCP_NOTIFY_SMS_TEMPLATE")]
    pub notify_sms_template: Option<String>,

    /// The family portal's address, added to every message to a family or professional.
    #[arg(long, env = "EHCP_PORTAL_URL")]
    pub portal_url: Option<String>,

    /// How often an idle worker looks for messages.
    #[arg(long, env = "EHCP_DELIVERY_POLL", default_value = "1s", value_parser = humantime::parse_duration)]
    pub poll: Duration,

    /// How many messages a worker claims at once.
    #[arg(long, env = "EHCP_DELIVERY_BATCH", default_value_t = 100)]
    pub batch: u64,

    /// How many deliveries a worker runs at once.
    #[arg(long, env = "EHCP_DELIVERY_CONCURRENCY", default_value_t = 8)]
    pub concurrency: usize,

    /// How long a claim lasts: a worker that dies holding messages releases them after this.
    /// It must outlast a batch at its slowest (twice ceil(batch / concurrency) × timeout),
    /// or a slow provider's batch would be taken over and sent twice.
    #[arg(long, env = "EHCP_DELIVERY_LEASE", default_value = "10m", value_parser = humantime::parse_duration)]
    pub lease: Duration,

    /// The first retry's delay; each further one doubles, up to 6 hours.
    #[arg(long, env = "EHCP_RETRY_BASE", default_value = "30s", value_parser = humantime::parse_duration)]
    pub retry_base: Duration,

    /// Attempts before a message becomes a dead letter.
    #[arg(long, env = "EHCP_RETRY_MAX_ATTEMPTS", default_value_t = 10)]
    pub retry_max_attempts: i32,

    /// The hour (England's time, 0-23) the caseworkers' daily and managers' Monday digests go.
    #[arg(long, env = "EHCP_DIGEST_HOUR", default_value_t = 7)]
    pub digest_hour: u32,

    /// How long to wait for an SMTP server, Notify or a webhook subscriber.
    #[arg(long, env = "EHCP_DELIVERY_TIMEOUT", default_value = "20s", value_parser = humantime::parse_duration)]
    pub timeout: Duration,
}

/// Without the SMTP URL (it may hold a password) or the Notify key.
impl std::fmt::Debug for DeliverySettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeliverySettings")
            .field("smtp", &self.smtp_url.as_ref().map(|_| "(set)"))
            .field("mail_from", &self.mail_from)
            .field("notify", &self.notify_api_key.as_ref().map(|_| "(set)"))
            .field("notify_base_url", &self.notify_base_url)
            .field("portal_url", &self.portal_url)
            .field("poll", &self.poll)
            .field("batch", &self.batch)
            .field("concurrency", &self.concurrency)
            .field("lease", &self.lease)
            .finish_non_exhaustive()
    }
}

impl Default for DeliverySettings {
    fn default() -> Self {
        Self {
            smtp_url: None,
            mail_from: "SEND team <send@localhost>".into(),
            notify_api_key: None,
            notify_base_url: "https://api.notifications.service.gov.uk".into(),
            notify_email_template: None,
            notify_sms_template: None,
            portal_url: None,
            poll: Duration::from_secs(1),
            batch: 100,
            concurrency: 8,
            lease: Duration::from_secs(600),
            retry_base: Duration::from_secs(30),
            retry_max_attempts: 10,
            digest_hour: 7,
            timeout: Duration::from_secs(20),
        }
    }
}

impl Default for ServeSettings {
    fn default() -> Self {
        Self {
            bind: ([127, 0, 0, 1], 8080).into(),
            graphiql: true,
            introspection: true,
            cors_origins: Vec::new(),
            cors_max_age: Duration::from_secs(600),
            metrics: false,
            metrics_bind: None,
            slow_request_ms: 1000,
            shutdown_timeout: Duration::from_secs(20),
            delivery: true,
            deliver: DeliverySettings::default(),
        }
    }
}

/// An origin as browsers send it: `scheme://host[:port]`, no path, no trailing slash.
fn parse_origin(value: &str) -> Result<String, String> {
    let value = value.trim();
    let url = url::Url::parse(value).map_err(|e| format!("{value:?} is not an origin: {e}"))?;
    let origin = url.origin();
    if !origin.is_tuple() || !matches!(url.scheme(), "http" | "https") {
        return Err(format!("{value:?} is not an http(s) origin"));
    }
    let serialized = origin.ascii_serialization();
    if serialized != value.trim_end_matches('/') {
        return Err(format!(
            "{value:?} is not an origin: give scheme://host[:port] only, e.g. {serialized}"
        ));
    }
    Ok(serialized)
}

impl Settings {
    /// Settings for the given database with every other value at its default.
    pub fn for_database(database_url: impl Into<String>) -> Self {
        Self {
            database_url: database_url.into(),
            jwt_secret: None,
            jwt_issuer: "ehcp".into(),
            jwt_audience: "ehcp".into(),
            jwks: None,
            log_format: LogFormat::Text,
            bank_holidays_file: None,
        }
    }

    pub fn is_sqlite(&self) -> bool {
        self.database_url.starts_with("sqlite:")
    }

    /// The SQLite database file, when the database is a SQLite file.
    pub fn sqlite_path(&self) -> Option<PathBuf> {
        let rest = self.database_url.strip_prefix("sqlite:")?;
        let rest = rest.trim_start_matches("//");
        let path = rest.split('?').next().unwrap_or_default();
        (!path.is_empty() && !path.starts_with(":memory:")).then(|| PathBuf::from(path))
    }

    /// The token configuration that `serve` and `token` share. On the embedded SQLite
    /// default without a configured secret, a development secret is created beside the
    /// database so that tokens survive restarts.
    pub fn token_config(&self) -> anyhow::Result<TokenConfig> {
        let keys = match (&self.jwt_secret, &self.jwks) {
            (Some(_), Some(_)) => bail!("set either EHCP_JWT_SECRET or EHCP_JWKS, not both"),
            (Some(secret), None) => KeySource::Hs256 {
                secret: Secret::new(secret.as_bytes().to_vec())
                    .context("EHCP_JWT_SECRET must be at least 32 bytes")?,
            },
            (None, Some(location)) => KeySource::Jwks {
                location: location.clone(),
            },
            (None, None) => {
                let Some(db_path) = self.sqlite_path() else {
                    bail!(
                        "no token key configured: set EHCP_JWT_SECRET (HS256, at least 32 bytes) \
                         or EHCP_JWKS (an identity provider's key set)"
                    );
                };
                KeySource::Hs256 {
                    secret: development_secret(&db_path)?,
                }
            }
        };
        Ok(TokenConfig::new(
            keys,
            self.jwt_issuer.clone(),
            self.jwt_audience.clone(),
        ))
    }
}

/// Reads, or creates once, the development signing secret kept beside the SQLite file.
fn development_secret(db_path: &std::path::Path) -> anyhow::Result<Secret> {
    let mut file_name = db_path
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_else(|| "ehcp.db".into());
    file_name.push(".jwt-secret");
    let path = db_path.with_file_name(file_name);
    let existed = path.exists();
    let secret = Secret::load_or_generate_file(&path)
        .with_context(|| format!("cannot read or create {}", path.display()))?;
    if !existed {
        tracing::warn!(
            path = %path.display(),
            "EHCP_JWT_SECRET is not set: generated a development signing secret beside the \
             database. This is a development setup; in production set EHCP_JWT_SECRET or EHCP_JWKS."
        );
    }
    Ok(secret)
}

/// The URL with any password replaced, for logs.
pub fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_never_shows_the_secret_or_database_password() {
        let mut settings = Settings::for_database("postgres://app:hunter2@db/ehcp");
        settings.jwt_secret = Some("a-very-long-secret-value-of-at-least-32-bytes".into());
        let shown = format!("{settings:?}");
        assert!(!shown.contains("a-very-long-secret"), "{shown}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("***"));
    }

    #[test]
    fn cors_origins_are_checked_and_normalised() {
        assert_eq!(
            parse_origin("https://send.example.gov.uk/"),
            Ok("https://send.example.gov.uk".into())
        );
        assert_eq!(
            parse_origin(" http://localhost:5173"),
            Ok("http://localhost:5173".into())
        );
        assert!(parse_origin("https://example.gov.uk/app").is_err());
        assert!(parse_origin("*").is_err());
        assert!(parse_origin("example.gov.uk").is_err());
        assert!(parse_origin("file:///tmp").is_err());
    }

    #[test]
    fn serve_settings_read_the_environment_names_and_defaults() {
        use clap::Parser;
        #[derive(Parser)]
        struct Cli {
            #[command(flatten)]
            serve: ServeSettings,
        }
        let cli = Cli::parse_from([
            "ehcp",
            "--cors-origins",
            "https://a.example,https://b.example",
            "--metrics",
            "--slow-request-ms",
            "250",
        ]);
        assert_eq!(
            cli.serve.cors_origins,
            vec!["https://a.example".to_string(), "https://b.example".into()]
        );
        assert!(cli.serve.metrics);
        assert_eq!(cli.serve.slow_request_ms, 250);
        assert_eq!(cli.serve.shutdown_timeout, Duration::from_secs(20));
        assert_eq!(cli.serve.metrics_bind, None);
        let defaults = Cli::parse_from(["ehcp"]);
        assert!(defaults.serve.cors_origins.is_empty());
        assert!(!defaults.serve.metrics);
        assert_eq!(defaults.serve.cors_max_age, Duration::from_secs(600));
    }

    #[test]
    fn sqlite_path_is_read_from_the_url() {
        let settings = Settings::for_database("sqlite://data/ehcp.db?mode=rwc");
        assert_eq!(settings.sqlite_path(), Some(PathBuf::from("data/ehcp.db")));
        assert_eq!(
            Settings::for_database("sqlite::memory:").sqlite_path(),
            None
        );
        assert_eq!(Settings::for_database("postgres://x/y").sqlite_path(), None);
    }

    #[test]
    fn a_short_secret_is_refused() {
        let mut settings = Settings::for_database("postgres://x/y");
        settings.jwt_secret = Some("too-short".into());
        assert!(settings.token_config().is_err());
    }

    #[test]
    fn postgres_without_any_key_is_refused() {
        assert!(
            Settings::for_database("postgres://x/y")
                .token_config()
                .is_err()
        );
    }

    #[test]
    fn development_secret_is_created_once_and_reused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let url = format!("sqlite://{}/e.db?mode=rwc", dir.path().display());
        let settings = Settings::for_database(url);
        let first = settings.token_config().expect("first");
        let second = settings.token_config().expect("second");
        let (KeySource::Hs256 { secret: a }, KeySource::Hs256 { secret: b }) =
            (first.keys, second.keys)
        else {
            panic!("expected HS256 keys");
        };
        assert_eq!(a.to_base64(), b.to_base64());
        assert!(dir.path().join("e.db.jwt-secret").exists());
    }
}
