//! Instants, RFC 3339 date-times (`tdate`, CBOR tag 0) and full-dates (tag 1004).
//!
//! ISO 18013-5 §7.2.1 and §9.1.2.4 encode instants as RFC 3339 `tdate`
//! strings. Real issuers add fractional seconds (down to nanoseconds), which
//! are kept exactly: an MSO valid from `…08.356Z` is not valid at `…08Z`.

use core::fmt;

/// An instant: seconds since the Unix epoch plus nanoseconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UnixTime {
    secs: i64,
    nanos: u32,
}

impl UnixTime {
    /// An instant at a whole second.
    pub const fn from_secs(secs: i64) -> Self {
        UnixTime { secs, nanos: 0 }
    }

    /// An instant from seconds and nanoseconds (`nanos` is capped below one second).
    pub const fn new(secs: i64, nanos: u32) -> Self {
        let nanos = if nanos > 999_999_999 { 999_999_999 } else { nanos };
        UnixTime { secs, nanos }
    }

    /// The current system time.
    pub fn now() -> Self {
        match std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
            Ok(d) => UnixTime::new(i64::try_from(d.as_secs()).unwrap_or(i64::MAX), d.subsec_nanos()),
            Err(_) => UnixTime::from_secs(0),
        }
    }

    /// Whole seconds since the epoch.
    pub const fn secs(self) -> i64 {
        self.secs
    }

    /// Nanoseconds past [`UnixTime::secs`].
    pub const fn subsec_nanos(self) -> u32 {
        self.nanos
    }

    /// This instant moved by `delta` seconds (saturating).
    pub fn offset(self, delta: i64) -> Self {
        UnixTime {
            secs: self.secs.saturating_add(delta),
            nanos: self.nanos,
        }
    }

    /// Parses an RFC 3339 date-time (`2021-01-01T00:00:00Z`, with optional
    /// fraction and numeric offset).
    pub fn parse_rfc3339(s: &str) -> Option<Self> {
        let b = s.as_bytes();
        if b.len() < 20 {
            return None;
        }
        let (y, m, d) = parse_date(b.get(..10)?)?;
        if !matches!(b.get(10)?, b'T' | b't' | b' ') {
            return None;
        }
        let hh = digits(b.get(11..13)?)?;
        let mm = digits(b.get(14..16)?)?;
        let ss = digits(b.get(17..19)?)?;
        if b.get(13) != Some(&b':') || b.get(16) != Some(&b':') || hh > 23 || mm > 59 || ss > 60 {
            return None;
        }
        let mut i = 19;
        let mut nanos: u32 = 0;
        if b.get(i) == Some(&b'.') {
            i += 1;
            let start = i;
            while let Some(c) = b.get(i).filter(|c| c.is_ascii_digit()) {
                if i - start < 9 {
                    nanos = nanos * 10 + u32::from(c - b'0');
                }
                i += 1;
            }
            let n = i - start;
            if n == 0 {
                return None;
            }
            for _ in n..9 {
                nanos *= 10;
            }
        }
        let offset: i64 = match b.get(i..)? {
            [b'Z' | b'z'] => 0,
            [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
                let oh = digits(&[*h1, *h2])?;
                let om = digits(&[*m1, *m2])?;
                if oh > 23 || om > 59 {
                    return None;
                }
                let o = i64::from(oh) * 3600 + i64::from(om) * 60;
                if *sign == b'-' {
                    -o
                } else {
                    o
                }
            }
            _ => return None,
        };
        // A leap second is read as the last second of its minute.
        let ss = ss.min(59);
        let secs =
            days_from_civil(y, m, d) * 86_400 + i64::from(hh) * 3600 + i64::from(mm) * 60 + i64::from(ss) - offset;
        Some(UnixTime { secs, nanos })
    }

    /// Formats as RFC 3339 in UTC (`Z`), with a fraction only when non-zero.
    pub fn to_rfc3339(self) -> String {
        let days = self.secs.div_euclid(86_400);
        let rem = self.secs.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        let mut s = format!(
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}",
            rem / 3600,
            (rem % 3600) / 60,
            rem % 60
        );
        if self.nanos != 0 {
            let frac = format!("{:09}", self.nanos);
            s.push('.');
            s.push_str(frac.trim_end_matches('0'));
        }
        s.push('Z');
        s
    }
}

