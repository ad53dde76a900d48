//! Password hashing (argon2id, PHC strings) and generated one-time passwords.
//! Hashing is deliberately slow: callers on an async runtime run it in `spawn_blocking`.

use crate::field::FieldError;
use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier, phc::PasswordHash};

pub const MIN_LEN: usize = 10;
pub const MAX_LEN: usize = 128;

#[derive(Debug, thiserror::Error)]
#[error("密码哈希失败：{0}")]
pub struct HashError(String);

pub fn hash(password: &str) -> Result<String, HashError> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| HashError(e.to_string()))
}

/// False for a wrong password and for a stored hash that cannot be parsed alike:
/// a login must never tell the two apart.
pub fn verify(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc)
        .map(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
        .unwrap_or(false)
}

/// Letters and digits that cannot be mistaken for each other when read off a screen or paper.
const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

/// A random password of 16 characters (about 93 bits), grouped in fours for reading aloud.
pub fn generate() -> String {
    let mut out = String::with_capacity(19);
    let mut i = 0;
    while i < 16 {
        let mut byte = [0u8; 1];
        getrandom::fill(&mut byte).expect("the operating system has no random source");
        // Rejection sampling keeps every character equally likely.
        let limit = 256 - (256 % ALPHABET.len());
        if (byte[0] as usize) < limit {
            if i > 0 && i % 4 == 0 {
                out.push('-');
            }
            out.push(ALPHABET[byte[0] as usize % ALPHABET.len()] as char);
            i += 1;
        }
    }
    out
}

/// A password users choose themselves must be long enough and not all one kind of character.
pub fn check_strength(password: &str) -> Result<(), FieldError> {
    let len = password.chars().count();
    if len < MIN_LEN {
        return Err(FieldError::new("新密码", format!("至少 {MIN_LEN} 个字符")));
    }
    if len > MAX_LEN {
        return Err(FieldError::new("新密码", format!("最多 {MAX_LEN} 个字符")));
    }
    let classes = [
        password.chars().any(|c| c.is_ascii_lowercase()),
        password.chars().any(|c| c.is_ascii_uppercase()),
        password.chars().any(|c| c.is_ascii_digit()),
        password.chars().any(|c| !c.is_ascii_alphanumeric()),
    ];
    if classes.iter().filter(|&&c| c).count() < 2 {
        return Err(FieldError::new("新密码", "须包含字母、数字、符号中的至少两类"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_only_its_own_password() {
        let h = hash("正确的密码 2026").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify("正确的密码 2026", &h));
        assert!(!verify("错误的密码 2026", &h));
        assert!(!verify("正确的密码 2026", "not a hash"));
    }

    #[test]
    fn generated_passwords_are_strong_and_differ() {
        let a = generate();
        let b = generate();
        assert_ne!(a, b);
        assert_eq!(a.chars().count(), 19);
        check_strength(&a).unwrap();
    }

    #[test]
    fn weak_passwords_are_refused_with_a_reason() {
        assert!(check_strength("short1").unwrap_err().message.contains("至少"));
        assert!(
            check_strength("onlylowercaseletters")
                .unwrap_err()
                .message
                .contains("两类")
        );
        check_strength("Shoutu-2026").unwrap();
    }
}
