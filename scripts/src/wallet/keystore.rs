//! Web3 Secret Storage (version 3) keystores, read the way geth reads them, so that a file written
//! by geth, ethers.js, web3.js, eth-account, MetaMask's export or alloy loads here too.
//!
//! geth decodes the file with Go's `encoding/json`, which matches member names without regard to
//! case: ethers.js v6 writes `"Crypto"`, most tools `"crypto"`, and both load. Its rules, which
//! this module follows: `version` 3; cipher `aes-128-ctr` with a 16-byte IV; KDF `scrypt` (`n` a
//! power of two) or `pbkdf2` with `hmac-sha256`, parameters `dklen` (at least 32), `salt` (hex) and
//! `n`/`r`/`p` or `c`, named in lower case; `mac` = keccak-256(derived key[16..32] ‖ ciphertext);
//! hex without `0x`. Members other tools add (`x-ethers`, `meta`, `name`) are ignored.
//!
//! Where geth would crash or silently misread, this module refuses with a sentence instead: an IV
//! that is not 16 bytes, a `dklen` below 32, a ciphertext that is not a 32-byte key, scrypt
//! parameters that would need more than 2 GiB. It is a little more lenient where nothing is at
//! stake: `id` may be absent (else a UUID in any form geth accepts), `address` may be absent
//! (else 40 hex digits with or without `0x`, and it must be the key's address), a byte-order mark
//! is skipped. ethers.js normalises passwords to Unicode NFKD before deriving the key and other
//! tools do not: when the password as typed does not open the file and its NFKD form differs (Thai
//! `ำ` does), the NFKD form is tried too.

use aes::cipher::{KeyIvInit, StreamCipher};
use alloy::primitives::{Address, keccak256};
use alloy::signers::local::PrivateKeySigner;
use hmac::Hmac;
use serde_json::{Map, Value};
use sha2::Sha256;
use unicode_normalization::UnicodeNormalization;
use zeroize::Zeroizing;

/// The largest keystore file read, bytes (real ones are under 2 KiB).
pub(super) const MAX_FILE_BYTES: u64 = 64 * 1024;
/// The most memory scrypt may take (`128 · n · r` bytes): above geth's "standard" 256 MiB and
/// the 1 GiB some tools use, below what would take a server down.
const MAX_SCRYPT_BYTES: u64 = 2 << 30;
/// The longest derived key accepted (only its first 32 bytes are used).
const MAX_DKLEN: u64 = 1024;

/// Why a keystore does not give a key.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Refusal {
    /// The MAC does not match: the password is not this file's.
    WrongPassword,
    /// The file is not a keystore this module reads; the sentence says why.
    Malformed(String),
}

type Parsed<T> = std::result::Result<T, String>;

/// A parsed version-3 keystore, checked before any password is asked for.
#[derive(Debug)]
pub(super) struct Keystore {
    address: Option<Address>,
    kdf: Kdf,
    dklen: usize,
    iv: [u8; 16],
    ciphertext: [u8; 32],
    mac: [u8; 32],
}

#[derive(Debug)]
enum Kdf {
    Scrypt { params: scrypt::Params, salt: Vec<u8> },
    Pbkdf2 { rounds: u32, salt: Vec<u8> },
}

impl Keystore {
    /// Parses the file's text. The error is a sentence naming the problem (not the file).
    pub(super) fn parse(text: &str) -> Parsed<Self> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let json: Value = serde_json::from_str(text).map_err(|error| format!("is not JSON ({error})"))?;
        let top = json.as_object().ok_or("is not a JSON object")?;
        match member(top, "version")? {
            Some(Value::Number(n)) if n.as_u64() == Some(3) => {}
            Some(Value::String(v)) if v == "1" => {
                return Err("is a version 1 keystore, which egp does not read: only version 3".into());
            }
            Some(other) => return Err(format!("has version {other}: only version 3 keystores load")),
            None => return Err("has no \"version\" (a Web3 Secret Storage keystore has version 3)".into()),
        }
        if let Some(id) = member(top, "id")?
            && !id.is_null()
        {
            let id = id.as_str().ok_or_else(|| format!("has an id {id} that is not a string"))?;
            if !is_uuid(id) {
                return Err(format!("has an id \"{id}\" that is not a UUID"));
            }
        }
        let address = match member(top, "address")? {
            None | Some(Value::Null) => None,
            Some(Value::String(text)) if text.is_empty() => None,
            Some(Value::String(text)) => Some(parse_address(text)?),
            Some(other) => return Err(format!("has an address {other} that is not a string")),
        };

