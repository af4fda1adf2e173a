// JVM test of the Kotlin binding: verifies the ISO 18013-5 Annex D sample
// through libkakunin.so, checks an error code and the caught-panic path.
// Run by examples/kotlin/run-test.sh (from .ci/run) from the repository root.
import kakunin.AgeAnswer
import kakunin.AnnexCState
import kakunin.DeviceEngagement
import kakunin.Document
import kakunin.Element
import kakunin.Kakunin
import kakunin.KakuninException
import kakunin.Online
import kakunin.ReaderKey
import kakunin.ReaderSession
import kakunin.RevocationData
import kakunin.RevocationPolicy
import kakunin.SessionTranscript
import kakunin.Status
import kakunin.TrustStore
import kakunin.Value
import kakunin.Vical
import kakunin.Verifier
import java.io.File
import kotlin.system.exitProcess

private const val DATA = "tests/data/iso18013-5-annex-d/"
private const val T_2021 = 1609459200L // 2021-01-01T00:00:00Z
private const val T_2026 = 1780272000L // 2026-06-01T00:00:00Z
private const val MDL = "org.iso.18013.5.1.mDL"
private var failures = 0

private fun expect(cond: Boolean, what: String) {
    if (!cond) {
        System.err.println("FAILED: $what")
        failures++
    }
}

private fun hex(name: String): ByteArray {
    val t = File(DATA + name).readText().filter { !it.isWhitespace() }
    return ByteArray(t.length / 2) { t.substring(2 * it, 2 * it + 2).toInt(16).toByte() }
}

/** The AAMVA VICAL and the test issuer's CRL (tests/data/derived/ffi-revocation). */
private fun trustAndRevocation() {
    val vicalBytes = File("tests/data/aamva-vical/aamva_vical_2025-11-18.hex").readText().filter { !it.isWhitespace() }
        .let { t -> ByteArray(t.length / 2) { t.substring(2 * it, 2 * it + 2).toInt(16).toByte() } }
    val root = File("tests/data/aamva-vical/aamva_dts_root_ca.pem").readBytes()
    // The AAMVA signer's keyUsage is nonRepudiation only: refused unless opted in.
    val strict = try { Vical.verify(vicalBytes, root, 1763496000L).close(); null } catch (e: KakuninException) { e }
    expect(strict?.errorCodeName == "trust_list_invalid", "VICAL signer without digitalSignature refused")
    Vical.verify(vicalBytes, root, 1763496000L, allowContentCommitmentSigner = true).use { v -> // 2025-11-18T20:00:00Z
        expect(v.provider == "AAMVA" && v.entryCount == 14L && v.rejectedCount == 0L, "VICAL read")
        v.trustStore().use { expect(it.anchorCount == 14L, "VICAL loads 14 IACAs") }
    }
    val stale = try {
        Vical.verify(vicalBytes, root, 1763596800L, allowContentCommitmentSigner = true).close(); null
    } catch (e: KakuninException) { e }
    expect(stale?.errorCodeName == "trust_list_stale", "stale VICAL refused")
    val rolledBack = try {
        Vical.verify(vicalBytes, root, 1763496000L, lastIssueId = 227603L, allowContentCommitmentSigner = true).close(); null
    } catch (e: KakuninException) { e }
    expect(rolledBack?.errorCodeName == "trust_list_stale", "older vicalIssueID refused")

    val d = "tests/data/derived/ffi-revocation/"
    val response = File(d + "response_status0.cbor").readBytes()
    TrustStore.of(File(d + "iaca.der").readBytes()).use { trust ->
        RevocationData.of(listOf(File(d + "crl_revoking_ds.der").readBytes()), listOf(File(d + "status_list.cwt").readBytes())).use { data ->
            Verifier(trust, revocation = RevocationPolicy(RevocationPolicy.REQUIRED), revocationData = data).use { verifier ->
                verifier.verifyIssuerOnly(response, 1704067200L).use { r ->
                    expect(!r.isValid && r.json.contains("\"certificate_revoked\""), "CRL revokes the DS")
                }
            }
        }
        Verifier(trust, revocation = RevocationPolicy(RevocationPolicy.REQUIRED)).use { verifier ->
            verifier.verifyIssuerOnly(response, 1704067200L).use { r ->
                expect(!r.isValid && r.json.contains("\"revocation_unavailable\""), "required without data")
            }
        }
    }
}

