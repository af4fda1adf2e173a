// XCTest of the Swift wrapper, the same scope as the Kotlin binding's tests
// (examples/kotlin/src/test): the ISO 18013-5 Annex D sample (offline and
// replayed through the reader session), issuer versus device element lookups,
// VICAL and revocation, the online flows (Annex C, Apple, OpenID4VP), error
// details and the caught panic. Run at the repository root with
// `KAKUNIN_LOCAL_XCFRAMEWORK=1 swift test` after building Kakunin.xcframework
// (examples/swift/README.md). Linux CI has no Swift toolchain; it runs
// examples/swift/check-symbols.sh instead.
import Foundation
import XCTest
import KakuninSwift

private let t2021 = Date(timeIntervalSince1970: 1_609_459_200) // 2021-01-01T00:00:00Z
private let t2024 = Date(timeIntervalSince1970: 1_704_067_200) // 2024-01-01T00:00:00Z
private let t2026 = Date(timeIntervalSince1970: 1_780_272_000) // 2026-06-01T00:00:00Z
private let mdl = "org.iso.18013.5.1.mDL"
private let iso = "org.iso.18013.5.1"

final class KakuninSwiftTests: XCTestCase {
    /// The repository root (this file is examples/swift/Tests/KakuninSwiftTests/…).
    let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().appendingPathComponent("../../../../").standardized

    func file(_ path: String) throws -> Data {
        try Data(contentsOf: root.appendingPathComponent(path))
    }

    func hex(_ path: String) throws -> Data {
        let text = String(decoding: try file(path), as: UTF8.self).filter { !$0.isWhitespace }
        var data = Data()
        var i = text.startIndex
        while i < text.endIndex {
            let j = text.index(i, offsetBy: 2, limitedBy: text.endIndex) ?? text.endIndex
            data.append(try XCTUnwrap(UInt8(text[i..<j], radix: 16), "hex in \(path)"))
            i = j
        }
        return data
    }

    func annexD(_ name: String) throws -> Data { try hex("tests/data/iso18013-5-annex-d/" + name) }

    /// The error a throwing call raised, or nil (and a failure) when it did not throw.
    func kakuninError<T>(_ body: () throws -> T, _ what: String) -> KakuninError? {
        do {
            _ = try body()
            XCTFail("\(what): expected an error")
            return nil
        } catch let e as KakuninError {
            return e
        } catch {
            XCTFail("\(what): unexpected \(error)")
            return nil
        }
    }

    func testVersions() {
        XCTAssertEqual(Kakunin.abiVersion, 4)
        XCTAssertFalse(Kakunin.version.isEmpty)
        XCTAssertEqual(Kakunin.errorCodeName(7), "certificate_expired")
    }

    func testAnnexD() throws {
        let trust = try TrustStore(pemOrDer: [try file("tests/data/iso18013-5-annex-d/iaca_cert.pem")])
        XCTAssertEqual(trust.anchorCount, 1)
        let verifier = try Verifier(trust: trust)
        let transcript = try SessionTranscript(try annexD("session_transcript_bytes.hex"))
        let key = try ReaderKey(p256Scalar: try annexD("e_reader_key.d.hex"))
        let response = try annexD("device_response.hex")

        let ok = try verifier.verify(deviceResponse: response, transcript: transcript, readerKey: key, at: t2021)
        XCTAssertTrue(ok.isValid)
        let doc = try XCTUnwrap(ok.documents.first)
        XCTAssertEqual(ok.documents.count, 1)
        XCTAssertEqual(doc.docType, mdl)
        XCTAssertEqual(doc.deviceAuth, "mac")
        XCTAssertEqual(doc.issuerSubject, "C=US,CN=utopia ds")
        XCTAssertEqual(doc.element(iso, "family_name"), .text("Doe"))
        XCTAssertEqual(doc.element(iso, "issue_date"), .date("2019-10-20"))
        guard case let .bytes(portraitBytes)? = doc.element(iso, "portrait") else {
            return XCTFail("portrait is a byte string")
        }
        XCTAssertEqual(portraitBytes.count, 1042)
        XCTAssertTrue(ok.json.hasPrefix("{\"status\":\"valid\""))
        XCTAssertEqual(try ok.ageAtLeast(document: 0, docType: mdl, years: 18).verdict, AgeAnswer.unknown)
        let portrait = try XCTUnwrap(try ok.portrait(document: 0, docType: mdl))
        XCTAssertEqual(portrait.format, 1)
        XCTAssertEqual(portrait.image.count, 1042)
        XCTAssertNil(try ok.portrait(document: 0, docType: "org.iso.23220.1.jp.mnc"))
        XCTAssertTrue(ok.auditJSON.hasPrefix("{\"time\":"))
        XCTAssertFalse(ok.auditJSON.contains("Doe"))
        XCTAssertEqual(try ok.element(document: 0, iso, "family_name"), .text("Doe"))
        XCTAssertNil(try ok.deviceElement(document: 0, iso, "family_name"))

        let expired = try verifier.verify(deviceResponse: response, transcript: transcript, readerKey: key, at: t2026)
        XCTAssertFalse(expired.isValid)
        let rejected = try XCTUnwrap(expired.documents.first)
        XCTAssertFalse(rejected.valid)
        XCTAssertTrue(rejected.elements.isEmpty)
        XCTAssertTrue(rejected.errors.contains { $0.code == 7 && $0.name == "certificate_expired" })
        let noAnswer = kakuninError({ try expired.ageAtLeast(document: 0, docType: mdl, years: 18) }, "rejected doc")
        XCTAssertEqual(noAnswer?.status, KakuninError.documentRejected)

        // A forged byte: "Doe" -> "Dof" breaks the element digest.
        var forged = response
        let doe: [UInt8] = [0x63, 0x44, 0x6f, 0x65] // text(3) "Doe"
        let at = try XCTUnwrap((0..<(forged.count - 3)).last { i in
            (0..<4).allSatisfy { forged[forged.startIndex + i + $0] == doe[$0] }
        })
        forged[forged.startIndex + at + 3] = 0x66
        let bad = try verifier.verify(deviceResponse: forged, transcript: transcript, readerKey: key, at: t2021)
        XCTAssertFalse(bad.isValid)
        XCTAssertTrue(bad.documents.first?.errors.contains { $0.name == "digest_mismatch" } ?? false)
    }

