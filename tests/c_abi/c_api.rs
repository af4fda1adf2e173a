//! The C ABI from C and C++: compiles `tests/c/*.c`, `tests/c/header_cpp.cpp`
//! and `examples/c/verify.c` with `-std=c11 -Wall -Wextra -Werror` against the
//! static library built for this `cargo test`, runs them from the repository
//! root, and compares their JSON with the Rust API's.
//!
//! The static library is the `kakunin_capi` example
//! (`target/<profile>/examples/libkakunin_capi.a`, honouring CARGO_TARGET_DIR),
//! which `cargo test` builds with the `capi` feature. Compilers: `$CC` (default
//! `cc`) and `$CXX` (default `c++`).

use crate::support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The link flags the static library needs besides itself (also in
/// kakunin.pc.in `Libs.private` and in README).
const NATIVE_LIBS: &[&str] = &["-lpthread", "-ldl", "-lm"];
const C_FLAGS: &[&str] = &["-std=c11", "-Wall", "-Wextra", "-Werror"];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The C ABI as a static library: `libkakunin_capi.a`, the `kakunin_capi`
/// example (Cargo.toml). Plain `cargo test` builds it; with a test filter
/// (`cargo test --test c_abi`) or from the unpacked package it is built here.
fn staticlib() -> PathBuf {
    static BUILT: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    BUILT
        .get_or_init(|| {
            let exe = std::env::current_exe().expect("test executable path");
            let profile_dir = exe.parent().and_then(Path::parent).expect("target/<profile>");
            let lib = profile_dir.join("examples/libkakunin_capi.a");
            if !lib.is_file() {
                let mut cmd = Command::new(env!("CARGO"));
                cmd.args(["build", "--example", "kakunin_capi", "--features", "capi"]);
                if profile_dir.file_name().is_some_and(|n| n == "release") {
                    cmd.arg("--release");
                }
                let status = cmd.current_dir(root()).status().expect("run cargo");
                assert!(status.success(), "cargo build --example kakunin_capi failed");
            }
            assert!(lib.is_file(), "{} not found", lib.display());
            lib
        })
        .clone()
}

fn out_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("c_api");
    std::fs::create_dir_all(&dir).expect("create tmp dir");
    dir
}

fn tool(var: &str, default: &str) -> String {
    std::env::var(var).unwrap_or_else(|_| default.to_owned())
}

