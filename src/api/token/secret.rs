//! The HS256 secret: given, or generated once and kept beside the SQLite database.
use super::*;

// ---------------------------------------------------------------------------
// Secrets and configuration
// ---------------------------------------------------------------------------

/// An HS256 secret (at least [`MIN_SECRET_BYTES`] bytes). `Debug` never shows it.
#[derive(Clone)]
pub struct Secret(Vec<u8>);

impl Secret {
    /// Refuses secrets shorter than [`MIN_SECRET_BYTES`] with [`TokenError::WeakSecret`].
    pub fn new(bytes: impl Into<Vec<u8>>) -> Result<Secret, TokenError> {
        let bytes = bytes.into();
        if bytes.len() < MIN_SECRET_BYTES {
            return Err(TokenError::WeakSecret);
        }
        Ok(Secret(bytes))
    }

    /// Standard base64 (with padding), for storing in a file or an env var.
    pub fn to_base64(&self) -> String {
        STANDARD.encode(&self.0)
    }

    /// Inverse of [`Secret::to_base64`]; surrounding whitespace (a trailing
    /// newline in a file) is ignored. Still refuses short secrets.
    pub fn from_base64(encoded: &str) -> Result<Secret, TokenError> {
        let bytes = STANDARD
            .decode(encoded.trim())
            .map_err(|_| TokenError::SecretEncoding)?;
        Secret::new(bytes)
    }

    /// Reads a base64 secret from `path`, or, if the file does not exist,
    /// generates one and writes it there (created exclusively, mode 0600 on
    /// Unix). For the development secret kept beside the database.
    /// Blocking file I/O: call it at start-up.
    pub fn load_or_generate_file(path: &Path) -> Result<Secret, TokenError> {
        match std::fs::read_to_string(path) {
            Ok(text) => return Secret::from_base64(&text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(TokenError::SecretFile(format!("{}: {e}", path.display()))),
        }
        let secret = generate_secret();
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        match options.open(path) {
            Ok(mut file) => {
                use std::io::Write;
                let mut text = secret.to_base64();
                text.push('\n');
                file.write_all(text.as_bytes())
                    .and_then(|()| file.sync_all())
                    .map_err(|e| TokenError::SecretFile(format!("{}: {e}", path.display())))?;
                tracing::info!(path = %path.display(), "generated a new token secret");
                Ok(secret)
            }
            // Someone else created it between our read and our create: use theirs.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| TokenError::SecretFile(format!("{}: {e}", path.display())))?;
                Secret::from_base64(&text)
            }
            Err(e) => Err(TokenError::SecretFile(format!("{}: {e}", path.display()))),
        }
    }

    pub(super) fn bytes(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// A fresh random secret of [`GENERATED_SECRET_BYTES`] bytes from the
/// thread-local CSPRNG (seeded from the OS).
pub fn generate_secret() -> Secret {
    use rand::RngCore;
    let mut bytes = vec![0u8; GENERATED_SECRET_BYTES];
    rand::rng().fill_bytes(&mut bytes);
    Secret(bytes)
}
