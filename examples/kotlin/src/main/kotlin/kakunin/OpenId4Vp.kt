// Kotlin/JVM binding of kakunin's OpenID4VP 1.0 C functions (kakunin_oid4vp_*),
// over JNA, in the style of Kakunin.kt.
package kakunin

import com.sun.jna.Library
import com.sun.jna.Native
import com.sun.jna.Pointer
import com.sun.jna.ptr.PointerByReference

/** The raw OpenID4VP C functions (names and types as in kakunin.h; `bool` is Byte). */
@Suppress("FunctionName")
interface OpenId4VpLib : Library {
    fun kakunin_oid4vp_request_builder_new_redirect(
        clientId: String, responseUri: String, encrypted: Byte, out: PointerByReference
    ): Int
    fun kakunin_oid4vp_request_builder_new_dc_api(origin: String, encrypted: Byte, out: PointerByReference): Int
    fun kakunin_oid4vp_request_builder_set_nonce(b: Pointer, nonce: String): Int
    fun kakunin_oid4vp_request_builder_set_client_id(b: Pointer, clientId: String): Int
    fun kakunin_oid4vp_request_builder_add_credential(b: Pointer, id: String, items: Pointer): Int
    fun kakunin_oid4vp_request_builder_build(
        b: Pointer, signer: Pointer?, outRequest: PointerByReference, outState: PointerByReference
    ): Int
    fun kakunin_oid4vp_request_builder_free(b: Pointer?)
    fun kakunin_oid4vp_state_serialize(s: Pointer, out: PointerByReference): Int
    fun kakunin_oid4vp_state_deserialize(data: ByteArray, len: SizeT, out: PointerByReference): Int
    fun kakunin_oid4vp_state_verify(
        s: Pointer, v: Pointer, response: ByteArray, len: SizeT, now: Long, out: PointerByReference
    ): Int
    fun kakunin_oid4vp_state_free(s: Pointer?)
    fun kakunin_oid4vp_verify_vp_token(
        v: Pointer, vpToken: ByteArray, len: SizeT, nonce: String, clientId: String?, responseUri: String?,
        origin: String?, jwkThumbprint: ByteArray?, now: Long, out: PointerByReference
    ): Int
    fun kakunin_oid4vp_verify_response(
        v: Pointer, response: ByteArray, len: SizeT, jweKey: ByteArray, keyLen: SizeT, nonce: String,
        clientId: String?, responseUri: String?, origin: String?, now: Long, out: PointerByReference
    ): Int

    companion object {
        val INSTANCE: OpenId4VpLib by lazy { Native.load("kakunin", OpenId4VpLib::class.java) }
    }
}

private val oid: OpenId4VpLib get() = OpenId4VpLib.INSTANCE

/** One DCQL credential query: `id`, docType, (namespace, element) pairs. */
data class DcqlCredential(
    val id: String,
    val docType: String,
    val elements: List<Pair<String, String>>,
    val individualNumberPurpose: String? = null
)

/** A built request: what to send, and the state to keep server-side (it holds the private key). */
class OpenId4VpRequest(val request: String, val state: ByteArray)

/** The wallet's response channel: redirects (client_id + response_uri) or the DC API (origin). */
sealed class OpenId4VpFlow {
    data class Redirect(val clientId: String, val responseUri: String) : OpenId4VpFlow()
    data class DcApi(val origin: String) : OpenId4VpFlow()
}