fn check(what: &str, out: &Output) {
    assert!(
        out.status.success(),
        "{what} failed ({}):\n--- stdout\n{}\n--- stderr\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Compiles `sources` into `out` with `compiler`, linking the static library.
fn build(compiler: &str, flags: &[&str], sources: &[&Path], link: &[String], out: &Path) {
    let mut cmd = Command::new(compiler);
    cmd.args(flags).arg("-I").arg(root().join("include"));
    cmd.args(sources).args(link).arg("-o").arg(out);
    let res = cmd.output().unwrap_or_else(|e| panic!("cannot run {compiler}: {e}"));
    if !res.status.success() && String::from_utf8_lossy(&res.stderr).contains("undefined reference to `kakunin_") {
        panic!(
            "{} lacks the C ABI symbols: another checkout sharing this CARGO_TARGET_DIR may have \
             overwritten it (staticlib names carry no hash); use a target dir of your own.\n{}",
            staticlib().display(),
            String::from_utf8_lossy(&res.stderr)
        );
    }
    check(&format!("{compiler} {:?}", sources), &res);
}

fn default_link() -> Vec<String> {
    let mut v = vec![staticlib().display().to_string()];
    v.extend(NATIVE_LIBS.iter().map(|s| s.to_string()));
    v
}

fn run(exe: &Path, args: &[&str]) -> Output {
    Command::new(exe)
        .args(args)
        .current_dir(root())
        .env_remove("RUST_BACKTRACE")
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", exe.display()))
}

/// Builds `tests/c/NAME.c` against the static library, runs it from the
/// repository root and expects "NAME: all checks passed".
fn run_c_test(name: &str) {
    let exe = out_dir().join(name);
    let src = format!("tests/c/{name}.c");
    build(&tool("CC", "cc"), C_FLAGS, &[&root().join(&src)], &default_link(), &exe);
    let out = run(&exe, &[]);
    check(&src, &out);
    assert!(String::from_utf8_lossy(&out.stdout).contains(&format!("{name}: all checks passed")));
}

/// Committed fixtures under `dir` equal what the test issuer mints today
/// (`KAKUNIN_BLESS_FIXTURES=1 cargo test --test c_abi c_api::` rewrites them).
fn fixtures_are_current(dir: &str, fixtures: Vec<(&'static str, Vec<u8>)>) {
    let dir = root().join(dir);
    let bless = std::env::var_os("KAKUNIN_BLESS_FIXTURES").is_some();
    for (name, bytes) in fixtures {
        let path = dir.join(name);
        if bless {
            std::fs::create_dir_all(&dir).expect("mkdir");
            std::fs::write(&path, &bytes).expect("write fixture");
        }
        let committed = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(
            committed == bytes,
            "{} is out of date: KAKUNIN_BLESS_FIXTURES=1 cargo test --test c_abi c_api::",
            path.display()
        );
    }
}

fn c_test_binary() -> PathBuf {
    let exe = out_dir().join("test_api");
    build(
        &tool("CC", "cc"),
        C_FLAGS,
        &[&root().join("tests/c/test_api.c")],
        &default_link(),
        &exe,
    );
    exe
}

/// The JSON of the Annex D verification at 2021-01-01, through the Rust API.
fn rust_annex_d_json(at: &str) -> String {
    use kakunin::{Curve, DeviceAuthInput, ReaderKey, SessionTranscript, TrustStore, UnixTime, Verifier};
    let dir = root().join("tests/data/iso18013-5-annex-d");
    let hex = |name: &str| {
        let text = std::fs::read_to_string(dir.join(name)).expect("test vector");
        hex::decode(text.split_whitespace().collect::<String>()).expect("hex")
    };
    let trust = TrustStore::from_pem_or_der(&std::fs::read(dir.join("iaca_cert.pem")).expect("iaca")).expect("anchor");
    let transcript = SessionTranscript::from_bytes(&hex("session_transcript_bytes.hex")).expect("transcript");
    let key = ReaderKey::from_scalar(Curve::P256, &hex("e_reader_key.d.hex")).expect("reader key");
    let auth = DeviceAuthInput {
        session_transcript: Some(&transcript),
        reader_key: Some(&key),
    };
    let now = UnixTime::parse_rfc3339(at).expect("time");
    Verifier::new(trust)
        .verify_device_response(&hex("device_response.hex"), auth, now)
        .to_json()
}

#[test]
fn c_tests_pass() {
    let exe = c_test_binary();
    let out = run(&exe, &[]);
    check("tests/c/test_api.c", &out);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("test_api: all checks passed"), "{stdout}");
    // The caught panic left its message on stderr, and the process went on.
    assert!(String::from_utf8_lossy(&out.stderr).contains("kakunin_debug_panic"));
}

/// The reader session through the C ABI (tests/c/test_session.c): the
/// Annex D replay, tampered SessionData, misuse order, NULL arguments.
#[test]
fn c_session_tests_pass() {
    run_c_test("test_session");
}

/// Answers through the C ABI refuse a loyalty-card docType vouching an mDL
/// age element (tests/c/test_session.c `--loyalty`, fed a response minted
/// here by the test issuer).
#[test]
fn c_answers_refuse_a_loyalty_card() {
    use support::{full_date, mint, text, transcript_bytes, MdocSpec, TestPki, MDL_NS};
    let dir = out_dir().join("loyalty");
    std::fs::create_dir_all(&dir).expect("create dir");
    let pki = TestPki::new();
    let spec = MdocSpec {
        doc_type: "com.example.loyalty.1".into(),
        namespaces: vec![(
            MDL_NS.into(),
            vec![
                ("age_over_20".into(), ciborium::Value::Bool(true)),
                ("family_name".into(), text("Yamada")),
                ("birth_date".into(), full_date("1990-04-01")),
            ],
        )],
        ..MdocSpec::default()
    };
    std::fs::write(dir.join("iaca.der"), &pki.iaca_der).expect("write");
    std::fs::write(dir.join("response.cbor"), mint(&pki, &spec)).expect("write");
    std::fs::write(dir.join("transcript.cbor"), transcript_bytes()).expect("write");
    let exe = out_dir().join("test_session_loyalty");
    build(
        &tool("CC", "cc"),
        C_FLAGS,
        &[&root().join("tests/c/test_session.c")],
        &default_link(),
        &exe,
    );
    let out = run(&exe, &["--loyalty", dir.to_str().expect("utf-8 path")]);
    check("tests/c/test_session.c --loyalty", &out);
    assert!(String::from_utf8_lossy(&out.stdout).contains("--loyalty: all checks passed"));
}

#[test]
fn c_json_is_the_rust_json() {
    let exe = out_dir().join("test_api_json");
    build(
        &tool("CC", "cc"),
        C_FLAGS,
        &[&root().join("tests/c/test_api.c")],
        &default_link(),
        &exe,
    );
    let out = run(&exe, &["--json"]);
    check("test_api --json", &out);
    let c_json = String::from_utf8(out.stdout).expect("UTF-8 JSON");
    assert_eq!(c_json.trim_end(), rust_annex_d_json("2021-01-01T00:00:00Z"));
    assert!(c_json.starts_with("{\"status\":\"valid\""));
}

#[test]
fn c_example_verifies_annex_d() {
    let exe = out_dir().join("verify");
    build(
        &tool("CC", "cc"),
        C_FLAGS,
        &[&root().join("examples/c/verify.c")],
        &default_link(),
        &exe,
    );
    // No arguments: the bundled Annex D sample, valid, exit 0.
    let out = run(&exe, &[]);
    check("examples/c/verify.c", &out);
    let text = String::from_utf8_lossy(&out.stdout);
    for line in [
        "Verifying the bundled ISO 18013-5 Annex D sample at 2021-01-01T00:00:00Z (DeviceMac with the Annex D reader key)",
        "Result: VALID",
        "Document 0: org.iso.18013.5.1.mDL — verified",
        "  issuer:      C=US,CN=utopia ds (serial 3c4416eed784f3b413e48f56f075abfa6d87eb84)",
        "  device auth: mac",
        "  [org.iso.18013.5.1]",
        "    family_name                  Doe",
        "    issue_date                   \"2019-10-20\"",
        "    portrait                     <1042 bytes>",
    ] {
        assert!(text.lines().any(|l| l == line), "missing line {line:?} in:\n{text}");
    }
    // --json: the same JSON as the Rust API.
    let out = run(&exe, &["--json"]);
    check("verify --json", &out);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim_end(),
        rust_annex_d_json("2021-01-01T00:00:00Z")
    );
    // 2026: the DS certificate has expired; exit 1 and the same JSON.
    let out = run(&exe, &["--json", "--at", "2026-06-01T00:00:00Z"]);
    assert_eq!(out.status.code(), Some(1));
    let json = String::from_utf8_lossy(&out.stdout);
    assert!(json.contains("\"certificate_expired\""), "{json}");
    assert_eq!(json.trim_end(), rust_annex_d_json("2026-06-01T00:00:00Z"));
    // Explicit flags, `--flag=value` form, hex input: valid.
    let d = "tests/data/iso18013-5-annex-d/";
    let out = run(
        &exe,
        &[
            &format!("--device-response={d}device_response.hex"),
            "--trust-anchor",
            &format!("{d}iaca_cert.pem"),
            "--session-transcript",
            &format!("{d}session_transcript_bytes.hex"),
            "--reader-key",
            &format!("{d}e_reader_key.d.hex"),
            "--at",
            "2021-01-01T00:00:00Z",
        ],
    );
    check("verify with explicit flags", &out);
    // No reader key: deviceMac cannot be verified; exit 1.
    let out = run(
        &exe,
        &[
            "--device-response",
            &format!("{d}device_response.hex"),
            "--trust-anchor",
            &format!("{d}iaca_cert.pem"),
            "--session-transcript",
            &format!("{d}session_transcript_bytes.hex"),
            "--at",
            "2021-01-01T00:00:00Z",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("reader_key_missing"));
    // Usage and I/O errors: exit 2.
    assert_eq!(run(&exe, &["--bogus"]).status.code(), Some(2));
    assert_eq!(run(&exe, &["--at"]).status.code(), Some(2));
    assert_eq!(run(&exe, &["--at", "yesterday"]).status.code(), Some(2));
    assert_eq!(run(&exe, &["--clock-skew", "-5"]).status.code(), Some(2));
    assert_eq!(
        run(&exe, &["--device-response", "/nonexistent/response.cbor"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(run(&exe, &["--trust-anchor", "Cargo.toml"]).status.code(), Some(2));
}

#[test]
fn cpp_translation_unit_includes_the_header() {
    let exe = out_dir().join("header_cpp");
    build(
        &tool("CXX", "c++"),
        &["-std=c++11", "-Wall", "-Wextra", "-Werror", "-pedantic"],
        &[&root().join("tests/c/header_cpp.cpp")],
        &default_link(),
        &exe,
    );
    let out = run(&exe, &[]);
    check("header_cpp", &out);
    assert!(String::from_utf8_lossy(&out.stdout).contains("header_cpp: ok"));
}

/// The pkg-config file, installed into a scratch prefix with only the static
/// library, yields a link line that builds and runs the C tests; README
/// documents the same native libraries.
#[test]
fn pkg_config_and_documented_link_line() {
    let prefix = out_dir().join("prefix");
    std::fs::create_dir_all(prefix.join("lib/pkgconfig")).expect("mkdir");
    std::fs::create_dir_all(prefix.join("include")).expect("mkdir");
    std::fs::copy(staticlib(), prefix.join("lib/libkakunin.a")).expect("copy lib");
    std::fs::copy(root().join("include/kakunin.h"), prefix.join("include/kakunin.h")).expect("copy header");
    let pc_in = std::fs::read_to_string(root().join("kakunin.pc.in")).expect("kakunin.pc.in");
    let pc = pc_in.replace("@PREFIX@", &prefix.display().to_string());
    std::fs::write(prefix.join("lib/pkgconfig/kakunin.pc"), &pc).expect("write .pc");
    assert!(pc
        .lines()
        .any(|l| l == format!("Version: {}", env!("CARGO_PKG_VERSION"))));
    assert!(pc
        .lines()
        .any(|l| l == format!("Libs.private: {}", NATIVE_LIBS.join(" "))));

    // `pkg-config --static --cflags --libs kakunin`, or the same by hand.
    let flags = match Command::new("pkg-config")
        .args(["--static", "--cflags", "--libs", "kakunin"])
        .env("PKG_CONFIG_PATH", prefix.join("lib/pkgconfig"))
        .output()
    {
        Ok(o) if o.status.success() => String::from_utf8_lossy(&o.stdout).into_owned(),
        _ => {
            let get = |k: &str| {
                pc.lines()
                    .find_map(|l| l.strip_prefix(k))
                    .unwrap_or_default()
                    .to_owned()
            };
            let lib = prefix.join("lib").display().to_string();
            let inc = prefix.join("include").display().to_string();
            format!("{} {} {}", get("Cflags: "), get("Libs: "), get("Libs.private: "))
                .replace("${includedir}", &inc)
                .replace("${libdir}", &lib)
        }
    };
    let flags: Vec<String> = flags.split_whitespace().map(str::to_owned).collect();
    let exe = out_dir().join("test_api_pkgconfig");
    build(
        &tool("CC", "cc"),
        C_FLAGS,
        &[&root().join("tests/c/test_api.c")],
        &flags,
        &exe,
    );
    check("test_api via pkg-config", &run(&exe, &[]));

    let readme = std::fs::read_to_string(root().join("README.md")).expect("README");
    let line = format!(
        "cc -std=c11 -Iinclude app.c target/release/libkakunin.a {}",
        NATIVE_LIBS.join(" ")
    );
    assert!(
        readme.contains(&line),
        "README must document the static link line `{line}`"
    );
}

/// The C snippet of README's "Use from C / Swift / Kotlin" section compiles
/// with the documented flags and verifies the Annex D sample.
#[test]
fn readme_c_snippet_works() {
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README");
    let start = readme.find("```c\n").expect("a ```c block in README") + 5;
    let len = readme[start..].find("```").expect("end of the ```c block");
    let main = r#"
#include <stdlib.h>
#include <string.h>
static uint8_t *load(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) exit(3);
    static uint8_t raw[65536];
    size_t n = fread(raw, 1, sizeof raw, f);
    fclose(f);
    uint8_t *out = malloc(n + 1);
    if (!out) exit(3);
    if (strstr(path, ".pem")) { memcpy(out, raw, n); *len = n; return out; }
    size_t k = 0;
    for (size_t i = 0; i + 1 < n; i += 2) {
        if (raw[i] == '\n') { i--; continue; }
        char h[3] = {(char)raw[i], (char)raw[i + 1], 0};
        out[k++] = (uint8_t)strtoul(h, NULL, 16);
    }
    *len = k;
    return out;
}
int main(void) {
    const char *d = "tests/data/iso18013-5-annex-d/";
    char p[256];
    size_t pem_len, resp_len, st_len, key_len;
    snprintf(p, sizeof p, "%siaca_cert.pem", d); uint8_t *pem = load(p, &pem_len);
    snprintf(p, sizeof p, "%sdevice_response.hex", d); uint8_t *resp = load(p, &resp_len);
    snprintf(p, sizeof p, "%ssession_transcript_bytes.hex", d); uint8_t *st = load(p, &st_len);
    snprintf(p, sizeof p, "%se_reader_key.d.hex", d); uint8_t *key = load(p, &key_len);
    kakunin_reader_key *rk = NULL;
    if (kakunin_reader_key_from_scalar(1, key, key_len, &rk) != KAKUNIN_OK) return 4;
    int valid = verify(pem, pem_len, resp, resp_len, st, st_len, rk, 1609459200);
    kakunin_reader_key_free(rk);
    free(pem); free(resp); free(st); free(key);
    return valid ? 0 : 1;
}
"#;
    let src = out_dir().join("readme_snippet.c");
    std::fs::write(&src, format!("{}{main}", &readme[start..start + len])).expect("write snippet");
    let exe = out_dir().join("readme_snippet");
    build(&tool("CC", "cc"), C_FLAGS, &[&src], &default_link(), &exe);
    let out = run(&exe, &[]);
    check("README C snippet", &out);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("family_name: Doe"), "{stdout}");
    assert!(stdout.contains(&rust_annex_d_json("2021-01-01T00:00:00Z")), "{stdout}");
}

/// The session snippet of README's "Use from C / Swift / Kotlin" section
/// compiles and, driven by the recorded Annex D session (its EReaderKey
/// injected), verifies the decrypted response and sends the termination.
#[test]
fn readme_c_session_snippet_works() {
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README");
    let section = readme
        .find("**A proximity session from C.**")
        .expect("session section in README");
    let start = section + readme[section..].find("```c\n").expect("a ```c block") + 5;
    let len = readme[start..].find("```").expect("end of the ```c block");
    let main = r#"
#include <stdlib.h>
#include <string.h>
static uint8_t *load(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) exit(3);
    static uint8_t raw[65536];
    size_t n = fread(raw, 1, sizeof raw, f);
    fclose(f);
    uint8_t *out = malloc(n / 2 + 1);
    if (!out) exit(3);
    size_t k = 0;
    for (size_t i = 0; i + 1 < n; i += 2) {
        char h[3] = {(char)raw[i], (char)raw[i + 1], 0};
        out[k++] = (uint8_t)strtoul(h, NULL, 16);
    }
    *len = k;
    return out;
}
static int sent = 0;
static void send_msg(const uint8_t *b, size_t n) { (void)b; if (n > 0) sent++; }
static uint8_t *reply; static size_t reply_len;
static size_t recv_msg(const uint8_t **out) { *out = reply; return reply_len; }
int main(void) {
    size_t hs_len, hr_len, pem_len, key_len;
    uint8_t *hs = load("tests/data/iso18013-5-annex-d/handover_select.hex", &hs_len);
    uint8_t *hr = load("tests/data/iso18013-5-annex-d/handover_request.hex", &hr_len);
    uint8_t *key = load("tests/data/iso18013-5-annex-d/e_reader_key.d.hex", &key_len);
    reply = load("tests/data/iso18013-5-annex-d/session_data_device_response.hex", &reply_len);
    FILE *f = fopen("tests/data/iso18013-5-annex-d/iaca_cert.pem", "rb");
    if (!f) return 3;
    static uint8_t pem[8192];
    pem_len = fread(pem, 1, sizeof pem, f);
    fclose(f);
    kakunin_trust_store *trust = NULL;
    kakunin_verifier *verifier = NULL;
    kakunin_reader_key *rk = NULL;
    if (kakunin_trust_store_from_pem_or_der(pem, pem_len, &trust) || kakunin_verifier_new(trust, &verifier) ||
        kakunin_reader_key_from_scalar(1, key, key_len, &rk)) return 4;
    int valid = read_age_over_21(hs, hs_len, hr, hr_len, verifier, rk, 1609459200, send_msg, recv_msg);
    printf("valid=%d sent=%d\n", valid, sent);
    kakunin_reader_key_free(rk); kakunin_verifier_free(verifier); kakunin_trust_store_free(trust);
    free(hs); free(hr); free(key); free(reply);
    return valid && sent == 2 ? 0 : 1;
}
"#;
    let src = out_dir().join("readme_session_snippet.c");
    let head = "#include \"kakunin.h\"\n#include <stdio.h>\n";
    std::fs::write(&src, format!("{head}{}{main}", &readme[start..start + len])).expect("write snippet");
    let exe = out_dir().join("readme_session_snippet");
    build(&tool("CC", "cc"), C_FLAGS, &[&src], &default_link(), &exe);
    let out = run(&exe, &[]);
    check("README C session snippet", &out);
    assert!(String::from_utf8_lossy(&out.stdout).contains("valid=1 sent=2"));
}

/// On a minted My Number Card response (basic four items, audit record) and
/// on Annex D, the C tool prints exactly what the Rust tool prints, in every
/// output mode.
#[test]
fn c_example_output_equals_rust_example() {
    use support::{jp_mnc, transcript_bytes, TestPki};
    let dir = out_dir().join("mnc");
    std::fs::create_dir_all(&dir).expect("mkdir");
    let pki = TestPki::new();
    let write = |name: &str, bytes: &[u8]| {
        let p = dir.join(name);
        std::fs::write(&p, bytes).expect("write");
        p.display().to_string()
    };
    let resp = write("response.cbor", &jp_mnc::hanako().response(&pki));
    let iaca = write("iaca.der", &pki.iaca_der);
    let tr = write("transcript.cbor", &transcript_bytes());
    let c_exe = out_dir().join("verify_parity");
    build(
        &tool("CC", "cc"),
        C_FLAGS,
        &[&root().join("examples/c/verify.c")],
        &default_link(),
        &c_exe,
    );
    let rust_exe = support::examples::example("verify");
    let mnc = [
        "--device-response",
        resp.as_str(),
        "--trust-anchor",
        iaca.as_str(),
        "--session-transcript",
        tr.as_str(),
        "--at",
        "2024-01-01T00:00:00Z",
    ];
    let mut cases: Vec<Vec<&str>> = Vec::new();
    for extra in [
        &[][..],
        &["--audit"],
        &["--json"],
        &["--json", "--audit"],
        &["--issuer-only"],
    ] {
        let mut a = mnc.to_vec();
        a.extend_from_slice(extra);
        cases.push(a);
        cases.push(extra.to_vec()); // the bundled Annex D sample
    }
    cases.push(vec!["--at", "2026-06-01T00:00:00Z"]);
    for args in &cases {
        let c = run(&c_exe, args);
        let r = run(&rust_exe, args);
        assert_eq!(
            String::from_utf8_lossy(&c.stdout),
            String::from_utf8_lossy(&r.stdout),
            "C and Rust verify differ for {args:?}"
        );
        assert_eq!(c.status.code(), r.status.code(), "exit codes differ for {args:?}");
    }
    let out = String::from_utf8_lossy(&run(&c_exe, &mnc).stdout).into_owned();
    assert!(out.contains("氏名 (name):         𠮷田\u{3000}花子\n"), "{out}");
}

/// Where `tests/c/test_trust.c` finds the revocation material the test issuer
/// minted (committed, so that CI's sanitizer and valgrind runs need no Rust).
const DERIVED: &str = "tests/data/derived/ffi-revocation";

/// The files of [`DERIVED`], minted by the deterministic test issuer
/// (fixed keys, RFC 6979 signatures, times around 2024-01-01T00:00:00Z).
fn revocation_fixtures() -> Vec<(&'static str, Vec<u8>)> {
    use support::revocation::{
        issue_crl, status_list_ref, status_signer, status_token, CrlSpec, TokenSpec, STATUS_URI,
    };
    use support::{mint, MdocSpec, TestPki};
    let pki = TestPki::new();
    let with_status = |idx: u64| MdocSpec {
        mso_status: Some(status_list_ref(idx, STATUS_URI)),
        ..MdocSpec::default()
    };
    let crl = |serials: Vec<u8>| {
        let mut s = CrlSpec::of(&pki);
        s.revoked_serials = serials;
        issue_crl(&s, &pki.iaca_key)
    };
    let (signer_key, signer_der) = status_signer(&pki);
    // Index 0 valid, 3 revoked (2-bit entries).
    let token = status_token(
        &TokenSpec::status_list(&signer_der, 2, vec![0, 0, 0, 1, 2, 0, 3]),
        &signer_key,
    );
    vec![
        ("iaca.der", pki.iaca_der.clone()),
        ("ds.der", pki.ds_der.clone()),
        ("response_status0.cbor", mint(&pki, &with_status(0))),
        ("response_status3.cbor", mint(&pki, &with_status(3))),
        ("crl_empty.der", crl(vec![])),
        ("crl_revoking_ds.der", crl(vec![9, 2])),
        ("status_list.cwt", token),
    ]
}

/// The committed fixtures are what the test issuer mints today
/// (`KAKUNIN_BLESS_FIXTURES=1 cargo test --test c_abi c_api::` rewrites them).
#[test]
fn derived_revocation_fixtures_are_current() {
    fixtures_are_current(DERIVED, revocation_fixtures());
}

/// OpenID4VP 1.0 through the C ABI (`tests/c/test_openid4vp.c`): request,
/// state round trip, vp_token and JWE response verification.
#[test]
fn c_openid4vp_tests_pass() {
    run_c_test("test_openid4vp");
}

/// Scoped and explicit-role anchors, VICALs and revocation through the C ABI
/// (`tests/c/test_trust.c`).
#[test]
fn c_trust_and_revocation_tests_pass() {
    run_c_test("test_trust");
}

/// Where `tests/c/test_device_elements.c` finds its inputs (committed, so that
/// CI's sanitizer and valgrind runs need no Rust).
const DEVICE_ELEMENTS: &str = "tests/data/derived/ffi-device-elements";

/// A DeviceResponse whose device signs a `family_name` of its own next to the
/// issuer's, and a `device_only` element (keyAuthorizations: the whole mDL
/// namespace); the IACA; the transcript. Deterministic test issuer.
fn device_elements_fixtures() -> Vec<(&'static str, Vec<u8>)> {
    use support::{mint, text, transcript_bytes, MdocSpec, TestPki, MDL_NS};
    let pki = TestPki::new();
    let spec = MdocSpec {
        key_authorized_namespaces: vec![MDL_NS.into()],
        device_namespaces: vec![(
            MDL_NS.into(),
            vec![
                ("family_name".into(), text("Forged")),
                ("device_only".into(), text("holder says")),
            ],
        )],
        ..MdocSpec::default()
    };
    vec![
        ("response.cbor", mint(&pki, &spec)),
        ("iaca.der", pki.iaca_der.clone()),
        ("transcript.cbor", transcript_bytes()),
    ]
}

/// The committed device-element fixtures are what the test issuer mints today
/// (`KAKUNIN_BLESS_FIXTURES=1 cargo test --test c_abi c_api::` rewrites them).
#[test]
fn derived_device_element_fixtures_are_current() {
    fixtures_are_current(DEVICE_ELEMENTS, device_elements_fixtures());
}

/// Issuer and device lookups stay apart (`tests/c/test_device_elements.c`):
/// the device signs a `family_name` of its own next to the issuer's, and the
/// issuer lookup must never return the holder-controlled value.
#[test]
fn c_find_element_is_issuer_signed_only() {
    run_c_test("test_device_elements");
}

/// Online presentations through the C ABI (`tests/c/test_online.c`): an
/// Annex C request and its stored state, the committed sealed Annex C answer
/// and Apple envelope (tests/data/derived/online), tampers, NULL arguments.
#[test]
fn c_online_tests_pass() {
    run_c_test("test_online");
}
