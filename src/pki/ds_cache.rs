//! A bounded, thread-safe cache of Document Signer chain signatures.
//!
//! Verifying the IACA's signature on a Document Signer certificate
//! (ISO 18013-5 §9.3.3, RFC 5280 §6.1.3 (a)(1)) costs one ECDSA verification,
//! and the same few Document Signers sign nearly every document a reader
//! sees. The result of that one check is a pure function of the DS
//! certificate bytes and the anchor, so the cache remembers it keyed by
//! SHA-256 of the DS DER and SHA-256 of the anchor DER; nothing else is
//! cached. Validity periods, the DS profile, docType scoping of the anchor and
//! any revocation check are evaluated on every verification, against that
//! verification's time, whether the cache hits or not. Only successful checks
//! are remembered: a failure is recomputed (and fails) every time.
//!
//! The cache is bounded (oldest entries are evicted first) and shared by
//! clones of a [`Verifier`](crate::Verifier); it may be shared between
//! verifiers with different trust stores, since the anchor is part of the key.

use crate::pki::x509::ParsedCertificate;
use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex};

/// Default number of (Document Signer, anchor) pairs remembered.
pub const DEFAULT_DS_CACHE_CAPACITY: usize = 256;

/// Cache key: SHA-256(DS DER) ‖ SHA-256(anchor DER).
type Key = [u8; 64];

#[derive(Debug, Default)]
struct Inner {
    set: HashSet<Key>,
    order: VecDeque<Key>,
    hits: u64,
    misses: u64,
    /// Parsed DS certificates by SHA-256 of their DER (parsing is a pure
    /// function of the bytes; the bytes are compared again on a hit).
    parsed: HashMap<[u8; 32], Arc<ParsedCertificate>>,
    parsed_order: VecDeque<[u8; 32]>,
}

/// Counters of a [`DsCache`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DsCacheStats {
    /// Chain-signature checks answered from the cache.
    pub hits: u64,
    /// Chain-signature checks computed (and remembered when they succeeded).
    pub misses: u64,
    /// Entries currently held.
    pub entries: usize,
}

/// A bounded, thread-safe cache of verified Document Signer chain signatures.
/// Cloning shares the cache. Keyed by SHA-256 of the DS DER and of the
/// anchor DER; only the chain signature is cached, never validity, profile
/// or revocation.
#[derive(Clone, Debug)]
pub struct DsCache {
    inner: Arc<Mutex<Inner>>,
    capacity: usize,
}

impl Default for DsCache {
    fn default() -> Self {
        DsCache::new(DEFAULT_DS_CACHE_CAPACITY)
    }
}

impl DsCache {
    /// A cache holding at most `capacity` entries (0 disables caching).
    pub fn new(capacity: usize) -> Self {
        DsCache {
            inner: Arc::new(Mutex::new(Inner::default())),
            capacity,
        }
    }

    /// A cache that never remembers anything: every chain signature is verified.
    pub fn disabled() -> Self {
        DsCache::new(0)
    }

    /// The maximum number of entries.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Hit/miss counters and the current size.
    pub fn stats(&self) -> DsCacheStats {
        match self.inner.lock() {
            Ok(g) => DsCacheStats {
                hits: g.hits,
                misses: g.misses,
                entries: g.set.len(),
            },
            Err(_) => DsCacheStats::default(),
        }
    }

    /// Forgets every entry (counters are kept).
    pub fn clear(&self) {
        if let Ok(mut g) = self.inner.lock() {
            g.set.clear();
            g.order.clear();
            g.parsed.clear();
            g.parsed_order.clear();
        }
    }

