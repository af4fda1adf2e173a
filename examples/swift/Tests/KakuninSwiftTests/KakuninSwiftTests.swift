// Verifies the ISO 18013-5 Annex D sample through the Swift wrapper.
// Run from the repository root's examples/swift with `swift test` after
// building Kakunin.xcframework (README.md). Not run in CI: no Swift toolchain.
import XCTest
import KakuninSwift

final class KakuninSwiftTests: XCTestCase {
    let dir = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().appendingPathComponent("../../../../tests/data/iso18013-5-annex-d/")

    func hex(_ name: String) throws -> Data {
        let text = try String(contentsOf: dir.appendingPathComponent(name)).filter { !$0.isWhitespace }
        var data = Data()
        var i = text.startIndex
        while i < text.endIndex {
            let j = text.index(i, offsetBy: 2)
            data.append(UInt8(text[i..<j], radix: 16)!)
            i = j
        }
        return data
    }

    func testAnnexD() throws {
        let trust = try TrustStore(pemOrDer: [try Data(contentsOf: dir.appendingPathComponent("iaca_cert.pem"))])
        let verifier = try Verifier(trust: trust)
        let transcript = try SessionTranscript(try hex("session_transcript_bytes.hex"))
        let key = try ReaderKey(p256Scalar: try hex("e_reader_key.d.hex"))
        let response = try hex("device_response.hex")

        let ok = try verifier.verify(deviceResponse: response, transcript: transcript, readerKey: key,
                                     at: Date(timeIntervalSince1970: 1_609_459_200))
        XCTAssertTrue(ok.isValid)
        XCTAssertEqual(ok.documents.first?.deviceAuth, "mac")
        XCTAssertEqual(ok.documents.first?.element("org.iso.18013.5.1", "family_name"), .text("Doe"))

        let expired = try verifier.verify(deviceResponse: response, transcript: transcript, readerKey: key,
                                          at: Date(timeIntervalSince1970: 1_780_272_000))
        XCTAssertFalse(expired.isValid)
        XCTAssertTrue(expired.documents.first!.errors.contains { $0.name == "certificate_expired" })

        XCTAssertEqual(Kakunin.debugPanic(), KakuninError.panic)
    }
}
