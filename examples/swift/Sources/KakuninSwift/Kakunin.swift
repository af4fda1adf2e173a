// Swift wrapper over kakunin's C ABI (include/kakunin.h, clang module
// `Kakunin`). Each class owns one native handle and frees it in `deinit`;
// borrowed views are copied into Swift values before the owner can go away.
// Trust stores, verifiers, transcripts, reader keys and results are
// immutable and may be shared across threads (the header says which handles
// are thread-safe); builders are used only inside the initialisers here.
import Foundation
import Kakunin

/// A status other than KAKUNIN_OK (numbers are the append-only ones of kakunin.h).
public struct KakuninError: Error, CustomStringConvertible {
    public let status: UInt32
    /// The stable error code number when the input was rejected (status 1000 + n), else 0.
    public var code: UInt32 { kakunin_status_error_code(status) }
    /// The stable code name, e.g. "certificate_expired".
    public var codeName: String? { kakunin_error_code_str(code).map { String(cString: $0) } }
    public var description: String { "kakunin status \(status): " + String(cString: kakunin_status_str(status)) }

    public static let nullParameter: UInt32 = 1
    public static let panic: UInt32 = 100
}

@inline(__always)
func check(_ status: UInt32) throws {
    if status != 0 { throw KakuninError(status: status) }
}

/// Calls `body` with a non-NULL pointer to the bytes (an empty input still gets a valid pointer).
func withBytes<R>(_ data: Data, _ body: (UnsafePointer<UInt8>, Int) throws -> R) rethrows -> R {
    if data.isEmpty {
        var zero: UInt8 = 0
        return try body(&zero, 0)
    }
    return try data.withUnsafeBytes { raw in
        try body(raw.bindMemory(to: UInt8.self).baseAddress!, raw.count)
    }
}

func string(_ s: kakunin_str) -> String {
    guard let p = s.data, s.len > 0 else { return "" }
    return p.withMemoryRebound(to: UInt8.self, capacity: s.len) {
        String(decoding: UnsafeBufferPointer(start: $0, count: s.len), as: UTF8.self)
    }
}

public enum Kakunin {
    public static var version: String { String(cString: kakunin_version()) }
    public static var abiVersion: UInt32 { kakunin_abi_version() }
    /// Panics inside the library; returns the KAKUNIN_PANIC status (for tests).
    public static func debugPanic() -> UInt32 { UInt32(kakunin_debug_panic()) }
}

/// Trust anchors (IACA certificates), immutable.
public final class TrustStore {
    let handle: OpaquePointer

    /// Anchors from PEM (one or more certificates) or DER blobs.
    public init(pemOrDer blobs: [Data]) throws {
        guard let builder = kakunin_trust_store_builder_new() else { throw KakuninError(status: KakuninError.panic) }
        defer { kakunin_trust_store_builder_free(builder) }
        for blob in blobs {
            try withBytes(blob) { try check(UInt32(kakunin_trust_store_builder_add_pem_or_der(builder, $0, $1))) }
        }
        var out: OpaquePointer?
        try check(UInt32(kakunin_trust_store_builder_build(builder, &out)))
        handle = out!
    }

    public var anchorCount: Int { Int(kakunin_trust_store_anchor_count(handle)) }
    deinit { kakunin_trust_store_free(handle) }
}

/// The SessionTranscript bytes, as received (Apple's ProximityReader hands them over).
public final class SessionTranscript {
    let handle: OpaquePointer
    public init(_ bytes: Data) throws {
        var out: OpaquePointer?
        try withBytes(bytes) { try check(UInt32(kakunin_session_transcript_new($0, $1, &out))) }
        handle = out!
    }
    deinit { kakunin_session_transcript_free(handle) }
}

/// The reader's ephemeral private key, for deviceMac (zeroized when freed).
public final class ReaderKey {
    let handle: OpaquePointer
    /// PKCS#8 / SEC1 (PEM or DER) or a COSE_Key.
    public init(_ bytes: Data) throws {
        var out: OpaquePointer?
        try withBytes(bytes) { try check(UInt32(kakunin_reader_key_from_bytes($0, $1, &out))) }
        handle = out!
    }
    /// ProximityReader's `ephemeralReaderKey`: X9.63 (`04 || X || Y || d`), a
    /// raw scalar, or any encoding of `init(_:)`.
    public init(ephemeralReaderKey bytes: Data) throws {
        var out: OpaquePointer?
        try withBytes(bytes) { try check(UInt32(kakunin_reader_key_from_platform_bytes($0, $1, &out))) }
        handle = out!
    }
    /// A big-endian P-256 private scalar.
    public init(p256Scalar d: Data) throws {
        var out: OpaquePointer?
        try withBytes(d) { try check(UInt32(kakunin_reader_key_from_scalar(1, $0, $1, &out))) }
        handle = out!
    }
    deinit { kakunin_reader_key_free(handle) }
}

/// An immutable verifier.
public final class Verifier {
    let handle: OpaquePointer

    public init(trust: TrustStore, clockSkewSeconds: Int64 = 0) throws {
        var builder: OpaquePointer?
        try check(UInt32(kakunin_verifier_builder_new(trust.handle, &builder)))
        defer { kakunin_verifier_builder_free(builder) }
        try check(UInt32(kakunin_verifier_builder_set_clock_skew(builder, clockSkewSeconds)))
        var out: OpaquePointer?
        try check(UInt32(kakunin_verifier_builder_build(builder, &out)))
        handle = out!
    }
    deinit { kakunin_verifier_free(handle) }

