//! kakunin-counter: a city-hall counter that checks phone IDs (the iPhone
//! My Number Card, mDLs) with equipment it already has — a browser, or a
//! PC/SC card reader.
//!
//! ```text
//! cargo run --release -p kakunin-counter                 # kakunin-counter.toml in the current folder
//! cargo run --release -p kakunin-counter -- --demo       # bundled test IACA and a simulated phone
//! kakunin-counter [--listen 127.0.0.1:8080] [--config FILE] [--audit-db FILE] [--demo]
//! ```

use clap::Parser;
use kakunin_counter::audit_db::AuditDb;
use kakunin_counter::online::RequestStore;
use kakunin_counter::server::{router, AppState};
use kakunin_counter::{config, pcsc};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

/// The default configuration file, in the current folder.
const DEFAULT_CONFIG: &str = "kakunin-counter.toml";
/// The default audit database, beside the configuration file.
const DEFAULT_AUDIT_DB: &str = "kakunin-counter-audit.sqlite3";

#[derive(Parser)]
#[command(
    name = "kakunin-counter",
    version,
    about = "City-hall counter: verifies phone IDs in the browser or over a PC/SC reader"
)]
struct Args {
    /// Address and port to listen on (keep it on loopback unless a TLS
    /// reverse proxy is in front).
    #[arg(long, value_name = "ADDR:PORT", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Configuration file (TOML). Default: ./kakunin-counter.toml
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Audit database (SQLite). Default: kakunin-counter-audit.sqlite3 beside
    /// the configuration file (in memory in --demo without a configuration file).
    #[arg(long, value_name = "FILE")]
    audit_db: Option<PathBuf>,
    /// Demo mode: trust the bundled test IACA and answer with a simulated
    /// phone. The screen is marked 「デモ」.
    #[arg(long)]
    demo: bool,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("kakunin-counter: {e}");
            ExitCode::from(2)
        }
    }
}

fn run(args: Args) -> Result<(), String> {
    let config_path = args.config.clone().unwrap_or_else(|| PathBuf::from(DEFAULT_CONFIG));
    let config = if args.config.is_none() && args.demo && !config_path.exists() {
        config::demo_default()
    } else {
        config::load(&config_path, args.demo)
    }
    .map_err(|e| {
        let hint = if args.config.is_none() && !config_path.exists() {
            " (write one: see \"Run a counter\" in README.md; or try --demo)"
        } else {
            ""
        };
        format!("configuration error: {e}{hint}")
    })?;

    let db = match (&args.audit_db, &config.path) {
        (Some(p), _) => AuditDb::open(p)?,
        (None, Some(cfg)) => AuditDb::open(&cfg.parent().unwrap_or(Path::new(".")).join(DEFAULT_AUDIT_DB))?,
        (None, None) => AuditDb::in_memory()?,
    };

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(args.listen)
            .await
            .map_err(|e| format!("cannot listen on {}: {e}", args.listen))?;
        let local = listener.local_addr().map_err(|e| e.to_string())?;
        let url = format!("http://{local}/");
        let origin = config.origin.clone().unwrap_or_else(|| format!("http://{local}"));
        let demo = config.demo;
        let pcsc_note = if config.pcsc.enabled {
            if pcsc::reader_available(config.pcsc.reader.as_deref()) {
                "card reader: found"
            } else {
                "card reader: not found (the button appears when one is connected)"
            }
        } else {
            "card reader: off"
        };
        let state = Arc::new(AppState {
            store: RequestStore::new(config.request_ttl),
            config,
            db,
            origin: origin.clone(),
        });
        println!("kakunin-counter: 窓口画面 / counter page: {url}");
        println!("kakunin-counter: origin {origin}; {pcsc_note}");
        if demo {
            println!(
                "kakunin-counter: デモ / DEMO mode: bundled test IACA and a simulated phone — not for real checks"
            );
        }
        use std::io::Write;
        let _ = std::io::stdout().flush();
        axum::serve(listener, router(state))
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
            .map_err(|e| format!("server error: {e}"))
    })
}
