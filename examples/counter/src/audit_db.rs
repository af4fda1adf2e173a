//! The audit log: one personal-data-free row per verification, in SQLite.
//!
//! Each row holds kakunin's audit record ([`kakunin::audit::AuditRecord`]:
//! time, verdict, docTypes, issuer identifiers, requested and returned
//! element *identifiers*, error codes) and a few columns copied out of it for
//! listing. No element value, no message text, no request id is stored.

use kakunin::audit::AuditRecord;
use rusqlite::{params, Connection};
use std::path::Path;
use std::sync::Mutex;

/// How a response reached the counter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    /// ISO/IEC 18013-7 Annex C over the Digital Credentials API.
    OnlineAnnexC,
    /// OpenID4VP over the Digital Credentials API.
    OnlineOpenId4Vp,
    /// NFC over a PC/SC reader.
    Pcsc,
    /// Online, but the response could not be matched to a protocol.
    Online,
}

impl Channel {
    /// The stored string.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::OnlineAnnexC => "online/org-iso-mdoc",
            Channel::OnlineOpenId4Vp => "online/openid4vp",
            Channel::Pcsc => "pcsc/nfc",
            Channel::Online => "online",
        }
    }
}

/// One listed row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// Row number.
    pub id: i64,
    /// RFC 3339 time of the verification.
    pub time: String,
    /// [`Channel::as_str`].
    pub channel: String,
    /// `valid` or `invalid`.
    pub verdict: String,
    /// The docTypes, space-separated.
    pub doc_types: String,
    /// Error codes (response and documents), space-separated.
    pub error_codes: String,
    /// The audit record JSON.
    pub record: String,
}

/// The audit database.
pub struct AuditDb {
    conn: Mutex<Connection>,
}

impl AuditDb {
    /// Opens (creating if needed) the database at `path`.
    pub fn open(path: &Path) -> Result<Self, String> {
        let conn =
            Connection::open(path).map_err(|e| format!("{}: cannot open the audit database: {e}", path.display()))?;
        Self::init(conn).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// An in-memory database (demo mode without `--audit-db`).
    pub fn in_memory() -> Result<Self, String> {
        Self::init(Connection::open_in_memory().map_err(|e| e.to_string())?)
    }

    fn init(conn: Connection) -> Result<Self, String> {
        conn.execute_batch(
            "PRAGMA secure_delete = ON;
             CREATE TABLE IF NOT EXISTS audit (
                 id INTEGER PRIMARY KEY AUTOINCREMENT,
                 time TEXT NOT NULL,
                 channel TEXT NOT NULL,
                 verdict TEXT NOT NULL,
                 doc_types TEXT NOT NULL,
                 error_codes TEXT NOT NULL,
                 record TEXT NOT NULL
             );",
        )
        .map_err(|e| format!("cannot initialise the audit database: {e}"))?;
        Ok(AuditDb { conn: Mutex::new(conn) })
    }

    /// Appends one record; returns its row number.
    pub fn append(&self, channel: Channel, record: &AuditRecord) -> Result<i64, String> {
        let doc_types: Vec<&str> = record.documents.iter().map(|d| d.doc_type.as_str()).collect();
        let mut codes: Vec<&str> = record.error_codes.iter().map(|c| c.as_str()).collect();
        for d in &record.documents {
            codes.extend(d.error_codes.iter().map(|c| c.as_str()));
        }
        let mut unique: Vec<&str> = Vec::new();
        for c in codes {
            if !unique.contains(&c) {
                unique.push(c);
            }
        }
        let conn = self
            .conn
            .lock()
            .map_err(|_| "audit database lock poisoned".to_owned())?;
        conn.execute(
            "INSERT INTO audit (time, channel, verdict, doc_types, error_codes, record) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                record.time.to_rfc3339(),
                channel.as_str(),
                if record.valid { "valid" } else { "invalid" },
                doc_types.join(" "),
                unique.join(" "),
                record.to_json(),
            ],
        )
        .map_err(|e| format!("audit append failed: {e}"))?;
        Ok(conn.last_insert_rowid())
    }

    /// The newest `limit` rows, newest first (all rows when `None`).
    pub fn rows(&self, limit: Option<u32>) -> Result<Vec<Row>, String> {
        let conn = self
            .conn
            .lock()
            .map_err(|_| "audit database lock poisoned".to_owned())?;
        let mut stmt = conn
            .prepare(
                "SELECT id, time, channel, verdict, doc_types, error_codes, record FROM audit \
                 ORDER BY id DESC LIMIT ?1",
            )
            .map_err(|e| e.to_string())?;
        let limit = limit.map(i64::from).unwrap_or(-1);
        let rows = stmt
            .query_map([limit], |r| {
                Ok(Row {
                    id: r.get(0)?,
                    time: r.get(1)?,
                    channel: r.get(2)?,
                    verdict: r.get(3)?,
                    doc_types: r.get(4)?,
                    error_codes: r.get(5)?,
                    record: r.get(6)?,
                })
            })
            .map_err(|e| e.to_string())?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| e.to_string())
    }

    /// The whole log as CSV (RFC 4180), oldest first.
    pub fn csv(&self) -> Result<String, String> {
        let mut rows = self.rows(None)?;
        rows.reverse();
        let mut out = String::from("id,time,channel,verdict,doc_types,error_codes,record\r\n");
        for r in rows {
            let cells = [
                r.id.to_string(),
                r.time,
                r.channel,
                r.verdict,
                r.doc_types,
                r.error_codes,
                r.record,
            ];
            let line: Vec<String> = cells.iter().map(|c| csv_cell(c)).collect();
            out.push_str(&line.join(","));
            out.push_str("\r\n");
        }
        Ok(out)
    }
}

/// One CSV cell: quoted when needed, and never starting with a formula
/// character (a spreadsheet would run it).
fn csv_cell(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_owned()
    };
    if s.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_and_defuses_formulas() {
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_cell("=1+1"), "'=1+1");
        assert_eq!(csv_cell("plain"), "plain");
    }
}
