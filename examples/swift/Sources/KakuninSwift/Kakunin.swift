// Swift wrapper over kakunin's C ABI (include/kakunin.h, clang module
// `Kakunin`). Each class owns one native handle and frees it in `deinit`;
// borrowed views are copied into Swift values before the owner can go away.
// Trust stores, verifiers, transcripts, reader keys, engagements, Annex C
// states and results are immutable and may be shared across threads (the
// header says which handles are thread-safe); `ReaderSession`,
// `ItemsRequest` and `DeviceRequestBuilder` are used from one thread at a time.
//
// Conventions of this file (it cannot be compiled on Linux CI, so they are
// kept simple and uniform; examples/swift/check-symbols.sh cross-checks every
// C call against kakunin.h):
// - statuses are compared as numbers (kakunin.h's enum constants are not used);
// - a handle out-parameter that is still NULL after KAKUNIN_OK is treated as a
//   library failure (KAKUNIN_PANIC), never force-unwrapped;
// - Swift strings go to C only through `withCString`, and a string holding a
//   NUL byte is refused (KAKUNIN_INVALID_PARAMETER) instead of being cut short.
import Foundation
import Kakunin

// MARK: - Errors

/// A call returned a status other than KAKUNIN_OK (numbers are the append-only ones of kakunin.h).
public struct KakuninError: Error, CustomStringConvertible {
    /// The kakunin_status number.
    public let status: UInt32
    /// The stable error code number when the input was rejected (status 1000 + n), else 0.
    public let code: UInt32
    /// The stable code name (`"certificate_expired"`, `"not_a_certificate"`, …), or nil.
    public let codeName: String?
    /// The library's message for this failure (`kakunin_last_error_message`, the text the
    /// CLI tools print), read on the failing thread right after the call.
    public let message: String

    /// An error for `status`; `message` nil reads `kakunin_last_error_message()` now, so
    /// construct it right after the failing call, on the same thread.
    init(status: UInt32, message: String? = nil) {
        self.status = status
        code = kakunin_status_error_code(status)
        codeName = code == 0 ? nil : Kakunin.errorCodeName(code)
        self.message = message ?? Kakunin.lastErrorMessage
    }

    public var description: String { "kakunin status \(status) (\(codeName ?? "-")): \(message)" }

    public static let nullParameter: UInt32 = 1
    public static let invalidParameter: UInt32 = 2
    public static let notFound: UInt32 = 4
    public static let documentRejected: UInt32 = 6
    public static let panic: UInt32 = 100
    public static let errorCodeBase: UInt32 = 1000

    /// A library failure this wrapper detected itself (a NULL handle after success).
    static func missingHandle(_ what: String) -> KakuninError {
        KakuninError(status: panic, message: "kakunin returned no \(what)")
    }
}

@inline(__always)
func check(_ status: UInt32) throws {
    if status != 0 { throw KakuninError(status: status) }
}

/// The handle an out-parameter received, or an error when the library left it NULL.
func ownedHandle(_ p: OpaquePointer?, _ what: String) throws -> OpaquePointer {
    guard let p = p else { throw KakuninError.missingHandle(what) }
    return p
}

// MARK: - Conversions

/// Calls `body` with a non-NULL pointer to the bytes (an empty input still gets a valid pointer).
func withBytes<R>(_ data: Data, _ body: (UnsafePointer<UInt8>, Int) throws -> R) rethrows -> R {
    let zero: UInt8 = 0
    if data.isEmpty {
        return try withUnsafePointer(to: zero) { try body($0, 0) }
    }
    return try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> R in
        let bytes = raw.bindMemory(to: UInt8.self)
        guard let base = bytes.baseAddress else {
            return try withUnsafePointer(to: zero) { try body($0, 0) }
        }
        return try body(base, bytes.count)
    }
}

/// As `withBytes`, with NULL (and length 0) for nil.
func withOptionalBytes<R>(_ data: Data?, _ body: (UnsafePointer<UInt8>?, Int) throws -> R) rethrows -> R {
    guard let data = data else { return try body(nil, 0) }
    return try withBytes(data) { try body($0, $1) }
}

/// Calls `body` with a NUL-terminated copy of `s`; a string containing NUL is refused
/// (C would silently see only the part before it).
func withCStr<R>(_ s: String, _ body: (UnsafePointer<CChar>) throws -> R) throws -> R {
    if s.utf8.contains(0) {
        throw KakuninError(status: KakuninError.invalidParameter, message: "string argument contains a NUL byte")
    }
    return try s.withCString { try body($0) }
}

/// As `withCStr`, with NULL for nil.
func withOptionalCStr<R>(_ s: String?, _ body: (UnsafePointer<CChar>?) throws -> R) throws -> R {
    guard let s = s else { return try body(nil) }
    return try withCStr(s) { try body($0) }
}

/// A static NUL-terminated C string (or "" for NULL).
func cString(_ p: UnsafePointer<CChar>?) -> String {
    guard let p = p else { return "" }
    return String(cString: p)
}

/// Copies a borrowed `kakunin_str` (UTF-8, not NUL-terminated).
func string(_ s: kakunin_str) -> String {
    guard let p = s.data, s.len > 0 else { return "" }
    return p.withMemoryRebound(to: UInt8.self, capacity: s.len) {
        String(decoding: UnsafeBufferPointer(start: $0, count: s.len), as: UTF8.self)
    }
}

/// Copies borrowed `kakunin_bytes`.
func bytes(_ b: kakunin_bytes) -> Data {
    guard let p = b.data, b.len > 0 else { return Data() }
    return Data(bytes: p, count: b.len)
}

/// Copies and frees (zeroizes) an owned `kakunin_buffer`.
func takeBuffer(_ buffer: OpaquePointer?) throws -> Data {
    guard let buffer = buffer else { throw KakuninError.missingHandle("buffer") }
    defer { kakunin_buffer_free(buffer) }
    let n = kakunin_buffer_len(buffer)
    guard n > 0, let p = kakunin_buffer_data(buffer) else { return Data() }
    return Data(bytes: p, count: n)
}

