//! The counter in a real browser: headless Chromium driven over WebDriver
//! (chromedriver) against the real `kakunin-counter` binary.
//!
//! The only thing replaced is `navigator.credentials.get`: a shim hands the
//! Digital Credentials API request to the simulated phone
//! (`kakunin_counter::wallet`, minted by the library's test issuer) running
//! in this test, and returns its response to the page. Request creation, the
//! page, the POST, HPKE decryption, verification, rendering and the audit
//! log are the real thing.
//!
//! Needs `chromium` and `chromium-driver` (Debian). Without chromedriver the
//! tests are skipped with a loud message — except under CI (`CI` set), where
//! they fail.

use fantoccini::{Client, ClientBuilder, Locator};
use kakunin_counter::wallet::{self, Variant};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// One browser at a time (two shared cores).
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Personal data of the demo card: none of it may reach the audit file.
const PERSONAL: &[&str] = &[
    "𠮷田",
    "花子",
    "霞が関",
    "千代田区",
    "ハイツ",
    "平成2年",
    "1990-04-01",
    "123456789018",
    "改竄",
];

struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// chromedriver; dropping it asks chromedriver to shut down (its
/// `/shutdown` endpoint quits the browsers of its sessions, then itself),
/// so no Chromium is left behind even when a test fails before closing
/// its session. Only this child process is ever signalled.
struct Driver {
    child: Child,
    port: u16,
}

impl Drop for Driver {
    fn drop(&mut self) {
        use std::io::{Read, Write};
        if let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", self.port)) {
            let _ = s.set_read_timeout(Some(Duration::from_secs(10)));
            let _ = s.write_all(b"GET /shutdown HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
            let _ = s.read_to_end(&mut Vec::new());
        }
        for _ in 0..100 {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The workspace's target folder, canonical: Chromium cannot start with a
/// `--user-data-dir` that has `..` in it.
fn workspace_target() -> PathBuf {
    let t = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    std::fs::create_dir_all(&t).unwrap();
    t.canonicalize().unwrap()
}

fn scratch(name: &str) -> PathBuf {
    let d = workspace_target()
        .join("kakunin-counter-tests")
        .join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn chromedriver() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("CHROMEDRIVER") {
        return Some(PathBuf::from(p));
    }
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join("chromedriver"))
            .find(|p| p.is_file())
    })
}