    /// Verifies a DeviceResponse completely (issuer and device authentication) at `date`.
    public func verify(deviceResponse: Data, transcript: SessionTranscript?, readerKey: ReaderKey?,
                       at date: Date = Date()) throws -> Verification {
        var out: OpaquePointer?
        try withBytes(deviceResponse) {
            try check(UInt32(kakunin_verifier_verify_device_response(
                handle, $0, $1, transcript?.handle, readerKey?.handle, Int64(date.timeIntervalSince1970), &out)))
        }
        return Verification(out!)
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
                    Int64(date.timeIntervalSince1970), &out)))
            }
        }
        return Verification(out!)
    }

    /// Verifies only the issuer side of every document.
    public func verifyIssuerOnly(deviceResponse: Data, at date: Date = Date()) throws -> Verification {
        var out: OpaquePointer?
        try withBytes(deviceResponse) {
            try check(UInt32(kakunin_verifier_verify_device_response_issuer_only(
                handle, $0, $1, Int64(date.timeIntervalSince1970), &out)))
        }
        return Verification(out!)
    }
}

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
}

public struct DocumentError {
    public let code: UInt32
    public var name: String? { kakunin_error_code_str(code).map { String(cString: $0) } }
    public let message: String
}

public struct Document {
    public let valid: Bool
    /// For a rejected document: the claimed, unverified docType.
    public let docType: String
    /// "signature", "mac", or nil (issuer-only or rejected).
    public let deviceAuth: String?
    public let elements: [Element]
    public let errors: [DocumentError]

    /// An issuer-signed element; never a device-signed (holder-controlled) value of the same name.
    public func element(_ namespace: String, _ identifier: String) -> ElementValue? {
        elements.first { !$0.deviceSigned && $0.namespace == namespace && $0.identifier == identifier }?.value
    }

    /// A device-signed element (signed by the holder's device within the MSO keyAuthorizations).
    public func deviceElement(_ namespace: String, _ identifier: String) -> ElementValue? {
        elements.first { $0.deviceSigned && $0.namespace == namespace && $0.identifier == identifier }?.value
    }
}

/// A verification result; the native result is freed (and wiped) in `deinit`.
public final class Verification {
    let handle: OpaquePointer
    init(_ handle: OpaquePointer) { self.handle = handle }
    deinit { kakunin_verification_free(handle) }

    public var isValid: Bool { kakunin_verification_is_valid(handle) }

    /// The same JSON as the Rust `Verification::to_json()`.
    public var json: String {
        var s = kakunin_str()
        guard kakunin_verification_json(handle, &s) == 0 else { return "" }
        return string(s)
    }

    /// The personal-data-free audit record, as JSON.
    public var auditJSON: String {
        var s = kakunin_str()
        guard kakunin_verification_audit_json(handle, &s) == 0 else { return "" }
        return string(s)
    }

    /// "Is the holder of verified document `doc`, expected to be of `docType`, at least
    /// `years` old?": (verdict, evidence, NN of age_over_NN) as the numbers of kakunin.h
    /// (verdict 1 = at least, 2 = under, 0 = unknown, 3 = contradictory). Unknown for a
    /// document of another (or an unregistered) docType.
    public func ageAtLeast(document doc: Int, docType: String,
                           years: UInt32) throws -> (verdict: UInt32, evidence: UInt32, nn: UInt32) {
        var verdict: UInt32 = 0, evidence: UInt32 = 0, nn: UInt32 = 0
        try check(UInt32(kakunin_verification_document_age_at_least_for_doc_type(
            handle, doc, docType, years, &verdict, &evidence, &nn)))
        return (verdict, evidence, nn)
    }

    /// The portrait of verified document `doc` of `docType` and its format (1 JPEG,
    /// 2 JPEG 2000), if disclosed.
    public func portrait(document doc: Int, docType: String) throws -> (image: Data, format: UInt32)? {
        var b = kakunin_bytes()
        var format: UInt32 = 0
        let st = UInt32(kakunin_verification_document_portrait_for_doc_type(handle, doc, docType, &b, &format))
        if st == 4 { return nil } // KAKUNIN_NOT_FOUND
        try check(st)
        return (b.data.map { Data(bytes: $0, count: b.len) } ?? Data(), format)
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
        _ = kakunin_verification_document_is_valid(handle, doc, &valid)
        var n = 0
        _ = kakunin_verification_document_error_count(handle, doc, &n)
        let errors: [DocumentError] = (0..<n).compactMap { j in
            var code: UInt32 = 0
            var msg = kakunin_str()
            guard kakunin_verification_document_error(handle, doc, j, &code, &msg) == 0 else { return nil }
            return DocumentError(code: code, message: string(msg))
        }
        var elements: [Element] = []
        if valid, kakunin_verification_document_element_count(handle, doc, &n) == 0 {
            for k in 0..<n {
                var e: OpaquePointer?
                if kakunin_verification_document_element(handle, doc, k, &e) == 0, let e = e {
                    elements.append(element(e))
                }
            }
        }
        return Document(valid: valid, docType: field(doc, 1) ?? "", deviceAuth: field(doc, 9),
                        elements: elements, errors: errors)
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
            if kakunin_element_int(e, &i) == 0 { value = .integer(i) } else {
                _ = kakunin_element_json(e, &s); value = .json(string(s))
            }
        case 3:
            var b = false
            _ = kakunin_element_bool(e, &b)
            value = .bool(b)
        case 4:
            var b = kakunin_bytes()
            _ = kakunin_element_bytes(e, &b)
            value = .bytes(b.data.map { Data(bytes: $0, count: b.len) } ?? Data())
        case 5, 6 where kakunin_element_date(e, &s) == 0:
            value = .date(string(s))
        default:
            _ = kakunin_element_json(e, &s)
            value = .json(string(s))
        }
        return Element(namespace: string(ns), identifier: string(id),
                       deviceSigned: kakunin_element_is_device_signed(e), value: value)
    }
}