/// Unix seconds of `date`, clamped to Int64 (Int64(Double) would trap out of range).
func unixSeconds(_ date: Date) -> Int64 {
    let t = date.timeIntervalSince1970.rounded(.down)
    if t.isNaN { return 0 }
    if t >= 9.0e18 { return Int64.max }
    if t <= -9.0e18 { return Int64.min }
    return Int64(t)
}

// MARK: - Library

public enum Kakunin {
    public static var version: String { cString(kakunin_version()) }
    public static var abiVersion: UInt32 { kakunin_abi_version() }
    /// The message of the last failed kakunin call on this thread ("" when none).
    public static var lastErrorMessage: String { cString(kakunin_last_error_message()) }
    /// The stable name of error code `code`, or nil when unknown.
    public static func errorCodeName(_ code: UInt32) -> String? {
        guard let p = kakunin_error_code_str(code) else { return nil }
        return String(cString: p)
    }
    /// Panics inside the library; returns the KAKUNIN_PANIC status (for tests).
    public static func debugPanic() -> UInt32 { UInt32(kakunin_debug_panic()) }
}

// MARK: - Trust, keys, transcripts

/// Trust anchors (IACA certificates), immutable.
public final class TrustStore {
    let handle: OpaquePointer
    init(owning handle: OpaquePointer) { self.handle = handle }

    /// Anchors from PEM (one or more certificates) or DER blobs.
    public init(pemOrDer blobs: [Data]) throws {
        guard let builder = kakunin_trust_store_builder_new() else { throw KakuninError.missingHandle("builder") }
        defer { kakunin_trust_store_builder_free(builder) }
        for blob in blobs {
            try withBytes(blob) { try check(UInt32(kakunin_trust_store_builder_add_pem_or_der(builder, $0, $1))) }
        }
        var out: OpaquePointer?
        try check(UInt32(kakunin_trust_store_builder_build(builder, &out)))
        handle = try ownedHandle(out, "trust store")
    }

    public var anchorCount: Int { kakunin_trust_store_anchor_count(handle) }
    deinit { kakunin_trust_store_free(handle) }
}

/// The SessionTranscript bytes, as received (Apple's ProximityReader hands them over).
public final class SessionTranscript {
    let handle: OpaquePointer
    public init(_ bytes: Data) throws {
        var out: OpaquePointer?
        try withBytes(bytes) { try check(UInt32(kakunin_session_transcript_new($0, $1, &out))) }
        handle = try ownedHandle(out, "session transcript")
    }
    deinit { kakunin_session_transcript_free(handle) }
}

/// A private key: the reader's ephemeral key (deviceMac), an HPKE key (Annex C, Apple);
/// zeroized when freed.
public final class ReaderKey {
    let handle: OpaquePointer
    /// PKCS#8 / SEC1 (PEM or DER) or a COSE_Key.
    public init(_ bytes: Data) throws {
        var out: OpaquePointer?
        try withBytes(bytes) { try check(UInt32(kakunin_reader_key_from_bytes($0, $1, &out))) }
        handle = try ownedHandle(out, "reader key")
    }
    /// ProximityReader's `ephemeralReaderKey`: X9.63 (`04 || X || Y || d`), a
    /// raw scalar, or any encoding of `init(_:)`.
    public init(ephemeralReaderKey bytes: Data) throws {
        var out: OpaquePointer?
        try withBytes(bytes) { try check(UInt32(kakunin_reader_key_from_platform_bytes($0, $1, &out))) }
        handle = try ownedHandle(out, "reader key")
    }
    /// A big-endian P-256 private scalar.
    public init(p256Scalar d: Data) throws {
        var out: OpaquePointer?
        try withBytes(d) { try check(UInt32(kakunin_reader_key_from_scalar(1, $0, $1, &out))) }
        handle = try ownedHandle(out, "reader key")
    }
    deinit { kakunin_reader_key_free(handle) }
}

/// A reader authentication key (ISO 18013-5 §9.1.4): a private key and its certificate
/// chain (PEM or DER, leaf first). Also the signer of OpenID4VP request objects.
public final class ReaderAuthKey {
    let handle: OpaquePointer
    public init(key: ReaderKey, chain: Data) throws {
        var out: OpaquePointer?
        try withBytes(chain) { try check(UInt32(kakunin_reader_auth_key_new(key.handle, $0, $1, &out))) }
        handle = try ownedHandle(out, "reader auth key")
    }
    deinit { kakunin_reader_auth_key_free(handle) }
}

// MARK: - Revocation

/// How revocation is checked; `maxAgeSeconds` 0 = no maximum age beyond the lists' own.
public struct RevocationPolicy {
    public enum Mode: UInt32 {
        case off = 1
        case bestEffort = 2
        case required = 3
    }
    public let mode: Mode
    public let maxAgeSeconds: UInt64
    public init(_ mode: Mode, maxAgeSeconds: UInt64 = 0) {
        self.mode = mode
        self.maxAgeSeconds = maxAgeSeconds
    }
}

/// CRLs (DER) and status-list tokens the application fetched; a `Verifier` takes its own copy.
public final class RevocationData {
    let handle: OpaquePointer
    public init(crls: [Data] = [], statusTokens: [Data] = []) throws {
        guard let h = kakunin_revocation_data_new() else { throw KakuninError.missingHandle("revocation data") }
        handle = h // from here on, deinit frees it even if an add below throws
        for crl in crls {
            try withBytes(crl) { try check(UInt32(kakunin_revocation_data_add_crl(h, $0, $1))) }
        }
        for token in statusTokens {
            try withBytes(token) { try check(UInt32(kakunin_revocation_data_add_status_token(h, $0, $1))) }
        }
    }
    public var crlCount: Int { kakunin_revocation_data_crl_count(handle) }
    public var statusTokenCount: Int { kakunin_revocation_data_status_token_count(handle) }
    deinit { kakunin_revocation_data_free(handle) }
}

// MARK: - VICAL

/// A VICAL verified against VICAL anchors at a time (immutable).
public final class Vical {
    let handle: OpaquePointer