/// `None` (after a loud message) when the browser tests cannot run here.
fn require_chromedriver() -> Option<PathBuf> {
    match chromedriver() {
        Some(p) => Some(p),
        None if std::env::var_os("CI").is_some() => {
            panic!("chromedriver not found, and CI is set: install chromium and chromium-driver")
        }
        None => {
            eprintln!(
                "\n*** SKIPPED browser test: chromedriver not found. Install it with \
                 `apt-get install -y chromium chromium-driver` to run the browser tests. ***\n"
            );
            None
        }
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Starts the counter binary; returns it and the page URL it printed.
fn start_counter(args: &[&str], cwd: &Path) -> (Proc, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kakunin-counter"))
        .args(["--listen", "127.0.0.1:0"])
        .args(args)
        .current_dir(cwd)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start kakunin-counter");
    let stdout = child.stdout.take().unwrap();
    let proc = Proc(child);
    let mut lines = BufReader::new(stdout).lines();
    let url = loop {
        let line = lines.next().expect("counter exited before printing its URL").unwrap();
        if let Some(u) = line.split("counter page: ").nth(1) {
            break u.trim().to_owned();
        }
    };
    // Keep draining stdout so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    (proc, url)
}

/// Starts chromedriver and a headless Chromium session.
async fn browser(driver: &Path, profile: &Path) -> (Driver, Client) {
    let port = free_port();
    let child = Command::new(driver)
        .arg(format!("--port={port}"))
        .arg(format!(
            "--log-path={}",
            profile.with_extension("chromedriver.log").display()
        ))
        // cargo points the dynamic loader at the toolchain's libraries for
        // test binaries; the browser must load its own.
        .env_remove("LD_LIBRARY_PATH")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromedriver");
    let proc = Driver { child, port };
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "chromedriver did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
    let mut opts = json!({
        "args": [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--disable-dev-shm-usage", "--window-size=1100,1000", "--lang=ja",
            format!("--user-data-dir={}", profile.display()),
        ],
    });
    for bin in ["/usr/bin/chromium", "/usr/bin/chromium-browser"] {
        if Path::new(bin).exists() {
            opts["binary"] = json!(bin);
            break;
        }
    }
    let mut caps = serde_json::Map::new();
    caps.insert("goog:chromeOptions".into(), opts);
    let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .expect("WebDriver session");
    (proc, client)
}

/// Polls `script` until it returns something other than null/false.
async fn wait_for(c: &Client, script: &str, what: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let v = c.execute(script, vec![]).await.unwrap();
        if !v.is_null() && v != json!(false) {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn body_text(c: &Client) -> String {
    c.find(Locator::Css("body")).await.unwrap().text().await.unwrap()
}

/// Replaces navigator.credentials.get with a shim that parks the request
/// for the simulated phone.
const SHIM: &str = r#"
navigator.credentials.get = (options) => new Promise((resolve, reject) => {
  window.__wallet = { request: JSON.stringify(options.digital), resolve, reject };
});
return true;
"#;

/// Presses 「確認する」, lets the simulated phone answer with `variant`,
/// and waits for the verdict.
async fn verify_once(c: &Client, variant: Variant) -> String {
    c.execute("window.__wallet = null; return true;", vec![]).await.unwrap();
    c.find(Locator::Css("#verify")).await.unwrap().click().await.unwrap();
    let request = wait_for(
        c,
        "return window.__wallet ? window.__wallet.request : null;",
        "the request",
    )
    .await;
    let origin = c.execute("return window.location.origin;", vec![]).await.unwrap();
    let digital: Value = serde_json::from_str(request.as_str().unwrap()).unwrap();
    let credential = wallet::present(&digital, origin.as_str().unwrap(), variant).expect("simulated phone");
    c.execute("window.__wallet.resolve(arguments[0]); return true;", vec![credential])
        .await
        .unwrap();
    wait_for(
        c,
        "const t = document.querySelector('#verdict .text').textContent; return t ? t : null;",
        "the verdict",
    )
    .await;
    body_text(c).await
}

async fn screenshot(c: &Client, name: &str) -> PathBuf {
    let dir = workspace_target().join("kakunin-counter-screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{name}.png"));
    std::fs::write(&path, c.screenshot().await.unwrap()).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    assert!(
        bytes.starts_with(b"\x89PNG\r\n\x1a\n") && bytes.len() > 1000,
        "{}",
        path.display()
    );
    path
}

/// A counter configured with the demo IACA as its (only) trust anchor —
/// not `--demo`: the real configuration path.
fn configured_counter(name: &str, clear_seconds: u32) -> (Proc, String, PathBuf) {
    let dir = scratch(name);
    let iaca = Path::new(env!("CARGO_MANIFEST_DIR")).join("demo/demo-iaca.pem");
    std::fs::write(
        dir.join("kakunin-counter.toml"),
        format!(
            "screen_clear_seconds = {clear_seconds}\n[trust]\niaca = [{:?}]\n",
            iaca.display().to_string()
        ),
    )
    .unwrap();
    let db = dir.join("audit.sqlite3");
    let (proc, url) = start_counter(
        &[
            "--config",
            dir.join("kakunin-counter.toml").to_str().unwrap(),
            "--audit-db",
            db.to_str().unwrap(),
        ],
        &dir,
    );
    (proc, url, db)
}

/// The audit file has `n` rows and no personal data anywhere in it.
fn check_audit(db: &Path, n: usize, verdicts: &[&str]) {
    let conn = rusqlite::Connection::open(db).unwrap();
    let rows: Vec<(String, String)> = conn
        .prepare("SELECT verdict, error_codes FROM audit ORDER BY id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    drop(conn);
    assert_eq!(rows.len(), n, "{rows:?}");
    for (row, want) in rows.iter().zip(verdicts) {
        assert_eq!(row.0, *want, "{rows:?}");
    }
    let mut raw = std::fs::read(db).unwrap();
    for side in ["-journal", "-wal"] {
        raw.extend(std::fs::read(format!("{}{side}", db.display())).unwrap_or_default());
    }
    let text = String::from_utf8_lossy(&raw);
    for p in PERSONAL {
        assert!(!text.contains(p), "the audit file holds {p:?}");
        assert!(
            !raw.windows(p.len()).any(|w| w == p.as_bytes()),
            "the audit file holds {p:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_my_number_card_verified_then_screen_clears() {
    let Some(driver) = require_chromedriver() else { return };
    let _serial = SERIAL.lock().await;
    let (_counter, url, db) = configured_counter("verified", 8);
    let profile = scratch("verified-profile");
    let (_driver, c) = browser(&driver, &profile).await;
    c.goto(&url).await.unwrap();
    wait_for(&c, "return document.body.dataset.ready === '1';", "the page").await;
    let start = body_text(&c).await;
    assert!(start.contains("確認する"), "{start}");
    assert!(!start.contains("デモ"), "not a demo: {start}");
    assert!(!start.contains("カードリーダーで確認"), "no reader configured: {start}");
    c.execute(SHIM, vec![]).await.unwrap();

    let text = verify_once(&c, Variant::Valid).await;
    assert!(text.contains("確認できました"), "{text}");
    assert!(!text.contains("確認できません"), "{text}");
    for want in [
        "氏名",
        "𠮷田\u{3000}花子",
        "住所",
        "東京都千代田区霞が関一丁目２番３号\u{3000}𠮷野ハイツ１０１号",
        "生年月日",
        "平成2年4月1日",
        "性別",
        "女",
        "20歳以上: はい（根拠: age_over_20）",
    ] {
        assert!(text.contains(want), "missing {want:?} in {text}");
    }
    assert!(
        !text.contains("個人番号"),
        "the My Number is never requested without a purpose: {text}"
    );
    let portrait = c
        .execute(
            "const i = document.querySelector('img.portrait'); return i ? i.naturalWidth : 0;",
            vec![],
        )
        .await
        .unwrap();
    assert!(portrait.as_u64().unwrap_or(0) > 0, "portrait not rendered");
    // The verdict is in words and colour: the class carries the colour.
    let class = c
        .execute("return document.querySelector('#verdict').className;", vec![])
        .await
        .unwrap();
    assert_eq!(class, json!("verdict ok"));
    screenshot(&c, "verified-ja").await;

    // English, same verdict.
    c.find(Locator::Css("#lang")).await.unwrap().click().await.unwrap();
    let en = body_text(&c).await;
    assert!(
        en.contains("Verified") && en.contains("20 or older: yes (evidence: age_over_20)"),
        "{en}"
    );
    assert!(en.contains("Name") && en.contains("𠮷田\u{3000}花子"), "{en}");
    screenshot(&c, "verified-en").await;

    // The screen clears itself (8 s in this configuration).
    wait_for(
        &c,
        "return document.querySelector('#result').hidden && document.querySelector('#documents').children.length === 0;",
        "the screen to clear",
    )
    .await;
    let after = body_text(&c).await;
    assert!(!after.contains("花子"), "{after}");

    // The audit page and the CSV list the one verification.
    c.goto(&format!("{url}audit")).await.unwrap();
    let audit = body_text(&c).await;
    assert!(
        audit.contains("確認できました / valid") && audit.contains("org.iso.23220.1.jp.mnc"),
        "{audit}"
    );
    let csv = c
        .execute("return fetch('/audit.csv').then(r => r.text());", vec![])
        .await
        .unwrap();
    let csv = csv.as_str().unwrap();
    assert_eq!(csv.lines().count(), 2, "{csv}");
    assert!(csv.starts_with("id,time,channel,verdict"), "{csv}");
    assert!(csv.contains("full_name_unicode") && !csv.contains("花子"), "{csv}");
    c.close().await.unwrap();
    check_audit(&db, 1, &["valid"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_tampered_untrusted_and_garbled_responses_are_refused_in_japanese() {
    let Some(driver) = require_chromedriver() else { return };
    let _serial = SERIAL.lock().await;
    let (_counter, url, db) = configured_counter("refused", 120);
    let profile = scratch("refused-profile");
    let (_driver, c) = browser(&driver, &profile).await;
    c.goto(&url).await.unwrap();
    wait_for(&c, "return document.body.dataset.ready === '1';", "the page").await;
    c.execute(SHIM, vec![]).await.unwrap();

    let cases = [
        (
            Variant::Tampered,
            "記載事項が発行時から書き換えられています（改ざんされています）。",
            "digest_mismatch",
            "tampered",
        ),
        (
            Variant::Untrusted,
            "発行元が信頼できる発行元として登録されていません。",
            "issuer_chain_untrusted",
            "untrusted-issuer",
        ),
        (
            Variant::Garbled,
            "スマートフォンからの応答を復号できませんでした（改ざん、または別の要求への応答です）。",
            "hpke_decrypt_failed",
            "garbled",
        ),
    ];
    for (variant, reason, code, shot) in cases {
        let text = verify_once(&c, variant).await;
        assert!(text.contains("確認できません"), "{variant:?}: {text}");
        assert!(!text.contains("確認できました"), "{variant:?}: {text}");
        assert!(text.contains(reason), "{variant:?}: missing {reason:?} in {text}");
        assert!(text.contains(code), "{variant:?}: {text}");
        // Fail closed: no item of a refused response reaches the screen.
        for p in ["𠮷田", "花子", "霞が関", "改竄", "氏名"] {
            assert!(!text.contains(p), "{variant:?} shows {p:?}: {text}");
        }
        let class = c
            .execute("return document.querySelector('#verdict').className;", vec![])
            .await
            .unwrap();
        assert_eq!(class, json!("verdict ng"));
        screenshot(&c, &format!("refused-{shot}")).await;
        c.find(Locator::Css("#done")).await.unwrap().click().await.unwrap();
    }

    // A response cannot be replayed: the request is one-time.
    let replay = c
        .execute(
            "return fetch('/api/response', {method: 'POST', headers: {'Content-Type': 'application/json'}, \
             body: JSON.stringify({id: 'AAAAAAAAAAAAAAAAAAAAAA', credential: {protocol: 'org-iso-mdoc', data: {}}})}) \
             .then(r => r.json());",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(replay["valid"], json!(false));
    assert_eq!(replay["reasons"][0]["code"], json!("request_expired"));
    c.close().await.unwrap();
    check_audit(&db, 3, &["invalid", "invalid", "invalid"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_demo_mode_shows_a_verified_demo_card() {
    let Some(driver) = require_chromedriver() else { return };
    let _serial = SERIAL.lock().await;
    // An empty folder: no configuration file, so --demo runs on its own.
    let dir = scratch("demo");
    let (_counter, url) = start_counter(&["--demo"], &dir);
    let profile = scratch("demo-profile");
    let (_driver, c) = browser(&driver, &profile).await;
    c.goto(&url).await.unwrap();
    wait_for(&c, "return document.body.dataset.ready === '1';", "the page").await;
    let start = Instant::now();
    // No shim: the page's own demo wallet answers.
    c.find(Locator::Css("#verify")).await.unwrap().click().await.unwrap();
    wait_for(
        &c,
        "const t = document.querySelector('#verdict .text').textContent; return t ? t : null;",
        "the verdict",
    )
    .await;
    let text = body_text(&c).await;
    assert!(start.elapsed() < Duration::from_secs(10), "{:?}", start.elapsed());
    assert!(text.contains("デモ") && text.contains("確認できました"), "{text}");
    assert!(
        text.contains("𠮷田\u{3000}花子") && text.contains("20歳以上: はい（根拠: age_over_20）"),
        "{text}"
    );
    screenshot(&c, "demo-verified").await;
    c.close().await.unwrap();
    // Nothing was written beside the (absent) configuration.
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0, "demo wrote files");
}