    /// The Annex D proximity session replayed through the session API.
    func testReaderSession() throws {
        let trust = try TrustStore(pemOrDer: [try file("tests/data/iso18013-5-annex-d/iaca_cert.pem")])
        let verifier = try Verifier(trust: trust)
        let engagement = try DeviceEngagement(nfcHandoverSelect: try annexD("handover_select.hex"),
                                              request: try annexD("handover_request.hex"))
        XCTAssertEqual(engagement.curve, 1)
        let key = try ReaderKey(p256Scalar: try annexD("e_reader_key.d.hex"))

        let session = try ReaderSession(engagement: engagement, readerKey: key)
        XCTAssertEqual(session.transcriptBytes, try annexD("session_transcript_bytes.hex"))
        XCTAssertEqual(try session.establish(try annexD("device_request.hex")), try annexD("session_establishment.hex"))
        let event = try session.receive(try annexD("session_data_device_response.hex"))
        XCTAssertEqual(event.kind, .response)
        XCTAssertEqual(event.deviceResponse, try annexD("device_response.hex"))
        let v = try session.verify(verifier, deviceResponse: event.deviceResponse ?? Data(), at: t2021)
        XCTAssertTrue(v.isValid)
        XCTAssertEqual(v.documents.first?.deviceAuth, "mac")
        // Bound to a request for a PID only, the mDL was not requested.
        let pidOnly = try session.deviceRequest(docType: "eu.europa.ec.eudi.pid.1",
                                                elements: [("eu.europa.ec.eudi.pid.1", "age_over_18")])
        let notRequested = try verifier.verify(deviceResponse: try annexD("device_response.hex"), deviceRequest: pidOnly,
                                               transcript: try SessionTranscript(session.transcriptBytes),
                                               readerKey: key, at: t2021)
        XCTAssertFalse(notRequested.isValid)
        XCTAssertTrue(notRequested.documents.first?.errors.contains { $0.name == "document_not_requested" } ?? false)
        XCTAssertEqual(try session.terminate(), try annexD("session_termination.hex"))

        // A flipped bit in the SessionData fails decryption and closes the session.
        let tamperedSession = try ReaderSession(engagement: engagement, readerKey: key)
        _ = try tamperedSession.establish(try annexD("device_request.hex"))
        var tampered = try annexD("session_data_device_response.hex")
        tampered[tampered.endIndex - 1] ^= 1
        let e = kakuninError({ try tamperedSession.receive(tampered) }, "tampered SessionData")
        XCTAssertEqual(e?.codeName, "session_decryption_failed")
        XCTAssertEqual(tamperedSession.state, 4) // KAKUNIN_SESSION_CLOSED

        // A fresh ephemeral key; the privacy policy refuses My Number without a purpose.
        let fresh = try ReaderSession(engagement: engagement)
        let request = try fresh.deviceRequest(docType: mdl, elements: [(iso, "age_over_21")])
        XCTAssertFalse(try fresh.establish(request).isEmpty)
        let refused = kakuninError({
            try fresh.deviceRequest(docType: "org.iso.23220.1.jp.mnc",
                                    elements: [("org.iso.23220.1.jp", "individual_number_unicode")])
        }, "My Number without a purpose")
        XCTAssertEqual(refused?.codeName, "request_refused")

        // The builder directly: two documents in one DeviceRequest.
        let builder = try DeviceRequestBuilder()
        try builder.add(try ItemsRequest(docType: mdl, elements: [(iso, "age_over_18")]))
        let pid = try ItemsRequest(docType: "eu.europa.ec.eudi.pid.1")
        try pid.add("eu.europa.ec.eudi.pid.1", "age_over_18", intentToRetain: true)
        try builder.add(pid)
        XCTAssertFalse(try builder.build().isEmpty)
    }