    /// Verifies `vical` (COSE_Sign1) against `anchors` (PEM or DER) at `date`. Throws
    /// `trust_list_stale` / `trust_list_invalid` when refused. `lastIssueId`: the
    /// vicalIssueID last accepted (an older or missing one is `trust_list_stale`).
    /// `allowContentCommitmentSigner`: the opt-in the AAMVA production VICAL needs.
    public init(verifying vical: Data, anchors: Data, at date: Date = Date(), clockSkewSeconds: Int64 = 0,
                maxAgeSeconds: UInt64 = 0, lastIssueId: UInt64? = nil,
                allowContentCommitmentSigner: Bool = false) throws {
        var out: OpaquePointer?
        let flags: UInt32 = allowContentCommitmentSigner ? 1 : 0 // KAKUNIN_VICAL_ALLOW_CONTENT_COMMITMENT_SIGNER
        try withBytes(vical) { v, vLen in
            try withBytes(anchors) { a, aLen in
                try check(UInt32(kakunin_vical_verify_with_options(
                    v, vLen, a, aLen, unixSeconds(date), clockSkewSeconds, maxAgeSeconds,
                    lastIssueId != nil, lastIssueId ?? 0, flags, &out)))
            }
        }
        handle = try ownedHandle(out, "VICAL")
    }
    deinit { kakunin_vical_free(handle) }

    public var provider: String {
        var s = kakunin_str()
        return kakunin_vical_provider(handle, &s) == 0 ? string(s) : ""
    }
    /// `date`, when the VICAL was issued.
    public var date: Date? {
        var t: Int64 = 0
        return kakunin_vical_date(handle, &t) == 0 ? Date(timeIntervalSince1970: TimeInterval(t)) : nil
    }
    /// `nextUpdate`, nil when the VICAL states none.
    public var nextUpdate: Date? {
        var t: Int64 = 0
        return kakunin_vical_next_update(handle, &t) == 0 ? Date(timeIntervalSince1970: TimeInterval(t)) : nil
    }
    /// `vicalIssueID`, nil when the VICAL states none.
    public var issueId: UInt64? {
        var id: UInt64 = 0
        return kakunin_vical_issue_id(handle, &id) == 0 ? id : nil
    }
    public var entryCount: Int { kakunin_vical_entry_count(handle) }
    public var rejectedCount: Int { kakunin_vical_rejected_count(handle) }

    /// The entries left out of the trust store: position, reason status and message.
    public var rejected: [(entryIndex: Int, reason: UInt32, message: String)] {
        (0..<rejectedCount).compactMap { i in
            var entry = 0
            var reason: UInt32 = 0
            var msg = kakunin_str()
            guard kakunin_vical_rejected(handle, i, &entry, &reason, &msg) == 0 else { return nil }
            return (entryIndex: entry, reason: reason, message: string(msg))
        }
    }

    /// A trust store of its IACAs that meet the IACA profile, scoped to their docTypes.
    public func trustStore() throws -> TrustStore {
        var out: OpaquePointer?
        try check(UInt32(kakunin_vical_trust_store(handle, &out)))
        return TrustStore(owning: try ownedHandle(out, "trust store"))
    }
}

// MARK: - Verifier

/// An immutable verifier.
public final class Verifier {
    let handle: OpaquePointer

    public init(trust: TrustStore, clockSkewSeconds: Int64 = 0, revocation: RevocationPolicy? = nil,
                revocationData: RevocationData? = nil) throws {
        var b: OpaquePointer?
        try check(UInt32(kakunin_verifier_builder_new(trust.handle, &b)))
        let builder = try ownedHandle(b, "verifier builder")
        defer { kakunin_verifier_builder_free(builder) }
        try check(UInt32(kakunin_verifier_builder_set_clock_skew(builder, clockSkewSeconds)))
        if let r = revocation {
            try check(UInt32(kakunin_verifier_builder_set_revocation_policy(builder, r.mode.rawValue, r.maxAgeSeconds)))
        }
        if let d = revocationData {
            try check(UInt32(kakunin_verifier_builder_set_revocation_data(builder, d.handle)))
        }
        var out: OpaquePointer?
        try check(UInt32(kakunin_verifier_builder_build(builder, &out)))
        handle = try ownedHandle(out, "verifier")
    }
    deinit { kakunin_verifier_free(handle) }

    /// Verifies a DeviceResponse completely (issuer and device authentication) at `date`.
    public func verify(deviceResponse: Data, transcript: SessionTranscript?, readerKey: ReaderKey?,
                       at date: Date = Date()) throws -> Verification {
        var out: OpaquePointer?
        try withBytes(deviceResponse) {
            try check(UInt32(kakunin_verifier_verify_device_response(
                handle, $0, $1, transcript?.handle, readerKey?.handle, unixSeconds(date), &out)))
        }
        return Verification(owning: try ownedHandle(out, "verification"))
    }

    /// As `verify(deviceResponse:transcript:readerKey:at:)`, bound to `deviceRequest` (the
    /// DeviceRequest as sent): a document of a docType not requested is rejected
    /// (`document_not_requested`), elements not requested are not returned.
    public func verify(deviceResponse: Data, deviceRequest: Data, transcript: SessionTranscript?,
                       readerKey: ReaderKey?, at date: Date = Date()) throws -> Verification {
        var out: OpaquePointer?
        try withBytes(deviceResponse) { resp, respLen in
            try withBytes(deviceRequest) { req, reqLen in
                try check(UInt32(kakunin_verifier_verify_device_response_for_request(
                    handle, resp, respLen, req, reqLen, transcript?.handle, readerKey?.handle,
                    unixSeconds(date), &out)))
            }
        }
        return Verification(owning: try ownedHandle(out, "verification"))
    }

    /// Verifies only the issuer side of every document.
    public func verifyIssuerOnly(deviceResponse: Data, at date: Date = Date()) throws -> Verification {
        var out: OpaquePointer?
        try withBytes(deviceResponse) {
            try check(UInt32(kakunin_verifier_verify_device_response_issuer_only(
                handle, $0, $1, unixSeconds(date), &out)))
        }
        return Verification(owning: try ownedHandle(out, "verification"))
    }
}

// MARK: - Results

/// A verified element value.
public enum ElementValue: Equatable {
    case text(String)
    case integer(Int64)
    case bool(Bool)
    case bytes(Data)
    case date(String)
    /// Any other type (array, map, float, …) as JSON.
    case json(String)
}

