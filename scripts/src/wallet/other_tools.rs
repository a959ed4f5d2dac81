//! Keystores written by other tools (`scripts/tests/fixtures/keystores/`: ethers.js v6 and Python's
//! eth-account, made once and committed with their throwaway passwords) load through
//! [`WalletSource`], the path the `egp` command and the API's gateway take; the variations geth
//! accepts load too, and every file that cannot load is one sentence naming the file.

use std::path::{Path, PathBuf};

use alloy::primitives::Address;
use serde_json::{Value, json};

use super::{PasswordSource, WalletSource};
use crate::Error;

#[derive(serde::Deserialize)]
struct Fixture {
    file: String,
    writer: String,
    password: String,
    address: Address,
}

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/keystores")
}

fn fixtures() -> Vec<Fixture> {
    let text = std::fs::read_to_string(fixtures_dir().join("fixtures.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn fixture_json(file: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(fixtures_dir().join(file)).unwrap()).unwrap()
}

/// A scratch folder for one test, removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("egp-wallet-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }

    fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    fn password(&self, password: &str) -> PasswordSource {
        PasswordSource::File(self.write("password.txt", &format!("{password}\n")))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn load(path: &Path, password: PasswordSource) -> crate::Result<alloy::signers::local::PrivateKeySigner> {
    WalletSource::Keystore { path: path.to_owned(), password }.load()
}

#[test]
fn keystores_written_by_ethers_and_eth_account_load_with_their_address() {
    let scratch = Scratch::new("fixtures");
    let fixtures = fixtures();
    for tool in ["ethers 6", "eth-account"] {
        assert!(fixtures.iter().any(|f| f.writer.starts_with(tool)), "a fixture written by {tool}");
    }
    for fixture in &fixtures {
        let path = fixtures_dir().join(&fixture.file);
        let signer = load(&path, scratch.password(&fixture.password))
            .unwrap_or_else(|error| panic!("{} written by {}: {error}", fixture.file, fixture.writer));
        assert_eq!(signer.address(), fixture.address, "{}", fixture.file);
    }
}

#[test]
fn a_wrong_password_for_another_tool_s_keystore_names_the_file_only() {
    let scratch = Scratch::new("wrong");
    for fixture in fixtures() {
        let path = fixtures_dir().join(&fixture.file);
        let error = load(&path, scratch.password("not the password ห้ามใช้")).unwrap_err();
        assert!(matches!(&error, Error::WrongPassword { path: p } if *p == path), "{}: {error:?}", fixture.file);
        assert_eq!(error.to_string(), format!("wrong password for keystore {}", path.display()));
    }
}

#[test]
fn variations_geth_accepts_load_too() {
    let scratch = Scratch::new("variations");
    let fixture = &fixtures()[0];
    let original = fixture_json(&fixture.file);
    let crypto = original.get("Crypto").or(original.get("crypto")).unwrap().clone();
    let digits = format!("{:x}", fixture.address);
    let mut variations = vec![
        ("lower-case crypto", json!({ "crypto": crypto, "version": 3, "id": original["id"], "address": digits })),
        ("upper-case names", json!({ "CRYPTO": crypto, "Version": 3, "ID": original["id"], "Address": digits })),
        ("address with 0x", json!({ "crypto": crypto, "version": 3, "address": format!("0x{digits}") })),
        ("checksummed address", json!({ "crypto": crypto, "version": 3, "address": fixture.address.to_string() })),
        ("no address, no id", json!({ "crypto": crypto, "version": 3 })),
        ("a null id", json!({ "crypto": crypto, "version": 3, "id": null })),
    ];
    let id = original["id"].as_str().unwrap();
    for form in [format!("{{{id}}}"), format!("urn:uuid:{id}"), id.replace('-', ""), id.to_uppercase()] {
        variations.push(("another UUID form", json!({ "crypto": crypto, "version": 3, "id": form })));
    }
    // Each parses; one decryption per KDF is enough to show the key comes out of a rewritten file.
    for (i, (what, keystore)) in variations.iter().enumerate() {
        super::keystore::Keystore::parse(&keystore.to_string()).unwrap_or_else(|problem| panic!("{what}: {problem}"));
        if i < 2 {
            let path = scratch.write(&format!("{i}.json"), &format!("\u{feff}{keystore}"));
            let signer = load(&path, scratch.password(&fixture.password)).unwrap();
            assert_eq!(signer.address(), fixture.address, "{what}");
        }
    }
}

/// The fixture's JSON with `change` applied.
fn changed(file: &str, change: impl FnOnce(&mut serde_json::Map<String, Value>)) -> String {
    let mut json = fixture_json(file);
    change(json.as_object_mut().unwrap());
    json.to_string()
}

fn crypto(object: &mut serde_json::Map<String, Value>) -> &mut serde_json::Map<String, Value> {
    let key = if object.contains_key("Crypto") { "Crypto" } else { "crypto" };
    object.get_mut(key).unwrap().as_object_mut().unwrap()
}

#[test]
fn files_that_cannot_load_are_one_sentence_naming_the_file_before_any_password_is_asked() {
    let scratch = Scratch::new("malformed");
    let ethers = "ethers-v6-scrypt.json";
    let pbkdf2 = "eth-account-pbkdf2.json";
    let cases: Vec<(&str, String, &str)> = vec![
        ("not JSON", "{\"version\": 3,".into(), "is not JSON"),
        ("an array", "[1, 2]".into(), "is not a JSON object"),
        (
            "no crypto",
            changed(ethers, |o| {
                o.remove("Crypto");
            }),
            "has no \"crypto\" member (nor \"Crypto\")",
        ),
        (
            "both spellings",
            changed(ethers, |o| {
                o.insert("crypto".into(), o["Crypto"].clone());
            }),
            "has both \"",
        ),
        (
            "version 1",
            changed(ethers, |o| {
                o.insert("version".into(), json!("1"));
            }),
            "version 1 keystore",
        ),
        (
            "version 4",
            changed(ethers, |o| {
                o.insert("version".into(), json!(4));
            }),
            "has version 4",
        ),
        (
            "no version",
            changed(ethers, |o| {
                o.remove("version");
            }),
            "has no \"version\"",
        ),
        (
            "another cipher",
            changed(ethers, |o| {
                crypto(o).insert("cipher".into(), json!("aes-128-cbc"));
            }),
            "uses cipher \"aes-128-cbc\": only aes-128-ctr is supported",
        ),
        (
            "another KDF",
            changed(ethers, |o| {
                crypto(o).insert("kdf".into(), json!("argon2id"));
            }),
            "uses key derivation \"argon2id\"",
        ),
        (
            "a short IV",
            changed(ethers, |o| {
                crypto(o)["cipherparams"].as_object_mut().unwrap().insert("iv".into(), json!("0011"));
            }),
            "has a 2-byte iv",
        ),
        (
            "a MAC that is not hex",
            changed(ethers, |o| {
                crypto(o).insert("mac".into(), json!("0xzz"));
            }),
            "has a mac that is not hex",
        ),
        (
            "n not a power of two",
            changed(ethers, |o| {
                crypto(o)["kdfparams"].as_object_mut().unwrap().insert("n".into(), json!(1000));
            }),
            "scrypt n = 1000, which is not a power of two",
        ),
        (
            "scrypt needing 16 GiB",
            changed(ethers, |o| {
                crypto(o)["kdfparams"].as_object_mut().unwrap().insert("n".into(), json!(1 << 24));
            }),
            "needs 16384 MiB",
        ),
        (
            "a short derived key",
            changed(ethers, |o| {
                crypto(o)["kdfparams"].as_object_mut().unwrap().insert("dklen".into(), json!(16));
            }),
            "kdfparams.dklen = 16",
        ),
        (
            "pbkdf2 with SHA-512",
            changed(pbkdf2, |o| {
                crypto(o)["kdfparams"].as_object_mut().unwrap().insert("prf".into(), json!("hmac-sha512"));
            }),
            "prf \"hmac-sha512\"",
        ),
        (
            "a bad address",
            changed(ethers, |o| {
                o.insert("address".into(), json!("0x1234"));
            }),
            "address \"0x1234\" that is not 40 hex digits",
        ),
        (
            "a bad id",
            changed(ethers, |o| {
                o.insert("id".into(), json!("not-a-uuid"));
            }),
            "id \"not-a-uuid\"",
        ),
    ];
    // The password would come from an unset variable: reaching it would be a different error.
    let unset = || PasswordSource::Env("EGP_TEST_UNSET_KEYSTORE_PASSWORD".into());
    for (what, text, expected) in cases {
        let path = scratch.write(&format!("{}.json", what.replace(' ', "-")), &text);
        let error = load(&path, unset()).unwrap_err();
        let message = error.to_string();
        assert!(matches!(&error, Error::Keystore { path: p, .. } if *p == path), "{what}: {error:?}");
        assert!(message.starts_with(&format!("keystore {}: ", path.display())), "{what}: {message}");
        assert!(message.contains(expected), "{what}: {message}");
    }

    // A missing file and a folder name the path too.
    let missing = scratch.0.join("absent.json");
    let error = load(&missing, unset()).unwrap_err();
    assert!(matches!(&error, Error::Io { path, .. } if *path == missing), "{error:?}");
    let error = load(&scratch.0, unset()).unwrap_err();
    assert_eq!(error.to_string(), format!("keystore {}: is not a file", scratch.0.display()));

    // An address that is not the key's: found once decrypted, named with both addresses.
    let fixture = fixtures().into_iter().find(|f| f.file == ethers).unwrap();
    let other = "0x00000398232e2064f896018496b4b44b3d62751f";
    let path = scratch.write(
        "edited.json",
        &changed(ethers, |o| {
            o.insert("address".into(), json!(other));
        }),
    );
    let error = load(&path, scratch.password(&fixture.password)).unwrap_err();
    let expected = format!(
        "keystore {}: says address {} but holds the key of {}: the file is damaged or was edited",
        path.display(),
        other.parse::<Address>().unwrap(),
        fixture.address
    );
    assert_eq!(error.to_string(), expected);
}