    /// Issuer lookups never answer with a device-signed (holder-controlled) value of the same name.
    func testElementLookups() throws {
        let doc = Document(valid: true, docType: mdl, deviceAuth: "signature", elements: [
            Element(namespace: iso, identifier: "family_name", deviceSigned: false, value: .text("Yamada")),
            Element(namespace: iso, identifier: "family_name", deviceSigned: true, value: .text("Forged")),
            Element(namespace: iso, identifier: "device_only", deviceSigned: true, value: .text("holder says")),
        ])
        XCTAssertEqual(doc.element(iso, "family_name"), .text("Yamada"))
        XCTAssertNil(doc.element(iso, "device_only"))
        XCTAssertEqual(doc.deviceElement(iso, "family_name"), .text("Forged"))
        XCTAssertEqual(doc.deviceElement(iso, "device_only"), .text("holder says"))

        // The same through the library, on a response whose device signs those values.
        let d = "tests/data/derived/ffi-device-elements/"
        let verifier = try Verifier(trust: try TrustStore(pemOrDer: [try file(d + "iaca.der")]))
        let v = try verifier.verify(deviceResponse: try file(d + "response.cbor"),
                                    transcript: try SessionTranscript(try file(d + "transcript.cbor")),
                                    readerKey: nil, at: t2024)
        XCTAssertTrue(v.isValid)
        XCTAssertEqual(v.documents.first?.deviceAuth, "signature")
        XCTAssertEqual(try v.element(document: 0, iso, "family_name"), .text("Yamada"))
        XCTAssertEqual(try v.deviceElement(document: 0, iso, "family_name"), .text("Forged"))
        XCTAssertEqual(try v.deviceElement(document: 0, iso, "device_only"), .text("holder says"))
        XCTAssertNil(try v.element(document: 0, iso, "device_only"))
        XCTAssertNil(try v.deviceElement(document: 0, iso, "given_name"))
        XCTAssertEqual(v.documents.first?.element(iso, "family_name"), .text("Yamada"))
    }