/** Issuer lookups never answer with a device-signed (holder-controlled) value of the same name. */
private fun elementLookups() {
    val ns = "org.iso.18013.5.1"
    val doc = Document(
        valid = true, docType = "org.iso.18013.5.1.mDL", deviceAuth = "signature", issuerSubject = null,
        elements = listOf(
            Element(ns, "family_name", false, Value.Text("Yamada")),
            Element(ns, "family_name", true, Value.Text("Forged")),
            Element(ns, "device_only", true, Value.Text("holder says"))
        ),
        errors = emptyList()
    )
    expect(doc.element(ns, "family_name") == Value.Text("Yamada"), "issuer family_name")
    expect(doc.element(ns, "device_only") == null, "no device-signed value from element()")
    expect(doc.deviceElement(ns, "family_name") == Value.Text("Forged"), "device family_name")
    expect(doc.deviceElement(ns, "device_only") == Value.Text("holder says"), "device_only")
}

/** Online presentations against the committed sealed answers (tests/data/derived/online). */
private fun online() {
    val d = "tests/data/derived/online/"
    val now = 1704070800L // 2024-01-01T01:00:00Z
    val origin = "https://city.example.jp"
    TrustStore.of(File(d + "iaca.der").readBytes()).use { trust ->
        Verifier(trust).use { verifier ->
            ReaderKey.of(File(d + "hpke.pem").readBytes()).use { key ->
                AnnexCState.fromRequest(File(d + "annex_c_request.json").readBytes(), origin, key).use { state ->
                    val stored = state.toBytes()
                    AnnexCState.fromBytes(stored).use { restored ->
                        restored.verify(verifier, File(d + "annex_c_response.json").readBytes(), now).use { r ->
                            expect(r.isValid, "Annex C answer verifies")
                        }
                    }
                }
                AnnexCState.fromRequest(File(d + "annex_c_request.json").readBytes(), "https://evil.example", key).use { state ->
                    state.verify(verifier, File(d + "annex_c_response.json").readBytes(), now).use { r ->
                        expect(!r.isValid && r.json.contains("\"hpke_decrypt_failed\""), "wrong origin refused")
                    }
                }
                val nonce = ByteArray(32) { 0xa7.toByte() }
                val envelope = File(d + "apple_envelope.cbor").readBytes()
                Online.verifyAppleEnvelope(verifier, key, nonce, "merchant.jp.example.city", "ABCDE12345", envelope, now).use { r ->
                    expect(r.isValid, "Apple envelope verifies")
                }
                Online.verifyAppleEnvelope(verifier, key, nonce, "merchant.jp.example.city", "OTHER", envelope, now).use { r ->
                    expect(!r.isValid && r.json.contains("\"session_transcript_mismatch\""), "wrong team refused")
                }
            }
        }
    }
    val req = Online.annexCRequest("org.iso.18013.5.1.mDL", listOf("org.iso.18013.5.1" to "age_over_20"), origin)
    req.state.use { expect(req.dataJson.contains("\"encryptionInfo\":\""), "Annex C request JSON") }
    try {
        Online.annexCRequest("org.iso.23220.1.jp.mnc", listOf("org.iso.23220.1.jp" to "individual_number_unicode"), origin)
            .state.close()
        expect(false, "My Number without a purpose must be refused online too")
    } catch (e: KakuninException) {
        expect(e.errorCodeName == "request_refused", "online request_refused")
    }
}

