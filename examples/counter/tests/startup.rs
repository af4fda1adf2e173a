//! A bad configuration stops the counter at startup with one clear line
//! that names the file and the problem (exit status 2).

use std::path::{Path, PathBuf};
use std::process::Command;

fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("kakunin-counter-startup-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Runs the binary (it exits before listening); returns (status, stderr).
fn run(args: &[&str], cwd: &Path) -> (Option<i32>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_kakunin-counter"))
        .args(["--listen", "127.0.0.1:0"])
        .args(args)
        .current_dir(cwd)
        .output()
        .unwrap();
    (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
}

fn with_config(name: &str, text: &str) -> (PathBuf, (Option<i32>, String)) {
    let dir = scratch(name);
    let cfg = dir.join("counter.toml");
    std::fs::write(&cfg, text).unwrap();
    let r = run(&["--config", cfg.to_str().unwrap()], &dir);
    (dir, r)
}

#[test]
fn startup_missing_iaca_file_is_named() {
    let (dir, (code, err)) = with_config("iaca", "[trust]\niaca = [\"trust/missing-iaca.pem\"]\n");
    assert_eq!(code, Some(2), "{err}");
    let missing = dir.join("trust/missing-iaca.pem");
    assert!(
        err.contains(&missing.display().to_string()) && err.contains("cannot read"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
}

#[test]
fn startup_invalid_toml_names_the_config_file() {
    let (dir, (code, err)) = with_config("toml", "screen_clear_seconds = \n");
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains(&dir.join("counter.toml").display().to_string()), "{err}");
    assert!(err.contains("invalid TOML"), "{err}");
}

#[test]
fn startup_unknown_setting_and_no_trust_anchor() {
    let (_, (code, err)) = with_config("unknown", "screen_clear_secs = 30\n");
    assert_eq!(code, Some(2));
    assert!(err.contains("screen_clear_secs"), "{err}");
    let (_, (code, err)) = with_config("empty", "screen_clear_seconds = 30\n");
    assert_eq!(code, Some(2));
    assert!(err.contains("no trust anchor"), "{err}");
}

#[test]
fn startup_my_number_without_statutory_purpose_is_refused() {
    let iaca = Path::new(env!("CARGO_MANIFEST_DIR")).join("demo/demo-iaca.pem");
    let (_, (code, err)) = with_config(
        "number",
        &format!(
            "[trust]\niaca = [{:?}]\n[[request.document]]\ndoc_type = \"org.iso.23220.1.jp.mnc\"\n\
             namespaces = {{ \"org.iso.23220.1.jp\" = [\"full_name_unicode\", \"individual_number_unicode\"] }}\n",
            iaca.display().to_string()
        ),
    );
    assert_eq!(code, Some(2));
    assert!(
        err.contains("individual_number_unicode") && err.contains("statutory_purpose"),
        "{err}"
    );
}

#[test]
fn startup_without_config_file_says_which_file_it_looked_for() {
    let dir = scratch("none");
    let (code, err) = run(&[], &dir);
    assert_eq!(code, Some(2));
    assert!(
        err.contains("kakunin-counter.toml") && err.contains("cannot read"),
        "{err}"
    );
    assert!(err.contains("--demo") && err.contains("Run a counter"), "{err}");
}