    /// The AAMVA VICAL and the test issuer's CRL (tests/data/derived/ffi-revocation).
    func testVicalAndRevocation() throws {
        let vical = try hex("tests/data/aamva-vical/aamva_vical_2025-11-18.hex")
        let root = try file("tests/data/aamva-vical/aamva_dts_root_ca.pem")
        let issued = Date(timeIntervalSince1970: 1_763_496_000) // 2025-11-18T20:00:00Z
        // The AAMVA signer's keyUsage is nonRepudiation only: refused unless opted in.
        let strict = kakuninError({ try Vical(verifying: vical, anchors: root, at: issued) }, "strict VICAL")
        XCTAssertEqual(strict?.codeName, "trust_list_invalid")
        let v = try Vical(verifying: vical, anchors: root, at: issued, allowContentCommitmentSigner: true)
        XCTAssertEqual(v.provider, "AAMVA")
        XCTAssertEqual(v.entryCount, 14)
        XCTAssertEqual(v.rejectedCount, 0)
        XCTAssertTrue(v.rejected.isEmpty)
        XCTAssertEqual(try v.trustStore().anchorCount, 14)
        let stale = kakuninError({
            try Vical(verifying: vical, anchors: root, at: Date(timeIntervalSince1970: 1_763_596_800),
                      allowContentCommitmentSigner: true)
        }, "stale VICAL")
        XCTAssertEqual(stale?.codeName, "trust_list_stale")
        let rolledBack = kakuninError({
            try Vical(verifying: vical, anchors: root, at: issued, lastIssueId: 227_603,
                      allowContentCommitmentSigner: true)
        }, "older vicalIssueID")
        XCTAssertEqual(rolledBack?.codeName, "trust_list_stale")

        let d = "tests/data/derived/ffi-revocation/"
        let response = try file(d + "response_status0.cbor")
        let trust = try TrustStore(pemOrDer: [try file(d + "iaca.der")])
        let data = try RevocationData(crls: [try file(d + "crl_revoking_ds.der")],
                                      statusTokens: [try file(d + "status_list.cwt")])
        XCTAssertEqual(data.crlCount, 1)
        XCTAssertEqual(data.statusTokenCount, 1)
        let revoking = try Verifier(trust: trust, revocation: RevocationPolicy(.required), revocationData: data)
        let revoked = try revoking.verifyIssuerOnly(deviceResponse: response, at: t2024)
        XCTAssertFalse(revoked.isValid)
        XCTAssertTrue(revoked.json.contains("\"certificate_revoked\""))
        let required = try Verifier(trust: trust, revocation: RevocationPolicy(.required))
        let unavailable = try required.verifyIssuerOnly(deviceResponse: response, at: t2024)
        XCTAssertFalse(unavailable.isValid)
        XCTAssertTrue(unavailable.json.contains("\"revocation_unavailable\""))
        // Best effort tolerates empty data, and says what it let pass: no CRL, no status list.
        let bestEffort = try Verifier(trust: trust, revocation: RevocationPolicy(.bestEffort),
                                      revocationData: try RevocationData())
        let tolerated = try bestEffort.verifyIssuerOnly(deviceResponse: response, at: t2024)
        XCTAssertTrue(tolerated.isValid)
        let warnings = tolerated.documents.first?.policyWarnings ?? []
        XCTAssertEqual(warnings.count, 2)
        XCTAssertTrue(warnings.allSatisfy { $0.name == "revocation_unavailable" && !$0.message.isEmpty })
        XCTAssertTrue(tolerated.warnings.isEmpty)
        // A status token is not a CRL: refused when added, nothing kept.
        XCTAssertNotNil(kakuninError({ try RevocationData(crls: [try file(d + "status_list.cwt")]) }, "token as CRL"))
    }

    /// Annex C and Apple in-app against the committed sealed answers (tests/data/derived/online).
    func testOnline() throws {
        let d = "tests/data/derived/online/"
        let now = Date(timeIntervalSince1970: 1_704_070_800) // 2024-01-01T01:00:00Z
        let origin = "https://city.example.jp"
        let verifier = try Verifier(trust: try TrustStore(pemOrDer: [try file(d + "iaca.der")]))
        let key = try ReaderKey(try file(d + "hpke.pem"))
        let requestJSON = try file(d + "annex_c_request.json")
        let answer = try file(d + "annex_c_response.json")

        let state = try AnnexCState(requestJSON: requestJSON, origin: origin, key: key)
        let restored = try AnnexCState(bytes: try state.toBytes())
        XCTAssertTrue(try restored.verify(verifier, responseJSON: answer, at: now).isValid)
        let wrongOrigin = try AnnexCState(requestJSON: requestJSON, origin: "https://evil.example", key: key)
        let refused = try wrongOrigin.verify(verifier, responseJSON: answer, at: now)
        XCTAssertFalse(refused.isValid)
        XCTAssertTrue(refused.json.contains("\"hpke_decrypt_failed\""))
        // A NUL byte would cut the origin short in C: refused before the call.
        let nul = kakuninError({ try AnnexCState(requestJSON: requestJSON, origin: origin + "\u{0}.evil", key: key) },
                               "origin with NUL")
        XCTAssertEqual(nul?.status, KakuninError.invalidParameter)

        let nonce = Data(repeating: 0xa7, count: 32)
        let envelope = try file(d + "apple_envelope.cbor")
        XCTAssertTrue(try Online.verifyAppleEnvelope(verifier, key: key, nonce: nonce,
                                                     merchantId: "merchant.jp.example.city", teamId: "ABCDE12345",
                                                     envelope: envelope, at: now).isValid)
        let otherTeam = try Online.verifyAppleEnvelope(verifier, key: key, nonce: nonce,
                                                       merchantId: "merchant.jp.example.city", teamId: "OTHER",
                                                       envelope: envelope, at: now)
        XCTAssertFalse(otherTeam.isValid)
        XCTAssertTrue(otherTeam.json.contains("\"session_transcript_mismatch\""))

        let request = try Online.annexCRequest(docType: mdl, elements: [(iso, "age_over_20")], origin: origin)
        XCTAssertTrue(request.dataJSON.contains("\"encryptionInfo\":\""))
        XCTAssertFalse(try request.state.toBytes().isEmpty)
        let myNumber = kakuninError({
            try Online.annexCRequest(docType: "org.iso.23220.1.jp.mnc",
                                     elements: [("org.iso.23220.1.jp", "individual_number_unicode")], origin: origin)
        }, "My Number online without a purpose")
        XCTAssertEqual(myNumber?.codeName, "request_refused")
    }