public struct Element {
    public let namespace: String
    public let identifier: String
    public let deviceSigned: Bool
    public let value: ElementValue
    public init(namespace: String, identifier: String, deviceSigned: Bool, value: ElementValue) {
        self.namespace = namespace
        self.identifier = identifier
        self.deviceSigned = deviceSigned
        self.value = value
    }
}

/// One error or warning of a result: stable code number (and name) and a human message.
public struct DocumentError {
    public let code: UInt32
    public var name: String? { Kakunin.errorCodeName(code) }
    public let message: String
}

/// A type warning: an element whose type contradicts the registry (not a security failure).
public struct TypeWarning {
    public let namespace: String
    public let element: String
    public let expected: String
    public let received: String
}

public struct Document {
    public let valid: Bool
    /// For a rejected document: the claimed, unverified docType.
    public let docType: String
    /// "signature", "mac", or nil (issuer-only or rejected).
    public let deviceAuth: String?
    /// The Document Signer subject DN (nil for a rejected document).
    public let issuerSubject: String?
    public let elements: [Element]
    public let errors: [DocumentError]
    /// What a best-effort revocation policy tolerated (`revocation_unavailable`, `revocation_stale`).
    public let policyWarnings: [DocumentError]
    public let typeWarnings: [TypeWarning]

    public init(valid: Bool, docType: String, deviceAuth: String?, issuerSubject: String? = nil,
                elements: [Element], errors: [DocumentError] = [], policyWarnings: [DocumentError] = [],
                typeWarnings: [TypeWarning] = []) {
        self.valid = valid
        self.docType = docType
        self.deviceAuth = deviceAuth
        self.issuerSubject = issuerSubject
        self.elements = elements
        self.errors = errors
        self.policyWarnings = policyWarnings
        self.typeWarnings = typeWarnings
    }

    /// An issuer-signed element; never a device-signed (holder-controlled) value of the same name.
    public func element(_ namespace: String, _ identifier: String) -> ElementValue? {
        elements.first { !$0.deviceSigned && $0.namespace == namespace && $0.identifier == identifier }?.value
    }

    /// A device-signed element (signed by the holder's device within the MSO keyAuthorizations).
    public func deviceElement(_ namespace: String, _ identifier: String) -> ElementValue? {
        elements.first { $0.deviceSigned && $0.namespace == namespace && $0.identifier == identifier }?.value
    }
}

/// The answer to "is the holder at least N?" (numbers of kakunin_age_verdict / _evidence).
public struct AgeAnswer: Equatable {
    public let verdict: UInt32
    public let evidence: UInt32
    /// The NN of `age_over_NN` when that was the evidence, else 0.
    public let evidenceNn: UInt32
    public var isAtLeast: Bool { verdict == AgeAnswer.atLeast }
    public static let unknown: UInt32 = 0
    public static let atLeast: UInt32 = 1
    public static let under: UInt32 = 2
    public static let contradictory: UInt32 = 3
}

/// A verification result; the native result is freed (and wiped) in `deinit`.
public final class Verification {
    let handle: OpaquePointer
    init(owning handle: OpaquePointer) { self.handle = handle }
    deinit { kakunin_verification_free(handle) }

    public var isValid: Bool { kakunin_verification_is_valid(handle) }

    /// The same JSON as the Rust `Verification::to_json()`.
    public var json: String {
        var s = kakunin_str()
        return kakunin_verification_json(handle, &s) == 0 ? string(s) : ""
    }

    /// The personal-data-free audit record, as JSON.
    public var auditJSON: String {
        var s = kakunin_str()
        return kakunin_verification_audit_json(handle, &s) == 0 ? string(s) : ""
    }

    /// Response-level errors (structure, version, status, envelope failures).
    public var errors: [DocumentError] {
        (0..<kakunin_verification_error_count(handle)).compactMap { i in
            var code: UInt32 = 0
            var msg = kakunin_str()
            guard kakunin_verification_error(handle, i, &code, &msg) == 0 else { return nil }
            return DocumentError(code: code, message: string(msg))
        }
    }

    /// Response-level warnings.
    public var warnings: [DocumentError] {
        (0..<kakunin_verification_warning_count(handle)).compactMap { i in
            var code: UInt32 = 0
            var msg = kakunin_str()
            guard kakunin_verification_warning(handle, i, &code, &msg) == 0 else { return nil }
            return DocumentError(code: code, message: string(msg))
        }
    }

    /// "Is the holder of verified document `doc`, expected to be of `docType`, at least
    /// `years` old?" Unknown for a document of another (or an unregistered) docType;
    /// throws `documentRejected` (status 6) for a rejected document.
    public func ageAtLeast(document doc: Int, docType: String, years: UInt32) throws -> AgeAnswer {
        var verdict: UInt32 = 0, evidence: UInt32 = 0, nn: UInt32 = 0
        try withCStr(docType) { dt in
            try check(UInt32(kakunin_verification_document_age_at_least_for_doc_type(
                handle, doc, dt, years, &verdict, &evidence, &nn)))
        }
        return AgeAnswer(verdict: verdict, evidence: evidence, evidenceNn: nn)
    }

    /// The portrait of verified document `doc` of `docType` and its format (1 JPEG,
    /// 2 JPEG 2000), if disclosed.
    public func portrait(document doc: Int, docType: String) throws -> (image: Data, format: UInt32)? {
        var b = kakunin_bytes()
        var format: UInt32 = 0
        let st = try withCStr(docType) { dt in
            UInt32(kakunin_verification_document_portrait_for_doc_type(handle, doc, dt, &b, &format))
        }
        if st == KakuninError.notFound { return nil }
        try check(st)
        return (bytes(b), format)
    }

    /// The issuer-signed element of verified document `doc`, looked up by the library
    /// (ISO 18013-5 §9.1.2); nil when not disclosed. Never a device-signed value.
    public func element(document doc: Int, _ namespace: String, _ identifier: String) throws -> ElementValue? {
        var e: OpaquePointer?
        let st = try withCStr(namespace) { ns in
            try withCStr(identifier) { id in
                UInt32(kakunin_verification_document_find_element(handle, doc, ns, id, &e))
            }
        }
        if st == KakuninError.notFound { return nil }
        try check(st)
        let found = try ownedHandle(e, "element")
        return element(found).value
    }

