//! The counter's configuration file (TOML).
//!
//! ```toml
//! # Origin of the clerk's page as the browser sees it (goes into the
//! # ISO/IEC 18013-7 Annex C SessionTranscript). Default: http://<listen address>.
//! origin = "https://counter.example.lg.jp"
//! screen_clear_seconds = 60      # the verdict screen clears itself after this
//! request_ttl_seconds = 300      # a request the phone has not answered expires
//!
//! [trust]
//! iaca = ["trust/iaca/", "trust/jp-mnc-iaca.pem"]   # files or folders (PEM/DER)
//! [[trust.vical]]
//! file = "trust/vical.cbor"
//! anchors = ["trust/vical-signer-ca.pem"]
//!
//! [revocation]
//! mode = "best-effort"           # off | best-effort | required
//! crl = ["trust/iaca.crl"]
//! status_list = ["trust/status-list.cwt"]
//! max_age_seconds = 86400
//!
//! [request]
//! age_over = [20]
//! # statutory_purpose = "源泉徴収票の作成（所得税法第226条）"  # only then is the My Number requested
//! [[request.document]]
//! doc_type = "org.iso.23220.1.jp.mnc"
//! namespaces = { "org.iso.23220.1.jp" = ["full_name_unicode", "resident_address_unicode",
//!                "birth_date_unicode", "sex_unicode", "portrait"] }
//!
//! [reader_auth]                 # signs ReaderAuth in every request (Apple requires it)
//! key = "trust/reader-key.pem"   # PKCS#8 or SEC1, PEM or DER
//! certificates = "trust/reader-chain.pem"   # leaf first
//!
//! [pcsc]
//! enabled = true
//! reader = "ACS ACR1252"         # a substring of the reader name; default: the first reader
//! timeout_seconds = 30
//! ```
//!
//! Relative paths are relative to the configuration file. Every problem is a
//! startup error that names the file and the problem ([`ConfigError`]).

use kakunin::privacy::{age_over_request, ElementRequest, RequestBuilder, RequestPolicy, INDIVIDUAL_NUMBER};
use kakunin::revocation::{RevocationData, RevocationMode, RevocationPolicy};
use kakunin::session::ReaderAuthKey;
use kakunin::vical::{Vical, VicalPolicy};
use kakunin::{Policy, TrustStore, UnixTime, Verifier};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The My Number Card docType (Apple Wallet's ISO/IEC 23220 profile).
pub const MNC_DOCTYPE: &str = "org.iso.23220.1.jp.mnc";
/// The My Number Card's Japanese namespace (券面事項).
pub const MNC_JP_NS: &str = "org.iso.23220.1.jp";

/// A configuration problem: the file it is in and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The file the problem is in (the config file, or a file it names).
    pub file: PathBuf,
    /// What is wrong, in words.
    pub problem: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.file.display(), self.problem)
    }
}

