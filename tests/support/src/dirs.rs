//! Temporary folders.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

/// A fresh folder under the system's temporary folder, removed on drop (kept when the test
/// panics if made with [`TempDir::kept_on_failure`], so that its logs can be read).
#[derive(Debug)]
pub struct TempDir {
    path: PathBuf,
    keep_on_failure: bool,
}

impl TempDir {
    /// `egp-<label>-<pid>-<n>`, empty.
    pub fn new(label: &str) -> Self {
        Self::create(label, false)
    }

    /// Like [`TempDir::new`], but left in place when the thread is panicking.
    pub fn kept_on_failure(label: &str) -> Self {
        Self::create(label, true)
    }

    fn create(label: &str, keep_on_failure: bool) -> Self {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!("egp-{label}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).unwrap_or_else(|error| panic!("cannot create {}: {error}", path.display()));
        Self { path, keep_on_failure }
    }

    /// The folder.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        if !(self.keep_on_failure && std::thread::panicking()) {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}
