//! Session tokens: `v2.<name>.<issued>.<expires>.<id>.<user stamp>.<HMAC-SHA256>` (name, id and
//! stamp base64url, times unix seconds). Every token has a random id (so each login is a new
//! token that can be revoked on its own), and the stamp is derived from the user's password hash:
//! a changed password ends every session signed before, on every replica, with no shared state.
//! The role is not in the token: it is looked up in the users file on every request.

use super::AuthConfigError;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::Sha256;

pub struct SessionKey(Vec<u8>);

/// What a valid token says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub name: String,
    pub issued_unix: u64,
    pub expires_unix: u64,
    /// Random, unique per login: what logout revokes.
    pub id: String,
    /// Derived from the user's password hash when the token was signed.
    pub stamp: String,
}

impl SessionKey {
    pub fn new(key: &[u8]) -> Result<Self, AuthConfigError> {
        if key.len() < 32 {
            return Err(AuthConfigError::ShortKey);
        }
        Ok(Self(key.to_vec()))
    }

    /// A random key, for a single replica that was given none (sessions end on restart).
    pub fn random() -> Self {
        let mut key = [0u8; 32];
        getrandom::getrandom(&mut key).expect("the OS has a random source");
        Self(key.to_vec())
    }

    fn mac(&self, payload: &[u8]) -> Hmac<Sha256> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes any key size");
        mac.update(payload);
        mac
    }

    /// The stamp of a password hash: changes whenever the hash does, reveals nothing of it.
    pub fn stamp(&self, password_hash: &str) -> String {
        let tag = self
            .mac(format!("stamp:{password_hash}").as_bytes())
            .finalize()
            .into_bytes();
        B64.encode(&tag[..12])
    }

    /// A new token for `name`, valid from `now_unix` until `expires_unix`.
    pub fn sign(
        &self,
        name: &str,
        password_hash: &str,
        now_unix: u64,
        expires_unix: u64,
    ) -> String {
        let mut id = [0u8; 16];
        getrandom::getrandom(&mut id).expect("the OS has a random source");
        let payload = format!(
            "v2.{}.{now_unix}.{expires_unix}.{}.{}",
            B64.encode(name),
            B64.encode(id),
            self.stamp(password_hash)
        );
        let tag = B64.encode(self.mac(payload.as_bytes()).finalize().into_bytes());
        format!("{payload}.{tag}")
    }

    /// The session of a token signed with this key and not expired at `now_unix`.
    pub fn verify(&self, value: &str, now_unix: u64) -> Option<Session> {
        let (payload, tag) = value.rsplit_once('.')?;
        let tag = B64.decode(tag).ok()?;
        // Constant-time comparison.
        self.mac(payload.as_bytes()).verify_slice(&tag).ok()?;
        let parts: Vec<&str> = payload.split('.').collect();
        let ["v2", name, issued, expires, id, stamp] = parts.as_slice() else {
            return None;
        };
        let session = Session {
            name: String::from_utf8(B64.decode(name).ok()?).ok()?,
            issued_unix: issued.parse().ok()?,
            expires_unix: expires.parse().ok()?,
            id: id.to_string(),
            stamp: stamp.to_string(),
        };
        (now_unix < session.expires_unix).then_some(session)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_verify_only_when_signed_with_the_key_and_unexpired() {
        let key = SessionKey::new(&[7u8; 32]).unwrap();
        let token = key.sign("alice", "$hash1", 10, 1_000);
        let s = key.verify(&token, 999).unwrap();
        assert_eq!(
            (s.name.as_str(), s.issued_unix, s.expires_unix),
            ("alice", 10, 1_000)
        );
        assert_eq!(s.stamp, key.stamp("$hash1"));
        assert_ne!(s.stamp, key.stamp("$hash2"), "a new password, a new stamp");
        assert_eq!(key.verify(&token, 1_000), None, "expired");
        // Another replica with the same key accepts it; another key does not.
        assert!(SessionKey::new(&[7u8; 32])
            .unwrap()
            .verify(&token, 1)
            .is_some());
        assert!(SessionKey::new(&[8u8; 32])
            .unwrap()
            .verify(&token, 1)
            .is_none());
        // Tampering with the name or the expiry breaks the signature.
        let forged = token.replacen(&B64.encode("alice"), &B64.encode("admin"), 1);
        assert_eq!(key.verify(&forged, 1), None);
        let later = token.replacen(".1000.", ".9999999999.", 1);
        assert_eq!(key.verify(&later, 1), None);
        assert_eq!(key.verify("garbage", 1), None);
        assert_eq!(key.verify("", 1), None);
        assert!(matches!(
            SessionKey::new(b"short"),
            Err(AuthConfigError::ShortKey)
        ));
    }

    #[test]
    fn two_logins_in_one_second_get_different_tokens() {
        let key = SessionKey::new(&[7u8; 32]).unwrap();
        let a = key.sign("alice", "$h", 5, 100);
        let b = key.sign("alice", "$h", 5, 100);
        assert_ne!(a, b);
        assert_ne!(key.verify(&a, 6).unwrap().id, key.verify(&b, 6).unwrap().id);
    }
}