    /// The device-signed element of verified document `doc` (DeviceNameSpaces, within the
    /// MSO keyAuthorizations; ISO 18013-5 §8.3.2.1.2.2); nil when none. Never an
    /// issuer-signed value.
    public func deviceElement(document doc: Int, _ namespace: String, _ identifier: String) throws -> ElementValue? {
        var e: OpaquePointer?
        let st = try withCStr(namespace) { ns in
            try withCStr(identifier) { id in
                UInt32(kakunin_verification_document_find_device_element(handle, doc, ns, id, &e))
            }
        }
        if st == KakuninError.notFound { return nil }
        try check(st)
        let found = try ownedHandle(e, "element")
        return element(found).value
    }

    public var documents: [Document] {
        (0..<kakunin_verification_document_count(handle)).map(document)
    }

    private func field(_ doc: Int, _ f: UInt32) -> String? {
        var s = kakunin_str()
        return kakunin_verification_document_field(handle, doc, f, &s) == 0 ? string(s) : nil
    }

    private func document(_ doc: Int) -> Document {
        var valid = false
        if kakunin_verification_document_is_valid(handle, doc, &valid) != 0 { valid = false }
        var n = 0
        if kakunin_verification_document_error_count(handle, doc, &n) != 0 { n = 0 }
        let errors: [DocumentError] = (0..<n).compactMap { j in
            var code: UInt32 = 0
            var msg = kakunin_str()
            guard kakunin_verification_document_error(handle, doc, j, &code, &msg) == 0 else { return nil }
            return DocumentError(code: code, message: string(msg))
        }
        var elements: [Element] = []
        var policyWarnings: [DocumentError] = []
        var typeWarnings: [TypeWarning] = []
        if valid {
            if kakunin_verification_document_element_count(handle, doc, &n) == 0 {
                for k in 0..<n {
                    var e: OpaquePointer?
                    if kakunin_verification_document_element(handle, doc, k, &e) == 0, let e = e {
                        elements.append(element(e))
                    }
                }
            }
            if kakunin_verification_document_policy_warning_count(handle, doc, &n) == 0 {
                policyWarnings = (0..<n).compactMap { j in
                    var code: UInt32 = 0
                    var msg = kakunin_str()
                    guard kakunin_verification_document_policy_warning(handle, doc, j, &code, &msg) == 0 else {
                        return nil
                    }
                    return DocumentError(code: code, message: string(msg))
                }
            }
            if kakunin_verification_document_warning_count(handle, doc, &n) == 0 {
                typeWarnings = (0..<n).map { (j: Int) -> TypeWarning in
                    func warningField(_ f: UInt32) -> String {
                        var s = kakunin_str()
                        return kakunin_verification_document_warning(handle, doc, j, f, &s) == 0 ? string(s) : ""
                    }
                    return TypeWarning(namespace: warningField(1), element: warningField(2),
                                       expected: warningField(3), received: warningField(4))
                }
            }
        }
        return Document(valid: valid, docType: field(doc, 1) ?? "", deviceAuth: field(doc, 9),
                        issuerSubject: field(doc, 2), elements: elements, errors: errors,
                        policyWarnings: policyWarnings, typeWarnings: typeWarnings)
    }

    private func element(_ e: OpaquePointer) -> Element {
        var ns = kakunin_str(), id = kakunin_str(), s = kakunin_str()
        _ = kakunin_element_namespace(e, &ns)
        _ = kakunin_element_identifier(e, &id)
        let value: ElementValue
        switch UInt32(kakunin_element_type(e)) {
        case 1 where kakunin_element_text(e, &s) == 0:
            value = .text(string(s))
        case 2:
            var i: Int64 = 0
            if kakunin_element_int(e, &i) == 0 {
                value = .integer(i)
            } else {
                _ = kakunin_element_json(e, &s)
                value = .json(string(s))
            }
        case 3:
            var b = false
            if kakunin_element_bool(e, &b) == 0 {
                value = .bool(b)
            } else {
                _ = kakunin_element_json(e, &s)
                value = .json(string(s))
            }
        case 4:
            var b = kakunin_bytes()
            _ = kakunin_element_bytes(e, &b)
            value = .bytes(bytes(b))
        case 5 where kakunin_element_date(e, &s) == 0, 6 where kakunin_element_date(e, &s) == 0:
            value = .date(string(s))
        default:
            _ = kakunin_element_json(e, &s)
            value = .json(string(s))
        }
        return Element(namespace: string(ns), identifier: string(id),
                       deviceSigned: kakunin_element_is_device_signed(e), value: value)
    }
}

// MARK: - Proximity: engagement, requests, session

/// A DeviceEngagement and the handover it came by (immutable).
public final class DeviceEngagement {
    let handle: OpaquePointer

    /// From a QR code's `mdoc:` text (ISO 18013-5 §8.2.2.3).
    public init(qr text: String) throws {
        var out: OpaquePointer?
        try withCStr(text) { try check(UInt32(kakunin_device_engagement_from_qr($0, &out))) }
        handle = try ownedHandle(out, "device engagement")
    }

    /// From NFC handover (§8.2.2.1): the Handover Select received and, for negotiated
    /// handover, the Handover Request sent (nil for static handover).
    public init(nfcHandoverSelect select: Data, request: Data?) throws {
        var out: OpaquePointer?
        try withBytes(select) { s, sLen in
            try withOptionalBytes(request) { r, rLen in
                try check(UInt32(kakunin_device_engagement_from_nfc_handover(s, sLen, r, rLen, &out)))
            }
        }
        handle = try ownedHandle(out, "device engagement")
    }
    deinit { kakunin_device_engagement_free(handle) }

    /// The DeviceEngagement bytes as received.
    public var bytes: Data {
        var b = kakunin_bytes()
        return kakunin_device_engagement_bytes(handle, &b) == 0 ? KakuninSwift.bytes(b) : Data()
    }
    /// The COSE curve of EDeviceKey (1 P-256, 2 P-384, 3 P-521).
    public var curve: UInt32 { kakunin_device_engagement_curve(handle) }
    /// The retrieval methods offered (kakunin_retrieval_method numbers: 1 NFC, 2 BLE, 3 Wi-Fi Aware, 99 other).
    public var retrievalMethods: [UInt32] {
        (0..<kakunin_device_engagement_method_count(handle)).compactMap { i in
            var t: UInt32 = 0
            return kakunin_device_engagement_method_type(handle, i, &t) == 0 ? t : nil
        }
    }
}