        let crypto = member(top, "crypto")?
            .ok_or("has no \"crypto\" member (nor \"Crypto\")")?
            .as_object()
            .ok_or("has a \"crypto\" member that is not an object")?;
        let cipher = string(crypto, "cipher")?;
        if cipher != "aes-128-ctr" {
            return Err(format!("uses cipher \"{cipher}\": only aes-128-ctr is supported"));
        }
        let params = member(crypto, "cipherparams")?
            .ok_or("has no crypto.cipherparams")?
            .as_object()
            .ok_or("has a crypto.cipherparams that is not an object")?;
        let iv = sized::<16>(&hex_field(params, "iv")?, "iv", "AES-128-CTR takes a 16-byte IV")?;
        let ciphertext =
            sized::<32>(&hex_field(crypto, "ciphertext")?, "ciphertext", "an encrypted secp256k1 key is 32 bytes")?;
        let mac = sized::<32>(&hex_field(crypto, "mac")?, "mac", "a keccak-256 MAC is 32 bytes")?;

        // geth reads kdfparams as a map: its member names are exact (lower case).
        let kdf_name = string(crypto, "kdf")?;
        let kdfparams = member(crypto, "kdfparams")?
            .ok_or("has no crypto.kdfparams")?
            .as_object()
            .ok_or("has a crypto.kdfparams that is not an object")?;
        let number = |name: &str| -> Parsed<u64> {
            let value = kdfparams.get(name).ok_or_else(|| format!("has no kdfparams.{name} for {kdf_name}"))?;
            whole_number(value).ok_or_else(|| format!("has kdfparams.{name} = {value}, not a whole number"))
        };
        let salt = match kdfparams.get("salt") {
            Some(Value::String(text)) => {
                hex::decode(text).map_err(|error| format!("has a kdfparams.salt that is not hex ({error})"))?
            }
            Some(other) => return Err(format!("has kdfparams.salt = {other}, not a hex string")),
            None => return Err("has no kdfparams.salt".into()),
        };
        let dklen = number("dklen")?;
        if !(32..=MAX_DKLEN).contains(&dklen) {
            return Err(format!("has kdfparams.dklen = {dklen}: it must be between 32 and {MAX_DKLEN}"));
        }
        let kdf = match kdf_name.as_str() {
            "scrypt" => {
                let (n, r, p) = (number("n")?, number("r")?, number("p")?);
                if n < 2 || !n.is_power_of_two() {
                    return Err(format!("has scrypt n = {n}, which is not a power of two above 1"));
                }
                let memory = 128u64.saturating_mul(n).saturating_mul(r);
                if memory > MAX_SCRYPT_BYTES {
                    return Err(format!(
                        "has scrypt n = {n}, r = {r}, which needs {} MiB: more than the {} MiB allowed",
                        memory >> 20,
                        MAX_SCRYPT_BYTES >> 20
                    ));
                }
                let bad = || format!("has scrypt parameters n = {n}, r = {r}, p = {p} that scrypt refuses");
                let (r, p) = (u32::try_from(r).map_err(|_| bad())?, u32::try_from(p).map_err(|_| bad())?);
                let params = scrypt::Params::new(n.trailing_zeros() as u8, r, p).map_err(|_| bad())?;
                Kdf::Scrypt { params, salt }
            }
            "pbkdf2" => {
                let prf = kdfparams.get("prf").and_then(Value::as_str).unwrap_or_default();
                if prf != "hmac-sha256" {
                    return Err(format!("uses pbkdf2 with prf \"{prf}\": only hmac-sha256 is supported"));
                }
                let c = number("c")?;
                let rounds = u32::try_from(c)
                    .ok()
                    .filter(|c| *c >= 1)
                    .ok_or_else(|| format!("has pbkdf2 c = {c} iterations, not between 1 and {}", u32::MAX))?;
                Kdf::Pbkdf2 { rounds, salt }
            }
            other => return Err(format!("uses key derivation \"{other}\": only scrypt and pbkdf2 are supported")),
        };
        Ok(Self { address, kdf, dklen: dklen as usize, iv, ciphertext, mac })
    }

    /// The key, if `password` opens the file (as typed, else in Unicode NFKD, as ethers.js writes).
    pub(super) fn decrypt(&self, password: &str) -> Result<PrivateKeySigner, Refusal> {
        let derived = match self.derive(password.as_bytes()) {
            Some(derived) => derived,
            None => {
                let normalised = Zeroizing::new(password.nfkd().collect::<String>());
                if *normalised == password {
                    return Err(Refusal::WrongPassword);
                }
                self.derive(normalised.as_bytes()).ok_or(Refusal::WrongPassword)?
            }
        };
        let mut key = Zeroizing::new(self.ciphertext);
        let mut cipher = ctr::Ctr128BE::<aes::Aes128>::new(derived[..16].into(), self.iv.as_slice().into());
        cipher.apply_keystream(key.as_mut_slice());
        let signer = PrivateKeySigner::from_slice(key.as_slice())
            .map_err(|_| Refusal::Malformed("decrypts to a value that is not a valid secp256k1 private key".into()))?;
        match self.address {
            Some(address) if address != signer.address() => Err(Refusal::Malformed(format!(
                "says address {address} but holds the key of {}: the file is damaged or was edited",
                signer.address()
            ))),
            _ => Ok(signer),
        }
    }

    /// The derived key when its MAC matches the file's.
    fn derive(&self, password: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
        let mut derived = Zeroizing::new(vec![0u8; self.dklen]);
        match &self.kdf {
            Kdf::Scrypt { params, salt } => {
                scrypt::scrypt(password, salt, params, &mut derived).expect("dklen is between 32 and 1024");
            }
            Kdf::Pbkdf2 { rounds, salt } => pbkdf2::pbkdf2::<Hmac<Sha256>>(password, salt, *rounds, &mut derived),
        }
        let mac = keccak256([&derived[16..32], self.ciphertext.as_slice()].concat());
        (mac == self.mac).then_some(derived)
    }
}

