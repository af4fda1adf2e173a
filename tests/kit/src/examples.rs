//! What the tests that run programs share: the library's example binaries
//! (`verify`, `reader`) and a folder of its own per test for their files.
//!
//! The tests of one binary run as threads of one process, so a path named
//! after the process id alone would be shared by every test in it: each
//! caller gets a fresh folder instead.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// The library's root, where its Cargo.toml is (this crate is tests/kit).
fn library_root() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

/// The example binary `name`, built for this test's profile and features.
///
/// Integration tests live in `target/<profile>/deps`, examples in
/// `target/<profile>/examples`. Plain `cargo test` has built them already;
/// with a target filter (`cargo test --test cli`) it has not, or an older
/// build is there. So the first call of a process asks cargo to bring the example up to date (a
/// no-op after `cargo test`), with the crypto backend the test links, so
/// that the library is not rebuilt with other features. (`capi` comes with
/// the library's dev-dependencies, which examples always have.)
pub fn example(name: &str) -> PathBuf {
    static BUILT: Mutex<Vec<String>> = Mutex::new(Vec::new());
    let exe = std::env::current_exe().expect("test executable path");
    let profile_dir = exe.parent().and_then(Path::parent).expect("target/<profile>");
    let bin = profile_dir
        .join("examples")
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    let mut built = BUILT.lock().unwrap_or_else(|e| e.into_inner());
    if !built.iter().any(|b| b == name) {
        let mut cmd = Command::new(env!("CARGO"));
        cmd.args(["build", "--quiet", "--example", name]);
        // target/debug is the dev (and test) profile; any other folder is
        // named after its profile (release, profiling).
        match profile_dir.file_name().and_then(|n| n.to_str()) {
            Some("debug") | None => {}
            Some(profile) => {
                cmd.args(["--profile", profile]);
            }
        }
        if kakunin::internals::crypto::BACKEND == "aws-lc" {
            cmd.args(["--features", "aws-lc"]);
        }
        let status = cmd.current_dir(library_root()).status().expect("run cargo");
        assert!(status.success(), "cargo build --example {name} failed");
        built.push(name.to_owned());
    }
    assert!(bin.is_file(), "{} not found", bin.display());
    bin
}

/// A new, empty folder under the system temp folder, unique to this call
/// (process id and a counter); the caller removes it, or leaves it.
pub fn unique_dir(tag: &str) -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("kakunin-{tag}-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    dir
}

/// A [`unique_dir`] removed when dropped.
pub struct TempDir {
    dir: PathBuf,
}

impl TempDir {
    pub fn new(tag: &str) -> Self {
        TempDir { dir: unique_dir(tag) }
    }

    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// Writes `name` in the folder; returns its path as a command-line argument.
    pub fn put(&self, name: &str, bytes: impl AsRef<[u8]>) -> String {
        let p = self.dir.join(name);
        std::fs::write(&p, bytes).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        p.to_string_lossy().into_owned()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