/** OpenID4VP 1.0 (`mso_mdoc`), verifier side. */
object OpenId4Vp {
    /**
     * Builds a request (`encrypted`: the `.jwt` response modes). For the DC API
     * the request is the `{"protocol", "data"}` entry for navigator.credentials.get.
     */
    fun request(flow: OpenId4VpFlow, encrypted: Boolean, credentials: List<DcqlCredential>, nonce: String? = null): OpenId4VpRequest {
        val b = PointerByReference()
        val enc: Byte = if (encrypted) 1 else 0
        when (flow) {
            is OpenId4VpFlow.Redirect -> check(oid.kakunin_oid4vp_request_builder_new_redirect(flow.clientId, flow.responseUri, enc, b))
            is OpenId4VpFlow.DcApi -> check(oid.kakunin_oid4vp_request_builder_new_dc_api(flow.origin, enc, b))
        }
        try {
            nonce?.let { check(oid.kakunin_oid4vp_request_builder_set_nonce(b.value, it)) }
            for (c in credentials) {
                val items = PointerByReference()
                check(lib.kakunin_items_request_new(c.docType, items))
                try {
                    for ((ns, id) in c.elements) check(lib.kakunin_items_request_add_element(items.value, ns, id, 0))
                    c.individualNumberPurpose?.let { check(lib.kakunin_items_request_set_individual_number_purpose(items.value, it)) }
                    check(oid.kakunin_oid4vp_request_builder_add_credential(b.value, c.id, items.value))
                } finally {
                    lib.kakunin_items_request_free(items.value)
                }
            }
            val req = PointerByReference()
            val state = PointerByReference()
            check(oid.kakunin_oid4vp_request_builder_build(b.value, null, req, state))
            try {
                val ser = PointerByReference()
                check(oid.kakunin_oid4vp_state_serialize(state.value, ser))
                return OpenId4VpRequest(String(takeBuffer(req.value), Charsets.UTF_8), takeBuffer(ser.value))
            } finally {
                oid.kakunin_oid4vp_state_free(state.value)
            }
        } finally {
            oid.kakunin_oid4vp_request_builder_free(b.value)
        }
    }

    /** Verifies the wallet's response against a stored state. */
    fun verify(state: ByteArray, verifier: Verifier, response: ByteArray, nowUnixSeconds: Long): Verification {
        val s = PointerByReference()
        check(oid.kakunin_oid4vp_state_deserialize(state, SizeT(state.size.toLong()), s))
        try {
            val out = PointerByReference()
            check(oid.kakunin_oid4vp_state_verify(s.value, verifier.ptr, response, SizeT(response.size.toLong()), nowUnixSeconds, out))
            return Verification(out.value)
        } finally {
            oid.kakunin_oid4vp_state_free(s.value)
        }
    }

    /** Verifies a `vp_token` object over the transcript of these request parameters. */
    fun verifyVpToken(
        verifier: Verifier, vpToken: ByteArray, nonce: String, flow: OpenId4VpFlow, jwkThumbprint: ByteArray?,
        nowUnixSeconds: Long
    ): Verification {
        val out = PointerByReference()
        val (c, u, o) = parts(flow)
        check(oid.kakunin_oid4vp_verify_vp_token(
            verifier.ptr, vpToken, SizeT(vpToken.size.toLong()), nonce, c, u, o, jwkThumbprint, nowUnixSeconds, out))
        return Verification(out.value)
    }

    /** Decrypts (`jweKey`: P-256 JWK or PEM) and verifies `{"response": "<JWE>"}`. */
    fun verifyResponse(
        verifier: Verifier, response: ByteArray, jweKey: ByteArray, nonce: String, flow: OpenId4VpFlow,
        nowUnixSeconds: Long
    ): Verification {
        val out = PointerByReference()
        val (c, u, o) = parts(flow)
        check(oid.kakunin_oid4vp_verify_response(
            verifier.ptr, response, SizeT(response.size.toLong()), jweKey, SizeT(jweKey.size.toLong()), nonce,
            c, u, o, nowUnixSeconds, out))
        return Verification(out.value)
    }

    private fun parts(flow: OpenId4VpFlow): Triple<String?, String?, String?> = when (flow) {
        is OpenId4VpFlow.Redirect -> Triple(flow.clientId, flow.responseUri, null)
        is OpenId4VpFlow.DcApi -> Triple(null, null, flow.origin)
    }
}
