//! The server's HTTP surface, spoken to directly (no browser): same-origin
//! POSTs only, no caching of anything, the demo phone only in --demo.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

struct Counter {
    child: Child,
    addr: String,
}

impl Drop for Counter {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("kakunin-counter-http-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn start(args: &[&str], cwd: &Path) -> Counter {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kakunin-counter"))
        .args(["--listen", "127.0.0.1:0"])
        .args(args)
        .current_dir(cwd)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let url = loop {
        let line = lines.next().expect("URL").unwrap();
        if let Some(u) = line.split("counter page: ").nth(1) {
            break u.trim().to_owned();
        }
    };
    std::thread::spawn(move || for _ in lines {});
    let addr = url.trim_start_matches("http://").trim_end_matches('/').to_owned();
    Counter { child, addr }
}

/// One HTTP/1.1 exchange; returns (status, headers, body).
fn http(c: &Counter, method: &str, path: &str, origin: Option<&str>, body: &str) -> (u16, String, String) {
    let mut s = TcpStream::connect(&c.addr).unwrap();
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n", c.addr);
    if let Some(o) = origin {
        req.push_str(&format!("Origin: {o}\r\n"));
    }
    if method == "POST" {
        req.push_str(&format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n",
            body.len()
        ));
    }
    req.push_str("\r\n");
    req.push_str(body);
    s.write_all(req.as_bytes()).unwrap();
    let mut raw = String::new();
    s.read_to_string(&mut raw).unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    (status, head.to_ascii_lowercase(), body.to_owned())
}

#[test]
fn http_cross_origin_posts_are_refused_and_nothing_is_cached() {
    let dir = scratch("demo");
    let c = start(&["--demo"], &dir);
    let own = format!("http://{}", c.addr);

    let (status, _, body) = http(&c, "POST", "/api/request", Some("https://evil.example"), "");
    assert_eq!(status, 403);
    assert!(body.contains("origin_mismatch"), "{body}");
    let (status, _, body) = http(&c, "POST", "/api/pcsc", Some("https://evil.example"), "");
    assert_eq!(status, 403, "{body}");

    let (status, head, body) = http(&c, "POST", "/api/request", Some(&own), "");
    assert_eq!(status, 200, "{body}");
    assert!(head.contains("cache-control: no-store"), "{head}");
    assert!(head.contains("content-security-policy: default-src 'self'"), "{head}");
    assert!(
        body.contains("\"org-iso-mdoc\"") && body.contains("\"openid4vp-v1-unsigned\""),
        "{body}"
    );
    assert!(!body.contains("individual_number"), "{body}");

    let (status, _, body) = http(&c, "GET", "/api/config", None, "");
    assert_eq!(status, 200);
    assert!(
        body.contains("\"demo\":true") && body.contains("\"pcsc\":false"),
        "{body}"
    );

    // No reader configured: the PC/SC path answers with a reason, no verdict.
    let (status, _, body) = http(&c, "POST", "/api/pcsc", Some(&own), "");
    assert_eq!(status, 200);
    assert!(
        body.contains("pcsc_no_reader") && body.contains("\"valid\":false"),
        "{body}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn http_demo_phone_exists_only_in_demo_mode() {
    let dir = scratch("configured");
    let iaca = Path::new(env!("CARGO_MANIFEST_DIR")).join("demo/demo-iaca.pem");
    std::fs::write(
        dir.join("kakunin-counter.toml"),
        format!("[trust]\niaca = [{:?}]\n", iaca.display().to_string()),
    )
    .unwrap();
    let c = start(&[], &dir);
    let own = format!("http://{}", c.addr);
    let (status, _, _) = http(&c, "POST", "/api/demo/wallet", Some(&own), "{\"digital\":{}}");
    assert_eq!(status, 404);
    let (_, _, body) = http(&c, "GET", "/api/config", None, "");
    assert!(body.contains("\"demo\":false"), "{body}");
    drop(c);
    // The audit database sits beside the configuration file.
    assert!(dir.join("kakunin-counter-audit.sqlite3").exists());
    let _ = std::fs::remove_dir_all(&dir);
}
