//! An identity provider's key set: loaded from a file or URL, keys by `kid`, re-read at most
//! once a refetch interval when a token names an unknown key.
use super::*;

// ---------------------------------------------------------------------------
// JWKS loading
// ---------------------------------------------------------------------------

/// Usable keys by `kid`; a `kid` may (rarely) carry an RSA and an EC key.
pub(super) type KeyMap = HashMap<String, Vec<(Algorithm, Arc<DecodingKey>)>>;

pub(super) enum JwksSource {
    File(PathBuf),
    Http {
        url: String,
        client: reqwest::Client,
    },
}

impl fmt::Debug for JwksSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JwksSource::File(p) => write!(f, "File({})", p.display()),
            JwksSource::Http { url, .. } => write!(f, "Http({url})"),
        }
    }
}

impl JwksSource {
    pub(super) fn from_location(location: &str) -> Result<Self, TokenError> {
        let location = location.trim();
        if location.is_empty() {
            return Err(TokenError::Config("JWKS location is empty".into()));
        }
        let lower = location.to_ascii_lowercase();
        if lower.starts_with("http://") || lower.starts_with("https://") {
            let url = reqwest::Url::parse(location)
                .map_err(|e| TokenError::Config(format!("JWKS URL: {e}")))?;
            if url.scheme() == "http" {
                tracing::warn!(url = %url, "JWKS fetched over plain http; use https outside tests");
            }
            let client = reqwest::Client::builder()
                .timeout(JWKS_HTTP_TIMEOUT)
                .connect_timeout(JWKS_HTTP_TIMEOUT)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .map_err(|e| TokenError::Config(format!("HTTP client: {e}")))?;
            Ok(JwksSource::Http {
                url: url.to_string(),
                client,
            })
        } else if let Some(path) = location.strip_prefix("file://") {
            Ok(JwksSource::File(PathBuf::from(path)))
        } else {
            Ok(JwksSource::File(PathBuf::from(location)))
        }
    }