/// The member called `name` in any letter case, as Go's `encoding/json` matches it; two members
/// that differ only in case (`crypto` and `Crypto`) are ambiguous and refused.
fn member<'a>(object: &'a Map<String, Value>, name: &str) -> Parsed<Option<&'a Value>> {
    let mut found = object.iter().filter(|(key, _)| key.eq_ignore_ascii_case(name));
    let first = found.next();
    if let (Some((a, _)), Some((b, _))) = (first, found.next()) {
        return Err(format!("has both \"{a}\" and \"{b}\": which one to read is ambiguous"));
    }
    Ok(first.map(|(_, value)| value))
}

fn string(object: &Map<String, Value>, name: &str) -> Parsed<String> {
    match member(object, name)? {
        Some(Value::String(text)) => Ok(text.clone()),
        Some(other) => Err(format!("has {name} = {other}, not a string")),
        None => Err(format!("has no \"{name}\"")),
    }
}

fn hex_field(object: &Map<String, Value>, name: &str) -> Parsed<Vec<u8>> {
    hex::decode(string(object, name)?).map_err(|error| format!("has a {name} that is not hex ({error})"))
}

fn sized<const N: usize>(bytes: &[u8], name: &str, why: &str) -> Parsed<[u8; N]> {
    bytes.try_into().map_err(|_| format!("has a {}-byte {name}: {why}", bytes.len()))
}

/// A JSON number with no fractional part (Go reads `262144` and `262144.0` alike).
fn whole_number(value: &Value) -> Option<u64> {
    value
        .as_u64()
        .or_else(|| value.as_f64().filter(|f| f.fract() == 0.0 && *f >= 0.0 && *f < 2f64.powi(53)).map(|f| f as u64))
}