/// The elements to request from one document (an ItemsRequest, ISO 18013-5 §8.3.2.1.2.1).
public final class ItemsRequest {
    let handle: OpaquePointer
    public init(docType: String) throws {
        var out: OpaquePointer?
        try withCStr(docType) { try check(UInt32(kakunin_items_request_new($0, &out))) }
        handle = try ownedHandle(out, "items request")
    }
    /// `docType` for `elements` (namespace, identifier); `individual_number_unicode` is refused
    /// when added to a request unless `individualNumberPurpose` says why.
    public convenience init(docType: String, elements: [(namespace: String, identifier: String)],
                            individualNumberPurpose: String? = nil) throws {
        try self.init(docType: docType)
        for e in elements { try add(e.namespace, e.identifier) }
        if let purpose = individualNumberPurpose { try setIndividualNumberPurpose(purpose) }
    }
    deinit { kakunin_items_request_free(handle) }

    public func add(_ namespace: String, _ identifier: String, intentToRetain: Bool = false) throws {
        try withCStr(namespace) { ns in
            try withCStr(identifier) { id in
                try check(UInt32(kakunin_items_request_add_element(handle, ns, id, intentToRetain)))
            }
        }
    }

    /// The purpose that allows requesting `individual_number_unicode` (My Number).
    public func setIndividualNumberPurpose(_ purpose: String) throws {
        try withCStr(purpose) { try check(UInt32(kakunin_items_request_set_individual_number_purpose(handle, $0))) }
    }
}

/// Builds a DeviceRequest (version "1.0"); the privacy policy is checked in `add`.
public final class DeviceRequestBuilder {
    let handle: OpaquePointer
    public init() throws {
        guard let h = kakunin_device_request_builder_new() else { throw KakuninError.missingHandle("builder") }
        handle = h
    }
    deinit { kakunin_device_request_builder_free(handle) }

    /// Adds a DocRequest for `items`, with a ReaderAuth over `session`'s transcript when
    /// `readerAuthKey` is given (then `session` is required).
    public func add(_ items: ItemsRequest, session: ReaderSession? = nil, readerAuthKey: ReaderAuthKey? = nil) throws {
        try check(UInt32(kakunin_device_request_builder_add(handle, items.handle, session?.handle, readerAuthKey?.handle)))
    }

    /// The encoded DeviceRequest (the builder stays usable).
    public func build() throws -> Data {
        var out: OpaquePointer?
        try check(UInt32(kakunin_device_request_builder_build(handle, &out)))
        return try takeBuffer(out)
    }
}

/// What a received SessionData meant.
public struct SessionEvent {
    public enum Kind: UInt32 {
        /// A DeviceResponse; the session stays open.
        case response = 1
        /// A DeviceResponse, and the holder ended the session (status 20).
        case responseAndTerminated = 2
        /// The holder ended the session without data.
        case terminated = 3
    }
    /// The raw kakunin_session_event number.
    public let event: UInt32
    public var kind: Kind? { Kind(rawValue: event) }
    /// The decrypted DeviceResponse (nil for `terminated`).
    public let deviceResponse: Data?
}

/// The reader side of a proximity session (ISO 18013-5 §9.1.1); not thread-safe.
public final class ReaderSession {
    let handle: OpaquePointer

    /// `readerKey` nil generates a fresh ephemeral key (the normal case); a fixed one is
    /// for replays and tests.
    public init(engagement: DeviceEngagement, readerKey: ReaderKey? = nil) throws {
        var out: OpaquePointer?
        try check(UInt32(kakunin_reader_session_new(engagement.handle, readerKey?.handle, &out)))
        handle = try ownedHandle(out, "reader session")
    }
    deinit { kakunin_reader_session_free(handle) }

    /// The SessionEstablishment carrying the first DeviceRequest.
    public func establish(_ deviceRequest: Data) throws -> Data {
        var out: OpaquePointer?
        try withBytes(deviceRequest) { try check(UInt32(kakunin_reader_session_establish(handle, $0, $1, &out))) }
        return try takeBuffer(out)
    }

    /// The SessionData carrying a further DeviceRequest (after a response arrived).
    public func request(_ deviceRequest: Data) throws -> Data {
        var out: OpaquePointer?
        try withBytes(deviceRequest) { try check(UInt32(kakunin_reader_session_request(handle, $0, $1, &out))) }
        return try takeBuffer(out)
    }

    /// Decrypts a received SessionData; any failure closes the session.
    public func receive(_ sessionData: Data) throws -> SessionEvent {
        var event: UInt32 = 0
        var out: OpaquePointer?
        try withBytes(sessionData) {
            try check(UInt32(kakunin_reader_session_receive(handle, $0, $1, &event, &out)))
        }
        let response: Data? = try out.map { try takeBuffer($0) }
        return SessionEvent(event: event, deviceResponse: response)
    }

    /// The status-20 SessionData that ends the session.
    public func terminate() throws -> Data {
        var out: OpaquePointer?
        try check(UInt32(kakunin_reader_session_terminate(handle, &out)))
        return try takeBuffer(out)
    }

    /// The kakunin_session_state number (1 ready, 2 awaiting response, 3 idle, 4 closed).
    public var state: UInt32 { kakunin_reader_session_state(handle) }

    /// SessionTranscriptBytes (tag 24).
    public var transcriptBytes: Data {
        var b = kakunin_bytes()
        return kakunin_reader_session_transcript_bytes(handle, &b) == 0 ? bytes(b) : Data()
    }

    /// EReaderKeyBytes (tag 24 COSE_Key).
    public var eReaderKeyBytes: Data {
        var b = kakunin_bytes()
        return kakunin_reader_session_e_reader_key_bytes(handle, &b) == 0 ? bytes(b) : Data()
    }

    /// Verifies a DeviceResponse of this session (its transcript and reader key), bound to
    /// the last DeviceRequest the session sent.
    public func verify(_ verifier: Verifier, deviceResponse: Data, at date: Date = Date()) throws -> Verification {
        var out: OpaquePointer?
        try withBytes(deviceResponse) {
            try check(UInt32(kakunin_reader_session_verify_device_response(
                handle, verifier.handle, $0, $1, unixSeconds(date), &out)))
        }
        return Verification(owning: try ownedHandle(out, "verification"))
    }