impl std::error::Error for ConfigError {}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    origin: Option<String>,
    screen_clear_seconds: Option<u64>,
    request_ttl_seconds: Option<u64>,
    clock_skew_seconds: Option<i64>,
    #[serde(default)]
    trust: RawTrust,
    #[serde(default)]
    revocation: RawRevocation,
    #[serde(default)]
    request: RawRequest,
    #[serde(default)]
    pcsc: RawPcsc,
    reader_auth: Option<RawReaderAuth>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawReaderAuth {
    key: String,
    certificates: String,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawTrust {
    #[serde(default)]
    iaca: Vec<String>,
    #[serde(default)]
    vical: Vec<RawVical>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawVical {
    file: String,
    anchors: Vec<String>,
    max_age_seconds: Option<u64>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawRevocation {
    mode: Option<String>,
    #[serde(default)]
    crl: Vec<String>,
    #[serde(default)]
    status_list: Vec<String>,
    max_age_seconds: Option<u64>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawRequest {
    #[serde(default)]
    age_over: Option<Vec<u8>>,
    statutory_purpose: Option<String>,
    #[serde(default)]
    document: Vec<RawDocument>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDocument {
    doc_type: String,
    #[serde(default)]
    namespaces: BTreeMap<String, Vec<String>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawPcsc {
    #[serde(default)]
    enabled: bool,
    reader: Option<String>,
    timeout_seconds: Option<u64>,
}

/// PC/SC settings.
#[derive(Debug, Clone, Default)]
pub struct PcscConfig {
    /// Whether the 「カードリーダーで確認」 path is offered at all.
    pub enabled: bool,
    /// A substring of the reader name to use; `None`: the first reader.
    pub reader: Option<String>,
    /// How long to wait for the phone, and for each exchange.
    pub timeout: Duration,
}

/// The loaded configuration.
pub struct Config {
    /// The configuration file, if one was read.
    pub path: Option<PathBuf>,
    /// The page origin (`scheme://host[:port]`) for the Annex C transcript;
    /// `None`: derived from the listen address.
    pub origin: Option<String>,
    /// Seconds after which the verdict screen clears itself.
    pub screen_clear_seconds: u64,
    /// How long a request waits for its response.
    pub request_ttl: Duration,
    /// The verifier with the trust anchors, revocation data and policy.
    pub verifier: Verifier,
    /// What is requested, one entry per docType (checked by kakunin's
    /// privacy policy: no My Number without a statutory purpose).
    pub requests: Vec<ElementRequest>,
    /// The age thresholds asked about (「20歳以上」).
    pub age_over: Vec<u8>,
    /// PC/SC settings.
    pub pcsc: PcscConfig,
    /// Demo mode: bundled test IACA and the simulated phone.
    pub demo: bool,
    /// The key that signs ReaderAuth in every request (Apple's wallet
    /// requires it: the certificate Apple issues for the web).
    pub reader_auth: Option<ReaderAuthKey>,
}

impl Config {
    /// The docTypes the counter accepts (those it requests).
    pub fn allowed_doc_types(&self) -> impl Iterator<Item = &str> {
        self.requests.iter().map(|r| r.doc_type())
    }

    /// Whether the My Number is requested (a statutory purpose is configured).
    pub fn requests_individual_number(&self) -> bool {
        self.requests.iter().any(|r| r.purpose().is_some())
    }
}

/// The bundled demo IACA (a test certificate; its private key is public in
/// the library's test suite — never trust it outside `--demo`).
pub const DEMO_IACA_PEM: &str = include_str!("../demo/demo-iaca.pem");

/// Reads and checks the configuration file at `path`.
pub fn load(path: &Path, demo: bool) -> Result<Config, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
        file: path.to_owned(),
        problem: format!("cannot read the configuration file: {e}"),
    })?;
    from_str(&text, path, demo)
}

/// The configuration of `--demo` without a configuration file.
pub fn demo_default() -> Result<Config, ConfigError> {
    from_str("", Path::new("(built-in demo configuration)"), true)
}

/// Parses configuration text; `path` names the file in errors and anchors
/// relative paths.
pub fn from_str(text: &str, path: &Path, demo: bool) -> Result<Config, ConfigError> {
    let fail = |problem: String| ConfigError {
        file: path.to_owned(),
        problem,
    };
    let raw: RawConfig = toml::from_str(text).map_err(|e| fail(format!("invalid TOML: {}", e.to_string().trim())))?;
    let base = path.parent().map(Path::to_owned).unwrap_or_default();
    let resolve = |p: &str| -> PathBuf {
        let p = Path::new(p);
        if p.is_absolute() {
            p.to_owned()
        } else {
            base.join(p)
        }
    };
    let now = UnixTime::now();
    let skew = raw.clock_skew_seconds.unwrap_or(0);
    if !(0..=3600).contains(&skew) {
        return Err(fail("clock_skew_seconds must be between 0 and 3600".into()));
    }

    if let Some(o) = &raw.origin {
        check_origin(o).map_err(|p| fail(format!("origin {o:?}: {p}")))?;
    }

    // Trust anchors.
    let mut builder = TrustStore::builder();
    if demo {
        builder
            .add_pem_or_der(DEMO_IACA_PEM.as_bytes())
            .map_err(|e| fail(format!("bundled demo IACA: {e}")))?;
    }
    for entry in &raw.trust.iaca {
        let p = resolve(entry);
        for file in certificate_files(&p).map_err(|problem| ConfigError {
            file: p.clone(),
            problem,
        })? {
            let data = read(&file)?;
            builder.add_pem_or_der(&data).map_err(|e| ConfigError {
                file: file.clone(),
                problem: format!("trust.iaca: not a usable IACA certificate: {e}"),
            })?;
        }
    }
    for v in &raw.trust.vical {
        if v.anchors.is_empty() {
            return Err(fail(format!("trust.vical {:?}: needs at least one anchor", v.file)));
        }
        let mut anchors = Vec::new();
        for a in &v.anchors {
            let p = resolve(a);
            let data = read(&p)?;
            let ders = kakunin::certificates_from_pem_or_der(&data).map_err(|e| ConfigError {
                file: p.clone(),
                problem: format!("trust.vical anchors: {e}"),
            })?;
            for der in ders {
                anchors.push(kakunin::ParsedCertificate::from_der(&der).map_err(|e| ConfigError {
                    file: p.clone(),
                    problem: format!("trust.vical anchors: {e}"),
                })?);
            }
        }
        let p = resolve(&v.file);
        let mut policy = VicalPolicy::default().with_clock_skew_secs(skew);
        if let Some(s) = v.max_age_seconds {
            policy = policy.with_max_age_secs(s);
        }
        let vical = Vical::verify(&read(&p)?, &anchors, now, &policy).map_err(|e| ConfigError {
            file: p.clone(),
            problem: format!("VICAL does not verify: {e}"),
        })?;
        for (i, e) in vical.add_to(&mut builder) {
            eprintln!(
                "kakunin-counter: note: {}: VICAL entry {i} not loaded: {e}",
                p.display()
            );
        }
    }
    let trust = builder.build();
    if trust.is_empty() {
        return Err(fail(
            "no trust anchor: set trust.iaca (IACA certificate files or folders) or trust.vical, or run with --demo"
                .into(),
        ));
    }

    // Revocation.
    let mut data = RevocationData::new();
    for c in &raw.revocation.crl {
        let p = resolve(c);
        data.add_crl(&pem_or_der(&read(&p)?, "X509 CRL"))
            .map_err(|e| ConfigError {
                file: p.clone(),
                problem: format!("revocation.crl: {e}"),
            })?;
    }
    for s in &raw.revocation.status_list {
        let p = resolve(s);
        data.add_status_token(&read(&p)?).map_err(|e| ConfigError {
            file: p.clone(),
            problem: format!("revocation.status_list: {e}"),
        })?;
    }
    let mode = match raw.revocation.mode.as_deref() {
        Some(m) => RevocationMode::parse(m).ok_or_else(|| {
            fail(format!(
                "revocation.mode {m:?}: expected \"off\", \"best-effort\" or \"required\""
            ))
        })?,
        None if raw.revocation.crl.is_empty() && raw.revocation.status_list.is_empty() => RevocationMode::Off,
        None => RevocationMode::BestEffort,
    };
    let mut revocation = RevocationPolicy::new(mode);
    if let Some(s) = raw.revocation.max_age_seconds {
        revocation = revocation.with_max_age_secs(s);
    }
    let verifier = Verifier::new(trust)
        .with_policy(Policy::default().with_clock_skew_secs(skew).with_revocation(revocation))
        .with_revocation_data(data);

    // What is requested.
    let mut policy = RequestPolicy::new();
    if let Some(purpose) = &raw.request.statutory_purpose {
        policy = policy
            .allow_individual_number(purpose)
            .map_err(|e| fail(format!("request.statutory_purpose: {e}")))?;
    }
    let age_over = raw.request.age_over.clone().unwrap_or_else(|| vec![20]);
    for n in &age_over {
        if *n == 0 || *n > 99 {
            return Err(fail(format!("request.age_over: {n} is not an age between 1 and 99")));
        }
    }
    let documents = if raw.request.document.is_empty() {
        vec![default_mnc_document()]
    } else {
        raw.request.document
    };
    let mut requests = Vec::new();
    for d in &documents {
        if requests.iter().any(|r: &ElementRequest| r.doc_type() == d.doc_type) {
            return Err(fail(format!(
                "request.document: docType {:?} appears twice",
                d.doc_type
            )));
        }
        let mut b = RequestBuilder::new(&d.doc_type);
        for (ns, ids) in &d.namespaces {
            for id in ids {
                if id == INDIVIDUAL_NUMBER {
                    return Err(fail(format!(
                        "request.document {:?}: do not list {INDIVIDUAL_NUMBER}; it is requested only when \
                         request.statutory_purpose states the statutory purpose",
                        d.doc_type
                    )));
                }
                b = b.element(ns, id);
            }
        }
        if d.doc_type == MNC_DOCTYPE && policy.individual_number_purpose().is_some() {
            b = b.element(MNC_JP_NS, INDIVIDUAL_NUMBER);
        }
        for n in &age_over {
            if let Some(age) = age_over_request(&d.doc_type, *n) {
                for e in age.elements() {
                    if !d.namespaces.get(&e.namespace).is_some_and(|v| v.contains(&e.element)) {
                        b = b.element(&e.namespace, &e.element);
                    }
                }
            }
        }
        let r = b
            .build(&policy)
            .map_err(|e| fail(format!("request.document {:?}: {e}", d.doc_type)))?;
        requests.push(r);
    }

    let screen_clear_seconds = raw.screen_clear_seconds.unwrap_or(60);
    if !(5..=3600).contains(&screen_clear_seconds) {
        return Err(fail("screen_clear_seconds must be between 5 and 3600".into()));
    }
    let ttl = raw.request_ttl_seconds.unwrap_or(300);
    if !(10..=3600).contains(&ttl) {
        return Err(fail("request_ttl_seconds must be between 10 and 3600".into()));
    }
    let pcsc_timeout = raw.pcsc.timeout_seconds.unwrap_or(30);
    if !(1..=600).contains(&pcsc_timeout) {
        return Err(fail("pcsc.timeout_seconds must be between 1 and 600".into()));
    }
    let reader_auth = match &raw.reader_auth {
        None => None,
        Some(ra) => {
            let kp = resolve(&ra.key);
            let key = kakunin::ReaderKey::from_bytes(&read(&kp)?).map_err(|e| ConfigError {
                file: kp.clone(),
                problem: format!("reader_auth.key: {e}"),
            })?;
            let cp = resolve(&ra.certificates);
            Some(ReaderAuthKey::new(key, &read(&cp)?).map_err(|e| ConfigError {
                file: cp.clone(),
                problem: format!("reader_auth.certificates: {e}"),
            })?)
        }
    };
    Ok(Config {
        path: Some(path.to_owned()).filter(|_| !text.is_empty() || !demo),
        origin: raw.origin,
        screen_clear_seconds,
        request_ttl: Duration::from_secs(ttl),
        verifier,
        requests,
        age_over,
        pcsc: PcscConfig {
            enabled: raw.pcsc.enabled,
            reader: raw.pcsc.reader,
            timeout: Duration::from_secs(pcsc_timeout),
        },
        demo,
        reader_auth,
    })
}

/// The default request: the My Number Card's basic four items and portrait.
fn default_mnc_document() -> RawDocument {
    let ids = [
        "full_name_unicode",
        "resident_address_unicode",
        "birth_date_unicode",
        "sex_unicode",
        "portrait",
    ];
    RawDocument {
        doc_type: MNC_DOCTYPE.into(),
        namespaces: BTreeMap::from([(MNC_JP_NS.to_owned(), ids.iter().map(|s| (*s).to_owned()).collect())]),
    }
}

/// An origin is `scheme://host[:port]`: no path, no trailing slash (the
/// Annex C transcript hashes it as a string).
pub fn check_origin(o: &str) -> Result<(), String> {
    let rest = o
        .strip_prefix("https://")
        .or_else(|| o.strip_prefix("http://"))
        .ok_or("must start with https:// (or http:// for localhost)")?;
    if rest.is_empty() || rest.contains('/') || rest.contains('?') || rest.contains('#') {
        return Err("must be scheme://host[:port] with no path or trailing slash".into());
    }
    Ok(())
}

fn read(p: &Path) -> Result<Vec<u8>, ConfigError> {
    std::fs::read(p).map_err(|e| ConfigError {
        file: p.to_owned(),
        problem: format!("cannot read: {e}"),
    })
}

/// A file, or the `.pem`/`.der`/`.crt`/`.cer` files of a folder (sorted).
fn certificate_files(p: &Path) -> Result<Vec<PathBuf>, String> {
    let meta = std::fs::metadata(p).map_err(|e| format!("trust.iaca: cannot read: {e}"))?;
    if !meta.is_dir() {
        return Ok(vec![p.to_owned()]);
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(p)
        .map_err(|e| format!("trust.iaca: cannot list the folder: {e}"))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|f| {
            f.extension()
                .and_then(|x| x.to_str())
                .is_some_and(|x| matches!(x.to_ascii_lowercase().as_str(), "pem" | "der" | "crt" | "cer"))
        })
        .collect();
    files.sort();
    if files.is_empty() {
        return Err("trust.iaca: the folder holds no .pem, .der, .crt or .cer file".into());
    }
    Ok(files)
}

/// PEM with `label` decoded to DER; anything else returned as is.
fn pem_or_der(data: &[u8], label: &str) -> Vec<u8> {
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let Some(text) = std::str::from_utf8(data).ok().filter(|t| t.contains(&begin)) else {
        return data.to_vec();
    };
    let body: String = text
        .split(&begin)
        .nth(1)
        .and_then(|r| r.split(&end).next())
        .unwrap_or("")
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    base64::Engine::decode(&base64::engine::general_purpose::STANDARD, body.as_bytes()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> ConfigError {
        match from_str(text, Path::new("/etc/counter.toml"), false) {
            Ok(_) => panic!("accepted: {text}"),
            Err(e) => e,
        }
    }

    /// As [`err`], with the demo IACA as trust anchor.
    fn err_demo(text: &str) -> ConfigError {
        match from_str(text, Path::new("/etc/counter.toml"), true) {
            Ok(_) => panic!("accepted: {text}"),
            Err(e) => e,
        }
    }

    #[test]
    fn no_trust_anchor_is_an_error_naming_the_file() {
        let e = err("");
        assert_eq!(e.file, Path::new("/etc/counter.toml"));
        assert!(e.problem.contains("no trust anchor"), "{e}");
        assert!(e.to_string().starts_with("/etc/counter.toml: "));
    }

    #[test]
    fn bad_toml_and_unknown_keys() {
        assert!(err("origin = ").problem.contains("invalid TOML"));
        assert!(
            err("colour = 1").problem.contains("unknown field"),
            "{}",
            err("colour = 1")
        );
    }

    #[test]
    fn missing_iaca_file_names_that_file() {
        let e = err("[trust]\niaca = [\"nope/iaca.pem\"]");
        assert_eq!(e.file, Path::new("/etc/nope/iaca.pem"));
        assert!(e.problem.contains("cannot read"), "{e}");
    }

    #[test]
    fn not_a_certificate_is_named() {
        let dir = std::env::temp_dir().join(format!("kakunin-counter-cfg-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("key.pem"),
            "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
        )
        .unwrap();
        let e = from_str("[trust]\niaca = [\"key.pem\"]", &dir.join("c.toml"), false)
            .err()
            .expect("refused");
        assert_eq!(e.file, dir.join("key.pem"));
        assert!(e.problem.contains("not a usable IACA certificate"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn my_number_needs_a_statutory_purpose() {
        let e = err_demo(
            "[[request.document]]\ndoc_type = \"org.iso.23220.1.jp.mnc\"\n\
             namespaces = { \"org.iso.23220.1.jp\" = [\"individual_number_unicode\"] }",
        );
        assert!(e.problem.contains("statutory_purpose"), "{e}");
        let e = err_demo("[request]\nstatutory_purpose = \"  \"");
        assert!(e.problem.contains("statutory_purpose"), "{e}");
    }

    #[test]
    fn demo_default_requests_the_basic_four_and_age_over_20_but_no_number() {
        let c = demo_default().unwrap();
        assert!(c.demo);
        assert_eq!(c.requests.len(), 1);
        let ids: Vec<&str> = c.requests[0].elements().iter().map(|e| e.element.as_str()).collect();
        for id in [
            "full_name_unicode",
            "resident_address_unicode",
            "birth_date_unicode",
            "sex_unicode",
            "age_over_20",
        ] {
            assert!(ids.contains(&id), "{ids:?}");
        }
        assert!(!ids.contains(&INDIVIDUAL_NUMBER));
        assert!(!c.requests_individual_number());
        assert!(c.requests[0].elements().iter().all(|e| !e.intent_to_retain));
    }

    #[test]
    fn statutory_purpose_adds_the_number() {
        let c = from_str(
            "[request]\nstatutory_purpose = \"源泉徴収票の作成（所得税法第226条）\"",
            Path::new("c.toml"),
            true,
        )
        .unwrap();
        assert!(c.requests_individual_number());
        assert!(c.requests[0].elements().iter().any(|e| e.element == INDIVIDUAL_NUMBER));
    }

    #[test]
    fn origin_and_ranges() {
        assert!(err("origin = \"https://a.example/\"").problem.contains("origin"));
        assert!(err("origin = \"a.example\"").problem.contains("origin"));
        assert!(from_str("origin = \"https://a.example:8443\"", Path::new("c.toml"), true).is_ok());
        assert!(from_str("screen_clear_seconds = 1", Path::new("c.toml"), true).is_err());
        assert!(
            from_str("[revocation]\nmode = \"sometimes\"", Path::new("c.toml"), true)
                .err()
                .unwrap()
                .problem
                .contains("revocation.mode")
        );
    }
}