    /// The parsed Document Signer certificate for `der`, from the cache or
    /// freshly parsed (and then remembered). Parsing is a pure function of
    /// the bytes, so a hit (same SHA-256 and the same bytes) is exactly what
    /// parsing would give; a parse failure is never remembered.
    pub(crate) fn parse_ds(&self, der: &[u8]) -> Result<Arc<ParsedCertificate>, crate::Error> {
        if self.capacity == 0 {
            return ParsedCertificate::from_der(der).map(Arc::new);
        }
        let fp = crate::crypto::sha256(der);
        if let Ok(g) = self.inner.lock() {
            if let Some(c) = g.parsed.get(&fp).filter(|c| c.der() == der) {
                return Ok(Arc::clone(c));
            }
        }
        let cert = Arc::new(ParsedCertificate::from_der(der)?);
        if let Ok(mut g) = self.inner.lock() {
            if g.parsed.insert(fp, Arc::clone(&cert)).is_none() {
                g.parsed_order.push_back(fp);
            }
            while g.parsed.len() > self.capacity {
                match g.parsed_order.pop_front() {
                    Some(old) => {
                        g.parsed.remove(&old);
                    }
                    None => break,
                }
            }
        }
        Ok(cert)
    }

    /// Answers "does the anchor's key sign this DS certificate?" from the
    /// cache, or runs `verify` and remembers a `true` answer.
    ///
    /// A poisoned lock counts as a miss: the check is computed, never assumed.
    pub(crate) fn check(
        &self,
        ds_fingerprint: &[u8; 32],
        anchor_fingerprint: &[u8; 32],
        verify: impl FnOnce() -> Result<bool, crate::Error>,
    ) -> Result<bool, crate::Error> {
        if self.capacity == 0 {
            return verify();
        }
        let mut key = [0u8; 64];
        key[..32].copy_from_slice(ds_fingerprint);
        key[32..].copy_from_slice(anchor_fingerprint);
        if let Ok(mut g) = self.inner.lock() {
            if g.set.contains(&key) {
                g.hits += 1;
                return Ok(true);
            }
            g.misses += 1;
        }
        // Verify outside the lock so threads never wait on each other's ECDSA.
        let ok = verify()?;
        if ok {
            if let Ok(mut g) = self.inner.lock() {
                if g.set.insert(key) {
                    g.order.push_back(key);
                    while g.set.len() > self.capacity {
                        match g.order.pop_front() {
                            Some(old) => {
                                g.set.remove(&old);
                            }
                            None => break,
                        }
                    }
                }
            }
        }
        Ok(ok)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parsed_certificates_are_shared_and_failures_not_kept() {
        let der = hex::decode(include_str!("../../tests/data/iso18013-5-annex-d/ds_cert.der.hex").trim()).unwrap();
        let cache = DsCache::new(4);
        let a = cache.parse_ds(&der).unwrap();
        let b = cache.parse_ds(&der).unwrap();
        assert!(Arc::ptr_eq(&a, &b));
        assert_eq!(a.der(), der.as_slice());
        let mut bad = der.clone();
        bad.truncate(100);
        assert!(cache.parse_ds(&bad).is_err());
        assert!(cache.parse_ds(&bad).is_err());
        let off = DsCache::disabled();
        let c = off.parse_ds(&der).unwrap();
        let d = off.parse_ds(&der).unwrap();
        assert!(!Arc::ptr_eq(&c, &d));
    }

    #[test]
    fn remembers_only_successes_and_evicts_oldest() {
        let c = DsCache::new(2);
        let (a, b, x) = ([1u8; 32], [2u8; 32], [9u8; 32]);
        assert!(!c.check(&a, &x, || Ok(false)).unwrap());
        assert!(!c.check(&a, &x, || Ok(false)).unwrap(), "a failure is never cached");
        assert!(c.check(&a, &x, || Ok(true)).unwrap());
        assert!(c.check(&a, &x, || panic!("must hit")).unwrap());
        assert!(c.check(&b, &x, || Ok(true)).unwrap());
        assert!(c.check(&[3u8; 32], &x, || Ok(true)).unwrap());
        assert_eq!(c.stats().entries, 2);
        // `a` was the oldest: evicted, so it is verified again (and now fails).
        assert!(!c.check(&a, &x, || Ok(false)).unwrap());
        // Another anchor never hits an entry of the first.
        assert!(!c.check(&b, &[8u8; 32], || Ok(false)).unwrap());
    }

    #[test]
    fn disabled_cache_always_verifies() {
        let c = DsCache::disabled();
        assert!(c.check(&[1; 32], &[2; 32], || Ok(true)).unwrap());
        assert!(!c.check(&[1; 32], &[2; 32], || Ok(false)).unwrap());
        assert_eq!(c.stats(), DsCacheStats::default());
    }
}