    /// A DeviceRequest asking `docType` for `elements`. `individual_number_unicode` is
    /// refused (`request_refused`) unless `individualNumberPurpose` says why.
    public func deviceRequest(docType: String, elements: [(namespace: String, identifier: String)],
                              individualNumberPurpose: String? = nil) throws -> Data {
        let items = try ItemsRequest(docType: docType, elements: elements,
                                     individualNumberPurpose: individualNumberPurpose)
        let builder = try DeviceRequestBuilder()
        try builder.add(items, session: self)
        return try withExtendedLifetime(items) { try builder.build() }
    }
}

// MARK: - Online: ISO 18013-7 Annex C and Apple in-app

/// What an Annex C verifier keeps between request and answer (holds the HPKE private key;
/// zeroized when freed).
public final class AnnexCState {
    let handle: OpaquePointer
    init(owning handle: OpaquePointer) { self.handle = handle }
    deinit { kakunin_annex_c_state_free(handle) }

    /// Restores a state written by `toBytes()`.
    public init(bytes: Data) throws {
        var out: OpaquePointer?
        try withBytes(bytes) { try check(UInt32(kakunin_annex_c_state_from_bytes($0, $1, &out))) }
        handle = try ownedHandle(out, "Annex C state")
    }

    /// A state from the request JSON the verifier sent, its origin and its HPKE key.
    public init(requestJSON: Data, origin: String, key: ReaderKey) throws {
        var out: OpaquePointer?
        try withBytes(requestJSON) { j, jLen in
            try withCStr(origin) { o in
                try check(UInt32(kakunin_annex_c_state_from_request(j, jLen, o, key.handle, &out)))
            }
        }
        handle = try ownedHandle(out, "Annex C state")
    }

    /// The state as bytes, for storage between two HTTP calls. **Holds the private key**:
    /// keep it server-side.
    public func toBytes() throws -> Data {
        var out: OpaquePointer?
        try check(UInt32(kakunin_annex_c_state_to_bytes(handle, &out)))
        return try takeBuffer(out)
    }

    /// Opens and verifies the wallet's `{"response": …}` (or the whole credential).
    public func verify(_ verifier: Verifier, responseJSON: Data, at date: Date = Date()) throws -> Verification {
        var out: OpaquePointer?
        try withBytes(responseJSON) {
            try check(UInt32(kakunin_annex_c_verify_response(verifier.handle, handle, $0, $1, unixSeconds(date), &out)))
        }
        return Verification(owning: try ownedHandle(out, "verification"))
    }
}

/// An Annex C request: the `data` JSON for `navigator.credentials.get()` and the state to keep.
public struct AnnexCRequest {
    public let dataJSON: String
    public let state: AnnexCState
}

/// Online presentations: ISO 18013-7 Annex C (Digital Credentials API) and Apple in-app.
public enum Online {
    /// An Annex C request for `items` at `origin` (fresh HPKE key and nonce); with
    /// `readerAuthKey`, every DocRequest carries a ReaderAuth.
    public static func annexCRequest(items: [ItemsRequest], origin: String,
                                     readerAuthKey: ReaderAuthKey? = nil) throws -> AnnexCRequest {
        var data: OpaquePointer?
        var state: OpaquePointer?
        let pointers: [OpaquePointer?] = items.map { $0.handle }
        try withExtendedLifetime(items) {
            try pointers.withUnsafeBufferPointer { buf in
                try withCStr(origin) { o in
                    try check(UInt32(kakunin_annex_c_request_new(
                        buf.baseAddress, buf.count, o, readerAuthKey?.handle, &data, &state)))
                }
            }
        }
        // Own the state first, so that it is freed even if reading the data fails.
        guard let s = state else {
            kakunin_buffer_free(data)
            throw KakuninError.missingHandle("Annex C state")
        }
        let owned = AnnexCState(owning: s)
        let json = try takeBuffer(data)
        return AnnexCRequest(dataJSON: String(decoding: json, as: UTF8.self), state: owned)
    }

    /// An Annex C request for `docType` / `elements` at `origin`.
    public static func annexCRequest(docType: String, elements: [(namespace: String, identifier: String)],
                                     origin: String, individualNumberPurpose: String? = nil) throws -> AnnexCRequest {
        let items = try ItemsRequest(docType: docType, elements: elements,
                                     individualNumberPurpose: individualNumberPurpose)
        return try annexCRequest(items: [items], origin: origin)
    }

    /// Opens and verifies Apple's `PKIdentityDocument.encryptedData` (`APPLE-HPKE-v1`).
    public static func verifyAppleEnvelope(_ verifier: Verifier, key: ReaderKey, nonce: Data, merchantId: String,
                                           teamId: String, envelope: Data,
                                           at date: Date = Date()) throws -> Verification {
        var out: OpaquePointer?
        try withBytes(nonce) { n, nLen in
            try withCStr(merchantId) { m in
                try withCStr(teamId) { t in
                    try withBytes(envelope) { e, eLen in
                        try check(UInt32(kakunin_apple_verify_envelope(
                            verifier.handle, key.handle, n, nLen, m, t, e, eLen, unixSeconds(date), &out)))
                    }
                }
            }
        }
        return Verification(owning: try ownedHandle(out, "verification"))
    }
}

// MARK: - Online: OpenID4VP 1.0

/// One DCQL credential query: `id` ([A-Za-z0-9_-]+), docType and (namespace, element) pairs.
public struct DcqlCredential {
    public let id: String
    public let docType: String
    public let elements: [(namespace: String, identifier: String)]
    public let individualNumberPurpose: String?
    public init(id: String, docType: String, elements: [(namespace: String, identifier: String)],
                individualNumberPurpose: String? = nil) {
        self.id = id
        self.docType = docType
        self.elements = elements
        self.individualNumberPurpose = individualNumberPurpose
    }
}

/// A built request: what to send, and the state to keep server-side (it holds the private key).
public struct OpenId4VpRequest {
    public let request: String
    public let state: Data
}