impl fmt::Display for UnixTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_rfc3339())
    }
}

/// A calendar date (RFC 3339 `full-date`, CBOR tag 1004).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FullDate {
    /// Year (0000–9999).
    pub year: i32,
    /// Month (1–12).
    pub month: u8,
    /// Day of the month (1–31, valid for the month).
    pub day: u8,
}

impl FullDate {
    /// Parses `YYYY-MM-DD`.
    pub fn parse(s: &str) -> Option<Self> {
        let b = s.as_bytes();
        if b.len() != 10 {
            return None;
        }
        let (year, month, day) = parse_date(b)?;
        Some(FullDate { year, month, day })
    }

    /// The UTC calendar date of an instant.
    pub fn of(t: UnixTime) -> Self {
        let (year, month, day) = civil_from_days(t.secs.div_euclid(86_400));
        // Only an instant billions of years away has a year beyond `i32`:
        // it saturates.
        let year = i32::try_from(year).unwrap_or(if year < 0 { i32::MIN } else { i32::MAX });
        FullDate { year, month, day }
    }

    /// Completed years from `self` (a birth date) to `on`.
    pub fn years_until(self, on: FullDate) -> i32 {
        let mut years = on.year - self.year;
        if (on.month, on.day) < (self.month, self.day) {
            years -= 1;
        }
        years
    }
}

impl fmt::Display for FullDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

fn digits(b: &[u8]) -> Option<u32> {
    if b.is_empty() || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(b.iter().fold(0u32, |acc, c| acc * 10 + u32::from(c - b'0')))
}

fn parse_date(b: &[u8]) -> Option<(i32, u8, u8)> {
    if b.len() != 10 || b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return None;
    }
    let y = i32::try_from(digits(b.get(0..4)?)?).ok()?;
    let m = u8::try_from(digits(b.get(5..7)?)?).ok()?;
    let d = u8::try_from(digits(b.get(8..10)?)?).ok()?;
    if !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) {
        return None;
    }
    Some((y, m, d))
}

fn days_in_month(y: i32, m: u8) -> u8 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ => {
            if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 {
                29
            } else {
                28
            }
        }
    }
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i32, m: u8, d: u8) -> i64 {
    let y = i64::from(y) - i64::from(m <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, u8, u8) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    // `doy` is 0..=365, so `d` is 1..=31 and `m` 1..=12: the fallbacks are
    // unreachable.
    let d = u8::try_from(doy - (153 * mp + 2) / 5 + 1).unwrap_or(u8::MAX);
    let m = u8::try_from(if mp < 10 { mp + 3 } else { mp - 9 }).unwrap_or(u8::MAX);
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_formats() {
        let t = UnixTime::parse_rfc3339("2021-01-01T00:00:00Z").unwrap();
        assert_eq!(t.secs(), 1_609_459_200);
        assert_eq!(t.to_rfc3339(), "2021-01-01T00:00:00Z");
        let f = UnixTime::parse_rfc3339("2025-12-19T08:03:22.321379844Z").unwrap();
        assert_eq!(f.subsec_nanos(), 321_379_844);
        assert_eq!(f.to_rfc3339(), "2025-12-19T08:03:22.321379844Z");
        let o = UnixTime::parse_rfc3339("2021-01-01T09:00:00+09:00").unwrap();
        assert_eq!(o, t);
        assert_eq!(UnixTime::from_secs(1_766_135_977).to_rfc3339(), "2025-12-19T09:19:37Z");
    }

    #[test]
    fn rejects_bad_dates() {
        for s in [
            "2021-02-30T00:00:00Z",
            "2021-01-01T24:00:00Z",
            "2021-01-01T00:00:00",
            "2021-01-01T00:00:00.Z",
            "x",
        ] {
            assert!(UnixTime::parse_rfc3339(s).is_none(), "{s}");
        }
        assert!(FullDate::parse("2000-02-29").is_some());
        assert!(FullDate::parse("1900-02-29").is_none());
    }

    #[test]
    fn computes_age() {
        let b = FullDate::parse("2000-06-15").unwrap();
        assert_eq!(b.years_until(FullDate::parse("2020-06-14").unwrap()), 19);
        assert_eq!(b.years_until(FullDate::parse("2020-06-15").unwrap()), 20);
    }
}
