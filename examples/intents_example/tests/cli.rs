//! The example binary's `bindings` commands: what CI runs to keep committed bindings current.

use std::{
    path::{Path, PathBuf},
    process::{Command, Output},
};

/// A folder of its own under the system's temporary folder, removed when dropped.
struct TempFolder(PathBuf);

impl TempFolder {
    fn new(name: &str) -> Self {
        let path = std::env::temp_dir().join(format!(
            "rain-{name}-{}-{:?}",
            std::process::id(),
            std::time::SystemTime::now()
        ));
        Self(path)
    }
}

impl Drop for TempFolder {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The chat's history for the commands: none of them writes a database file (by default
/// `rain-chat.db` in the working folder, here the source tree).
const IN_MEMORY: &str = "sqlite::memory:";

fn example(args: &[&str], folder: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_intents-example"))
        .args(args)
        .arg(folder)
        .env_remove("RUST_LOG")
        .env("DATABASE_URL", IN_MEMORY)
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn bindings_write_then_check_succeeds() {
    let folder = TempFolder::new("cli-fresh");
    let written = example(&["bindings", "write"], &folder.0);
    assert!(written.status.success(), "{}", text(&written.stderr));
    assert!(folder.0.join("bindings.js").is_file());
    assert!(folder.0.join("bindings.d.ts").is_file());

    let checked = example(&["bindings", "check"], &folder.0);
    assert!(checked.status.success(), "{}", text(&checked.stderr));
    assert!(text(&checked.stdout).contains("up to date"));
}

#[test]
fn bindings_check_of_a_stale_folder_fails_with_the_diff() {
    let folder = TempFolder::new("cli-stale");
    assert!(example(&["bindings", "write"], &folder.0).status.success());
    let js = folder.0.join("bindings.js");
    let text_js = std::fs::read_to_string(&js).unwrap();
    let old = r#"moduleId: "chat-1.0","#;
    assert!(text_js.contains(old));
    std::fs::write(&js, text_js.replace(old, r#"moduleId: "chat-2.0","#)).unwrap();

    let checked = example(&["bindings", "check"], &folder.0);
    assert!(!checked.status.success(), "a stale folder passed the check");
    let stderr = text(&checked.stderr);
    assert!(stderr.contains("are stale"), "{stderr}");
    assert!(stderr.contains(r#"-    moduleId: "chat-2.0","#), "{stderr}");
    assert!(stderr.contains(r#"+    moduleId: "chat-1.0","#), "{stderr}");
}

#[test]
fn bindings_check_of_a_missing_folder_fails() {
    let folder = TempFolder::new("cli-missing");
    let checked = example(&["bindings", "check"], &folder.0);
    assert!(!checked.status.success());
    assert!(text(&checked.stderr).contains("are stale"));
}

#[test]
fn unknown_arguments_fail_with_the_usage() {
    let output = Command::new(env!("CARGO_BIN_EXE_intents-example"))
        .args(["bindings", "frobnicate"])
        .env("DATABASE_URL", IN_MEMORY)
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = text(&output.stderr);
    assert!(stderr.contains("bindings write <folder>"), "{stderr}");
}
