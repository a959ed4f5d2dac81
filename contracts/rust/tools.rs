//! Finding the external executables the local tools run (anvil, for `egp chain` and the tests).
//!
//! The order: the variable (`ANVIL`) when set; then `.tools/bin/` of the checkout the running
//! binary was built in, only when it sits in one (`<checkout>/target/…`, where
//! `scripts/bootstrap` installs the tools); then `PATH`. A binary copied elsewhere never looks
//! into the checkout it was built from.

use std::path::{Path, PathBuf};

use crate::{Error, Result};

/// The anvil binary (see the module's order), or an error naming every place looked at.
pub fn find_anvil() -> Result<PathBuf> {
    find("anvil", "ANVIL")
}

/// The anvil binary, or plain `anvil` when none was found (starting it then fails with the OS's
/// error): for tests and tools that hand the path to something that reports its own errors.
pub fn anvil() -> PathBuf {
    find_anvil().unwrap_or_else(|_| PathBuf::from("anvil"))
}

/// `.tools/bin/` of the checkout `exe` was built in: `exe` sits under `<root>/target/` and
/// `<root>` holds a `Cargo.toml`.
pub fn checkout_tools(exe: &Path) -> Option<PathBuf> {
    exe.ancestors()
        .skip(1)
        .find(|dir| exe.starts_with(dir.join("target")) && dir.join("Cargo.toml").is_file())
        .map(|root| root.join(".tools/bin"))
}

/// Finds `name`: `$variable`, else the checkout's `.tools/bin/`, else `PATH`.
pub fn find(name: &'static str, variable: &str) -> Result<PathBuf> {
    let mut looked = Vec::new();
    if let Some(value) = std::env::var_os(variable) {
        // An explicit choice is never replaced by another binary behind the operator's back.
        let path = PathBuf::from(value);
        if path.is_file() {
            return Ok(path);
        }
        looked.push(format!("{variable}={}", path.display()));
        return Err(Error::ToolMissing { tool: name, looked: looked.join(", ") });
    }
    let exe = std::env::current_exe().ok().and_then(|exe| exe.canonicalize().ok());
    if let Some(dir) = exe.as_deref().and_then(checkout_tools) {
        let path = dir.join(name);
        if path.is_file() {
            return Ok(path);
        }
        looked.push(path.display().to_string());
    }
    let path_dirs: Vec<PathBuf> =
        std::env::var_os("PATH").map(|paths| std::env::split_paths(&paths).collect()).unwrap_or_default();
    if let Some(found) = path_dirs.iter().map(|dir| dir.join(name)).find(|path| is_executable(path)) {
        return Ok(found);
    }
    looked.push(if path_dirs.is_empty() { "PATH (unset)".to_owned() } else { "every folder of PATH".to_owned() });
    Err(Error::ToolMissing { tool: name, looked: looked.join(", ") })
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata().is_ok_and(|meta| meta.is_file() && meta.permissions().mode() & 0o111 != 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_binary_in_a_checkouts_target_uses_its_tools() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        let exe = root.join("target/debug/egp");
        assert_eq!(checkout_tools(&exe), Some(root.join(".tools/bin")));
    }

    #[test]
    fn a_copied_binary_does_not_look_into_any_checkout() {
        assert_eq!(checkout_tools(Path::new("/opt/egp/bin/egp")), None);
        // A folder named target that is not a build folder of a workspace.
        let dir = std::env::temp_dir().join(format!("egp-tools-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("target")).unwrap();
        let found = checkout_tools(&dir.join("target/egp"));
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(found, None);
    }
}