    /// OpenID4VP 1.0: the derived fixtures verify, a state round-trips, a downgrade is refused.
    func testOpenId4Vp() throws {
        let d = "tests/data/derived/oid4vp/"
        let verifier = try Verifier(trust: try TrustStore(pemOrDer: [try file(d + "iaca.der")]))
        let redirect = OpenId4VpFlow.redirect(clientId: "x509_san_dns:rp.example", responseUri: "https://rp.example/post")
        let encrypted = try OpenId4Vp.verifyResponse(verifier, response: try file(d + "response_direct_post_jwt.json"),
                                                     jweKey: try file(d + "verifier_key.jwk"), nonce: "-c-test-nonce",
                                                     flow: redirect, at: t2024)
        XCTAssertTrue(encrypted.isValid, encrypted.json)
        let token = try file(d + "vp_token_dc_api.json")
        XCTAssertTrue(try OpenId4Vp.verifyVpToken(verifier, vpToken: token, nonce: "-c-test-nonce",
                                                  flow: .dcApi(origin: "https://rp.example"), at: t2024).isValid)
        XCTAssertFalse(try OpenId4Vp.verifyVpToken(verifier, vpToken: token, nonce: "-c-test-nonce",
                                                   flow: .dcApi(origin: "https://evil.example"), at: t2024).isValid)
        let shortThumbprint = kakuninError({
            try OpenId4Vp.verifyVpToken(verifier, vpToken: token, nonce: "-c-test-nonce",
                                        flow: .dcApi(origin: "https://rp.example"), jwkThumbprint: Data(count: 31),
                                        at: t2024)
        }, "31-byte thumbprint")
        XCTAssertEqual(shortThumbprint?.status, KakuninError.invalidParameter)

        let mdlQuery = DcqlCredential(id: "mdl", docType: mdl, elements: [(iso, "age_over_20")])
        let request = try OpenId4Vp.request(flow: .dcApi(origin: "https://rp.example"), encrypted: true,
                                            credentials: [mdlQuery])
        XCTAssertTrue(request.request.contains("openid4vp-v1-unsigned"))
        XCTAssertTrue(request.request.contains("dc_api.jwt"))
        let plain = Data("{\"vp_token\":".utf8) + token + Data("}".utf8)
        let downgrade = try OpenId4Vp.verify(state: request.state, verifier: verifier, response: plain, at: t2024)
        XCTAssertFalse(downgrade.isValid)
        XCTAssertEqual(downgrade.errors.first?.name, "structure_invalid")
        let mnc = DcqlCredential(id: "mnc", docType: "org.iso.23220.1.jp.mnc",
                                 elements: [("org.iso.23220.1.jp", "individual_number_unicode")])
        let refused = kakuninError({
            try OpenId4Vp.request(flow: .dcApi(origin: "https://rp.example"), encrypted: true, credentials: [mnc])
        }, "My Number without a purpose")
        XCTAssertEqual(refused?.codeName, "request_refused")
    }

    /// Error details across the ABI and the panic boundary.
    func testErrors() throws {
        let privateKey = try file("tests/data/session-reader-pki/reader.key.pem")
        let e = kakuninError({ try TrustStore(pemOrDer: [privateKey]) }, "private key as anchor")
        XCTAssertEqual(e?.codeName, "not_a_certificate")
        XCTAssertEqual(e?.status, e.map { KakuninError.errorCodeBase + $0.code })
        XCTAssertTrue(e?.message.contains("PRIVATE KEY") ?? false, e?.message ?? "")
        let junk = kakuninError({ try TrustStore(pemOrDer: [Data("not a certificate".utf8)]) }, "junk anchor")
        XCTAssertGreaterThan(junk?.status ?? 0, KakuninError.errorCodeBase)
        XCTAssertNotNil(junk?.codeName)
        XCTAssertFalse(junk?.message.isEmpty ?? true)

        // A panic inside Rust is a status, twice, and the process keeps running.
        XCTAssertEqual(Kakunin.debugPanic(), KakuninError.panic)
        XCTAssertEqual(Kakunin.debugPanic(), KakuninError.panic)
    }
}