/// The wallet's response channel.
public enum OpenId4VpFlow {
    /// Redirects: `client_id` (with its prefix, e.g. `x509_san_dns:`) and `response_uri`.
    case redirect(clientId: String, responseUri: String)
    /// The W3C Digital Credentials API from the web `origin`.
    case dcApi(origin: String)

    var parts: (clientId: String?, responseUri: String?, origin: String?) {
        switch self {
        case let .redirect(clientId, responseUri): return (clientId: clientId, responseUri: responseUri, origin: nil)
        case let .dcApi(origin): return (clientId: nil, responseUri: nil, origin: origin)
        }
    }
}

/// OpenID4VP 1.0 (`mso_mdoc`), verifier side.
public enum OpenId4Vp {
    /// Builds a request (`encrypted`: the `.jwt` response modes, what HAIP requires). For
    /// the DC API the request is the `{"protocol", "data"}` entry for
    /// `navigator.credentials.get`; with `signer`, a signed request object.
    public static func request(flow: OpenId4VpFlow, encrypted: Bool, credentials: [DcqlCredential],
                               nonce: String? = nil, signer: ReaderAuthKey? = nil) throws -> OpenId4VpRequest {
        var b: OpaquePointer?
        switch flow {
        case let .redirect(clientId, responseUri):
            try withCStr(clientId) { c in
                try withCStr(responseUri) { u in
                    try check(UInt32(kakunin_oid4vp_request_builder_new_redirect(c, u, encrypted, &b)))
                }
            }
        case let .dcApi(origin):
            try withCStr(origin) { try check(UInt32(kakunin_oid4vp_request_builder_new_dc_api($0, encrypted, &b))) }
        }
        let builder = try ownedHandle(b, "OpenID4VP request builder")
        defer { kakunin_oid4vp_request_builder_free(builder) }
        if let nonce = nonce {
            try withCStr(nonce) { try check(UInt32(kakunin_oid4vp_request_builder_set_nonce(builder, $0))) }
        }
        for c in credentials {
            let items = try ItemsRequest(docType: c.docType, elements: c.elements,
                                         individualNumberPurpose: c.individualNumberPurpose)
            // Keep `items` alive until the call returns (its deinit frees the native request).
            try withExtendedLifetime(items) {
                try withCStr(c.id) { id in
                    try check(UInt32(kakunin_oid4vp_request_builder_add_credential(builder, id, items.handle)))
                }
            }
        }
        var req: OpaquePointer?
        var st: OpaquePointer?
        try check(UInt32(kakunin_oid4vp_request_builder_build(builder, signer?.handle, &req, &st)))
        // Free the native state (zeroizing it) on every path; callers keep the serialised form.
        defer { kakunin_oid4vp_state_free(st) }
        let request = try takeBuffer(req)
        let state = try ownedHandle(st, "OpenID4VP state")
        var ser: OpaquePointer?
        try check(UInt32(kakunin_oid4vp_state_serialize(state, &ser)))
        return OpenId4VpRequest(request: String(decoding: request, as: UTF8.self), state: try takeBuffer(ser))
    }

    /// Verifies the wallet's response (the JSON posted to `response_uri`, or the DC API
    /// credential) against a stored state. Encrypted modes refuse a plain `vp_token`.
    public static func verify(state: Data, verifier: Verifier, response: Data,
                              at date: Date = Date()) throws -> Verification {
        var s: OpaquePointer?
        try withBytes(state) { try check(UInt32(kakunin_oid4vp_state_deserialize($0, $1, &s))) }
        let st = try ownedHandle(s, "OpenID4VP state")
        defer { kakunin_oid4vp_state_free(st) }
        var out: OpaquePointer?
        try withBytes(response) {
            try check(UInt32(kakunin_oid4vp_state_verify(st, verifier.handle, $0, $1, unixSeconds(date), &out)))
        }
        return Verification(owning: try ownedHandle(out, "verification"))
    }

    /// Verifies a `vp_token` object over the transcript of these request parameters.
    /// `jwkThumbprint`: nil, or the 32-byte RFC 7638 thumbprint of the encryption key.
    public static func verifyVpToken(_ verifier: Verifier, vpToken: Data, nonce: String, flow: OpenId4VpFlow,
                                     jwkThumbprint: Data? = nil, at date: Date = Date()) throws -> Verification {
        // The C function reads exactly 32 bytes behind a non-NULL thumbprint pointer.
        if let t = jwkThumbprint, t.count != 32 {
            throw KakuninError(status: KakuninError.invalidParameter, message: "jwkThumbprint must be 32 bytes")
        }
        let p = flow.parts
        var out: OpaquePointer?
        try withBytes(vpToken) { v, vLen in
            try withCStr(nonce) { n in
                try withOptionalCStr(p.clientId) { c in
                    try withOptionalCStr(p.responseUri) { u in
                        try withOptionalCStr(p.origin) { o in
                            try withOptionalBytes(jwkThumbprint) { t, _ in
                                try check(UInt32(kakunin_oid4vp_verify_vp_token(
                                    verifier.handle, v, vLen, n, c, u, o, t, unixSeconds(date), &out)))
                            }
                        }
                    }
                }
            }
        }
        return Verification(owning: try ownedHandle(out, "verification"))
    }

    /// Decrypts (`jweKey`: the verifier's P-256 key as JWK, PEM or DER) and verifies
    /// `{"response": "<compact JWE>"}`.
    public static func verifyResponse(_ verifier: Verifier, response: Data, jweKey: Data, nonce: String,
                                      flow: OpenId4VpFlow, at date: Date = Date()) throws -> Verification {
        let p = flow.parts
        var out: OpaquePointer?
        try withBytes(response) { r, rLen in
            try withBytes(jweKey) { k, kLen in
                try withCStr(nonce) { n in
                    try withOptionalCStr(p.clientId) { c in
                        try withOptionalCStr(p.responseUri) { u in
                            try withOptionalCStr(p.origin) { o in
                                try check(UInt32(kakunin_oid4vp_verify_response(
                                    verifier.handle, r, rLen, k, kLen, n, c, u, o, unixSeconds(date), &out)))
                            }
                        }
                    }
                }
            }
        }
        return Verification(owning: try ownedHandle(out, "verification"))
    }
}