    async fn fetch(&self) -> Result<Vec<u8>, String> {
        match self {
            JwksSource::File(path) => {
                let bytes = tokio::fs::read(path)
                    .await
                    .map_err(|e| format!("{}: {e}", path.display()))?;
                if bytes.len() > MAX_JWKS_BYTES {
                    return Err(format!(
                        "{}: larger than {MAX_JWKS_BYTES} bytes",
                        path.display()
                    ));
                }
                Ok(bytes)
            }
            JwksSource::Http { url, client } => {
                let mut resp = client
                    .get(url.as_str())
                    .header(reqwest::header::ACCEPT, "application/json")
                    .send()
                    .await
                    .map_err(|e| format!("GET {url}: {e}"))?;
                if !resp.status().is_success() {
                    return Err(format!("GET {url}: HTTP {}", resp.status()));
                }
                if resp
                    .content_length()
                    .is_some_and(|len| len > MAX_JWKS_BYTES as u64)
                {
                    return Err(format!("GET {url}: larger than {MAX_JWKS_BYTES} bytes"));
                }
                let mut body = Vec::new();
                while let Some(chunk) = resp.chunk().await.map_err(|e| format!("GET {url}: {e}"))? {
                    if body.len() + chunk.len() > MAX_JWKS_BYTES {
                        return Err(format!("GET {url}: larger than {MAX_JWKS_BYTES} bytes"));
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(body)
            }
        }
    }

    /// Fetches and parses; an error if nothing usable came back.
    pub(super) async fn load(&self) -> Result<KeyMap, String> {
        let bytes = self.fetch().await?;
        parse_jwks(&bytes)
    }
}

/// Parses a JWKS document, keeping only keys usable for RS256/ES256
/// signatures. Unusable keys are skipped (logged), so one odd key from an
/// identity provider does not take the others down.
pub(super) fn parse_jwks(bytes: &[u8]) -> Result<KeyMap, String> {
    let doc: Value = serde_json::from_slice(bytes).map_err(|e| format!("JWKS is not JSON: {e}"))?;
    let keys = doc
        .get("keys")
        .and_then(Value::as_array)
        .ok_or_else(|| "JWKS has no \"keys\" array".to_string())?;
    let mut map = KeyMap::new();
    for raw in keys {
        let jwk: Jwk = match serde_json::from_value(raw.clone()) {
            Ok(jwk) => jwk,
            Err(e) => {
                tracing::warn!(error = %e, "skipping unparseable JWKS key");
                continue;
            }
        };
        match usable_key(&jwk) {
            Ok((kid, alg, key)) => {
                let entry = map.entry(kid).or_default();
                if entry.iter().any(|(a, _)| *a == alg) {
                    tracing::warn!(kid = ?jwk.common.key_id, "duplicate kid/alg in JWKS; keeping the first");
                } else {
                    entry.push((alg, Arc::new(key)));
                }
            }
            Err(reason) => {
                tracing::debug!(kid = ?jwk.common.key_id, reason, "skipping JWKS key");
            }
        }
    }
    if map.is_empty() {
        return Err("JWKS has no usable RS256/ES256 signing key with a kid".into());
    }
    Ok(map)
}

pub(super) fn usable_key(jwk: &Jwk) -> Result<(String, Algorithm, DecodingKey), &'static str> {
    let kid = jwk.common.key_id.clone().ok_or("no kid")?;
    if jwk
        .common
        .public_key_use
        .as_ref()
        .is_some_and(|u| *u != PublicKeyUse::Signature)
    {
        return Err("use is not sig");
    }
    let alg = match &jwk.algorithm {
        AlgorithmParameters::RSA(params) => {
            if !matches!(jwk.common.key_algorithm, None | Some(KeyAlgorithm::RS256)) {
                return Err("RSA key for an algorithm other than RS256");
            }
            let n = URL_SAFE_NO_PAD
                .decode(params.n.as_bytes())
                .map_err(|_| "bad RSA modulus")?;
            let significant = n.iter().skip_while(|b| **b == 0).count();
            if significant < MIN_RSA_MODULUS_BYTES {
                return Err("RSA key shorter than 2048 bits");
            }
            Algorithm::RS256
        }
        AlgorithmParameters::EllipticCurve(params) => {
            if params.curve != EllipticCurve::P256 {
                return Err("EC key not on P-256");
            }
            if !matches!(jwk.common.key_algorithm, None | Some(KeyAlgorithm::ES256)) {
                return Err("EC key for an algorithm other than ES256");
            }
            Algorithm::ES256
        }
        _ => return Err("key type not RSA or EC"),
    };
    let key = DecodingKey::from_jwk(jwk).map_err(|_| "key material not decodable")?;
    if alg == Algorithm::ES256 {
        // Building a verifier parses the point; a bad point is an Err here,
        // whereas a (deliberately) empty signature just yields Ok(false).
        jsonwebtoken::crypto::verify("", b"", &key, alg).map_err(|_| "EC point invalid")?;
    }
    Ok((kid, alg, key))
}

pub(super) struct JwksCache {
    pub(super) source: JwksSource,
    pub(super) keys: RwLock<Arc<KeyMap>>,
    /// When the JWKS was last (attempted to be) read; the Mutex also makes
    /// concurrent unknown-kid requests wait for one re-read instead of each
    /// starting their own.
    pub(super) last_fetch: Mutex<Instant>,
    pub(super) refetch_interval: Duration,
}

impl JwksCache {
    async fn lookup(
        &self,
        kid: &str,
        alg: Algorithm,
    ) -> Option<Result<Arc<DecodingKey>, TokenError>> {
        let keys = Arc::clone(&*self.keys.read().await);
        let entries = keys.get(kid)?;
        Some(
            entries
                .iter()
                .find(|(a, _)| *a == alg)
                .map(|(_, key)| Arc::clone(key))
                .ok_or(TokenError::AlgorithmNotAllowed),
        )
    }

    pub(super) async fn key_for(
        &self,
        kid: &str,
        alg: Algorithm,
    ) -> Result<Arc<DecodingKey>, TokenError> {
        if let Some(found) = self.lookup(kid, alg).await {
            return found;
        }
        let mut last_fetch = self.last_fetch.lock().await;
        // Another request may have re-read the JWKS while we waited.
        if let Some(found) = self.lookup(kid, alg).await {
            return found;
        }
        if last_fetch.elapsed() < self.refetch_interval {
            return Err(TokenError::UnknownKid);
        }
        // Set before fetching so failures are rate-limited too.
        *last_fetch = Instant::now();
        match self.source.load().await {
            Ok(map) => {
                tracing::info!(source = ?self.source, kids = map.len(), "JWKS re-read after unknown kid");
                *self.keys.write().await = Arc::new(map);
            }
            Err(e) => {
                tracing::warn!(source = ?self.source, error = %e, "JWKS re-read failed; keeping previous keys");
            }
        }
        drop(last_fetch);
        self.lookup(kid, alg)
            .await
            .unwrap_or(Err(TokenError::UnknownKid))
    }
}