/// 40 hex digits, with or without `0x`, in any case (geth's `common.IsHexAddress`).
fn parse_address(text: &str) -> Parsed<Address> {
    let digits = text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")).unwrap_or(text);
    let mut bytes = [0u8; 20];
    hex::decode_to_slice(digits, &mut bytes)
        .map_err(|_| format!("has an address \"{text}\" that is not 40 hex digits (with or without 0x)"))?;
    Ok(Address::from(bytes))
}

/// The forms of UUID geth's parser (google/uuid) accepts: `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`,
/// the same in braces or after `urn:uuid:`, or 32 hex digits.
fn is_uuid(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    let canonical = |s: &str| {
        s.len() == 36
            && s.char_indices()
                .all(|(i, c)| if matches!(i, 8 | 13 | 18 | 23) { c == '-' } else { c.is_ascii_hexdigit() })
    };
    if let Some(rest) = lower.strip_prefix("urn:uuid:") {
        return canonical(rest);
    }
    if let Some(inner) = lower.strip_prefix('{').and_then(|rest| rest.strip_suffix('}')) {
        return canonical(inner);
    }
    canonical(&lower) || (lower.len() == 32 && lower.chars().all(|c| c.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuid_forms_geth_accepts() {
        for id in [
            "a1575c02-3e4f-4358-98ca-8df70b8519c9",
            "A1575C02-3E4F-4358-98CA-8DF70B8519C9",
            "{a1575c02-3e4f-4358-98ca-8df70b8519c9}",
            "urn:uuid:a1575c02-3e4f-4358-98ca-8df70b8519c9",
            "a1575c023e4f435898ca8df70b8519c9",
        ] {
            assert!(is_uuid(id), "{id}");
        }
        for id in ["", "a1575c02", "a1575c02-3e4f-4358-98ca-8df70b8519cz", "a1575c023e4f-4358-98ca-8df70b8519c9-"] {
            assert!(!is_uuid(id), "{id}");
        }
    }

    #[test]
    fn addresses_with_or_without_0x() {
        let expected: Address = "0xd3756D8e5Fe4E60588f4537Be1c05bdDe32ca5c5".parse().unwrap();
        for text in [
            "d3756d8e5fe4e60588f4537be1c05bdde32ca5c5",
            "0xd3756D8e5Fe4E60588f4537Be1c05bdDe32ca5c5",
            "0XD3756D8E5FE4E60588F4537BE1C05BDDE32CA5C5",
        ] {
            assert_eq!(parse_address(text).unwrap(), expected, "{text}");
        }
        assert!(parse_address("0xd3756d8e").unwrap_err().contains("\"0xd3756d8e\""));
    }

    #[test]
    fn ethers_thai_password_opens_only_in_nfkd() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/keystores");
        let text = std::fs::read_to_string(dir.join("ethers-v6-scrypt-thai-password.json")).unwrap();
        let keystore = Keystore::parse(&text).unwrap();
        let typed = "รหัสผ่านสำหรับทดสอบ";
        let normalised: String = typed.nfkd().collect();
        assert_ne!(typed, normalised, "U+0E33 (sara am) decomposes under NFKD");
        assert!(keystore.derive(typed.as_bytes()).is_none(), "ethers derived the key from the NFKD form");
        assert!(keystore.derive(normalised.as_bytes()).is_some());
        assert!(keystore.decrypt(typed).is_ok(), "the password as typed still opens it");
        assert_eq!(keystore.decrypt("รหัสผ่าน").unwrap_err(), Refusal::WrongPassword);
    }

    #[test]
    fn whole_numbers_as_go_reads_them() {
        assert_eq!(whole_number(&serde_json::json!(262144)), Some(262144));
        assert_eq!(whole_number(&serde_json::json!(262144.0)), Some(262144));
        assert_eq!(whole_number(&serde_json::json!(1.5)), None);
        assert_eq!(whole_number(&serde_json::json!(-1)), None);
        assert_eq!(whole_number(&serde_json::json!("262144")), None);
    }
}