/** Error details across the ABI, and the Cleaner backstop for a handle never closed. */
private fun errorDetailsAndBackstop() {
    val key = File("tests/data/session-reader-pki/reader.key.pem").readBytes()
    val e = try { TrustStore.of(key).close(); null } catch (e: KakuninException) { e }
    expect(e?.errorCodeName == "not_a_certificate", "private key as anchor: not_a_certificate")
    expect(e?.detail?.contains("PRIVATE KEY") == true, "exception carries the library's message")
    // Dropped without close(): the Cleaner frees it (valgrind-free runs of the
    // C tests cover the free itself; here: no crash, no double free on GC).
    repeat(100) { TrustStore.of(File(DATA + "iaca_cert.pem").readBytes()) }
    System.gc()
    Thread.sleep(100)
    val closed = TrustStore.of(File(DATA + "iaca_cert.pem").readBytes())
    closed.close()
    closed.close() // idempotent
    System.gc()
}

fun main() {
    elementLookups()
    trustAndRevocation()
    online()
    errorDetailsAndBackstop()
    // 2: the reader session; 3: trust, VICAL and revocation calls.
    expect(Kakunin.abiVersion == 4, "ABI version")
    expect(Kakunin.version.isNotEmpty(), "version")

    TrustStore.of(File(DATA + "iaca_cert.pem").readBytes()).use { trust ->
        expect(trust.anchorCount == 1L, "one anchor")
        Verifier(trust).use { verifier ->
            SessionTranscript.of(hex("session_transcript_bytes.hex")).use { transcript ->
                ReaderKey.p256Scalar(hex("e_reader_key.d.hex")).use { key ->
                    val response = hex("device_response.hex")
                    verifier.verifyDeviceResponse(response, transcript, key, T_2021).use { v ->
                        expect(v.isValid, "Annex D is valid at 2021-01-01")
                        val doc = v.documents.single()
                        expect(doc.docType == "org.iso.18013.5.1.mDL", "docType")
                        expect(doc.deviceAuth == "mac", "device auth is mac")
                        expect(doc.issuerSubject == "C=US,CN=utopia ds", "issuer subject")
                        expect(doc.element("org.iso.18013.5.1", "family_name") == Value.Text("Doe"), "family_name")
                        expect(doc.element("org.iso.18013.5.1", "issue_date") == Value.Date("2019-10-20"), "issue_date")
                        val portrait = doc.element("org.iso.18013.5.1", "portrait") as? Value.Bytes
                        expect(portrait?.value?.size == 1042, "portrait bytes")
                        expect(v.json.startsWith("{\"status\":\"valid\""), "JSON")
                        expect(v.ageAtLeast(0, MDL, 18).verdict == AgeAnswer.UNKNOWN, "Annex D discloses no age")
                        expect(v.portrait(0, MDL)?.let { it.format == 1 && it.image.size == 1042 } == true, "JPEG portrait")
                        expect(v.portrait(0, "org.iso.23220.1.jp.mnc") == null, "no portrait for another docType")
                        expect(v.auditJson.startsWith("{\"time\":") && !v.auditJson.contains("Doe"), "audit")
                        println("Annex D: VALID, ${doc.elements.size} elements, family_name=Doe")
                    }
                    verifier.verifyDeviceResponse(response, transcript, key, T_2026).use { v ->
                        expect(!v.isValid, "Annex D is invalid in 2026")
                        val doc = v.documents.single()
                        expect(!doc.valid && doc.elements.isEmpty(), "rejected document has no elements")
                        expect(doc.errors.any { it.code == 7 && it.name == "certificate_expired" }, "certificate_expired")
                        try {
                            v.ageAtLeast(0, MDL, 18)
                            expect(false, "no answers from a rejected document")
                        } catch (e: KakuninException) {
                            expect(e.status == 6, "KAKUNIN_DOCUMENT_REJECTED")
                        }
                        println("Annex D in 2026: INVALID, ${doc.errors.map { it.name }}")
                    }
                    // A forged byte: "Doe" -> "Dof" breaks the element digest.
                    val forged = response.copyOf()
                    val at = (0 until forged.size - 3).last {
                        forged[it] == 0x63.toByte() && forged[it + 1] == 'D'.toByte() &&
                            forged[it + 2] == 'o'.toByte() && forged[it + 3] == 'e'.toByte()
                    }
                    forged[at + 3] = 'f'.toByte()
                    verifier.verifyDeviceResponse(forged, transcript, key, T_2021).use { v ->
                        expect(!v.isValid, "forged response rejected")
                        expect(v.documents.single().errors.any { it.name == "digest_mismatch" }, "digest_mismatch")
                    }
                }
            }
        }
    }

    // The Annex D proximity session replayed through the session API.
    TrustStore.of(File(DATA + "iaca_cert.pem").readBytes()).use { trust ->
        Verifier(trust).use { verifier ->
            DeviceEngagement.fromNfcHandover(hex("handover_select.hex"), hex("handover_request.hex")).use { engagement ->
                ReaderKey.p256Scalar(hex("e_reader_key.d.hex")).use { key ->
                    ReaderSession(engagement, key).use { session ->
                        expect(session.transcriptBytes.contentEquals(hex("session_transcript_bytes.hex")), "transcript")
                        val se = session.establish(hex("device_request.hex"))
                        expect(se.contentEquals(hex("session_establishment.hex")), "SessionEstablishment is Annex D's")
                        val ev = session.receive(hex("session_data_device_response.hex"))
                        expect(ev.event == 1 && ev.deviceResponse?.contentEquals(hex("device_response.hex")) == true,
                            "decrypted DeviceResponse")
                        session.verify(verifier, ev.deviceResponse ?: ByteArray(0), T_2021).use { v ->
                            expect(v.isValid && v.documents.single().deviceAuth == "mac", "session response verifies")
                        }
                        // Bound to a request for a PID only, the mDL was not requested.
                        val pidOnly = session.deviceRequest("eu.europa.ec.eudi.pid.1",
                            listOf("eu.europa.ec.eudi.pid.1" to "age_over_18"))
                        SessionTranscript.of(session.transcriptBytes).use { t ->
                            verifier.verifyDeviceResponse(hex("device_response.hex"), pidOnly, t, key, T_2021).use { v ->
                                expect(!v.isValid && v.documents.single().errors.any { it.name == "document_not_requested" },
                                    "document_not_requested")
                            }
                        }
                        expect(session.terminate().contentEquals(hex("session_termination.hex")), "termination")
                        println("Annex D session: SessionEstablishment identical, response VALID")
                    }
                    ReaderSession(engagement, key).use { session ->
                        session.establish(hex("device_request.hex"))
                        val tampered = hex("session_data_device_response.hex")
                        tampered[tampered.size - 1] = (tampered[tampered.size - 1].toInt() xor 1).toByte()
                        try {
                            session.receive(tampered)
                            expect(false, "tampered SessionData must throw")
                        } catch (e: KakuninException) {
                            expect(e.errorCodeName == "session_decryption_failed", "session_decryption_failed")
                        }
                    }
                }
                ReaderSession(engagement).use { session ->
                    val req = session.deviceRequest("org.iso.18013.5.1.mDL", listOf("org.iso.18013.5.1" to "age_over_21"))
                    expect(session.establish(req).isNotEmpty(), "fresh-key session establishes")
                    try {
                        session.deviceRequest("org.iso.23220.1.jp.mnc", listOf("org.iso.23220.1.jp" to "individual_number_unicode"))
                        expect(false, "individual_number_unicode without a purpose must be refused")
                    } catch (e: KakuninException) {
                        expect(e.errorCodeName == "request_refused", "request_refused")
                    }
                }
            }
        }
    }

    // An input error surfaces as an exception carrying the stable code.
    try {
        TrustStore.of("not a certificate".toByteArray()).close()
        expect(false, "junk anchor must throw")
    } catch (e: KakuninException) {
        expect(e.status > Status.ERROR_CODE_BASE && e.errorCodeName != null, "anchor error code")
        println("junk anchor: ${e.errorCodeName} (status ${e.status})")
    }

    // The panic boundary: a panic inside Rust is a status, and the JVM keeps running.
    expect(Kakunin.debugPanic() == Status.PANIC, "panic caught")
    expect(Kakunin.debugPanic() == Status.PANIC, "panic caught twice")

    if (failures > 0) {
        System.err.println("KakuninTest: $failures failure(s)")
        exitProcess(1)
    }
    println("KakuninTest: OK")
}
