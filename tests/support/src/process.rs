//! Workspace binaries run as processes, with their output in a log file.

use std::path::{Path, PathBuf};
use std::process::{Child, Command};

/// A workspace binary built next to this executable (`cargo nextest run --workspace` and
/// `cargo build --bins` build them; a test's executable lives in `target/<profile>/deps`).
pub fn binary(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("the current executable");
    let candidates = exe.ancestors().skip(1).take(3).map(|dir| dir.join(name)).collect::<Vec<_>>();
    candidates.iter().find(|path| path.is_file()).cloned().unwrap_or_else(|| {
        panic!("{name} is not built next to {}: run `cargo build --workspace --bins` first", exe.display())
    })
}

/// Starts `binary` with its output in `log`, in `cwd` when given (else the test's directory),
/// logging at `info` and without the pepper of the caller's environment.
pub fn spawn(binary: &Path, args: &[String], env: &[(&str, &str)], log: &Path, cwd: Option<&Path>) -> Child {
    let log = std::fs::File::create(log).unwrap_or_else(|error| panic!("cannot create {}: {error}", log.display()));
    let mut command = Command::new(binary);
    if let Some(cwd) = cwd {
        command.current_dir(cwd);
    }
    command
        .args(args)
        .envs(env.iter().copied())
        .env("RUST_LOG", "info")
        .env("EGP_LOG", "info")
        .env_remove("EGP_PEPPER")
        .stdout(log.try_clone().expect("a log handle"))
        .stderr(log)
        .spawn()
        .unwrap_or_else(|error| panic!("cannot start {}: {error}", binary.display()))
}

/// Runs `binary` to its end with `stdin` as its input; panics with its output if it fails.
pub fn run(binary: &Path, args: &[&str], stdin: &str) -> String {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = Command::new(binary)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|error| panic!("cannot start {}: {error}", binary.display()));
    child.stdin.take().expect("a stdin").write_all(stdin.as_bytes()).expect("write to stdin");
    let output = child.wait_with_output().expect("the process ends");
    assert!(
        output.status.success(),
        "{} {args:?} failed ({}): {}",
        binary.display(),
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("UTF-8")
}
