// JVM test of the OpenID4VP binding: the derived fixtures of
// tests/data/derived/oid4vp verify, a state round-trips, a downgrade is
// refused. Run by examples/kotlin/run-test.sh from the repository root.
package oid4vptest

import kakunin.DcqlCredential
import kakunin.KakuninException
import kakunin.OpenId4Vp
import kakunin.OpenId4VpFlow
import kakunin.TrustStore
import kakunin.Verifier
import java.io.File
import kotlin.system.exitProcess

private const val FIX = "tests/data/derived/oid4vp/"
private const val T_2024 = 1704067200L

fun main() {
    var failures = 0
    fun expect(cond: Boolean, what: String) {
        if (!cond) {
            System.err.println("FAILED: $what")
            failures++
        }
    }
    TrustStore.of(File(FIX + "iaca.der").readBytes()).use { store ->
        Verifier(store).use { verifier ->
            val redirect = OpenId4VpFlow.Redirect("x509_san_dns:rp.example", "https://rp.example/post")
            OpenId4Vp.verifyResponse(
                verifier, File(FIX + "response_direct_post_jwt.json").readBytes(),
                File(FIX + "verifier_key.jwk").readBytes(), "-c-test-nonce", redirect, T_2024
            ).use { expect(it.isValid, "encrypted response verifies: ${it.json}") }
            val token = File(FIX + "vp_token_dc_api.json").readBytes()
            OpenId4Vp.verifyVpToken(verifier, token, "-c-test-nonce", OpenId4VpFlow.DcApi("https://rp.example"), null, T_2024)
                .use { expect(it.isValid, "DC API vp_token verifies") }
            OpenId4Vp.verifyVpToken(verifier, token, "-c-test-nonce", OpenId4VpFlow.DcApi("https://evil.example"), null, T_2024)
                .use { expect(!it.isValid, "another origin fails") }

            val mdl = DcqlCredential("mdl", "org.iso.18013.5.1.mDL", listOf("org.iso.18013.5.1" to "age_over_20"))
            val req = OpenId4Vp.request(OpenId4VpFlow.DcApi("https://rp.example"), true, listOf(mdl))
            expect(req.request.contains("openid4vp-v1-unsigned") && req.request.contains("dc_api.jwt"), "DC API request")
            val plain = "{\"vp_token\":${String(token)}}".toByteArray()
            OpenId4Vp.verify(req.state, verifier, plain, T_2024).use {
                expect(!it.isValid && it.errors.firstOrNull()?.name == "structure_invalid", "downgrade refused")
            }
            try {
                val mnc = DcqlCredential("mnc", "org.iso.23220.1.jp.mnc", listOf("org.iso.23220.1.jp" to "individual_number_unicode"))
                OpenId4Vp.request(OpenId4VpFlow.DcApi("https://rp.example"), true, listOf(mnc))
                expect(false, "My Number without a purpose must be refused")
            } catch (e: KakuninException) {
                expect(e.errorCodeName == "request_refused", "request_refused")
            }
        }
    }
    if (failures > 0) {
        System.err.println("OpenId4VpTest: $failures failure(s)")
        exitProcess(1)
    }
    println("OpenId4VpTest: OK")
}
