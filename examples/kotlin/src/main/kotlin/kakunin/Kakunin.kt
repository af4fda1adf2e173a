// Kotlin/JVM binding of kakunin's C ABI (include/kakunin.h) over JNA.
//
// Every native handle is owned by an AutoCloseable wrapper: use `use { }`.
// Borrowed views (strings, bytes, elements) are copied into JVM objects
// before the owning handle can be closed, so nothing dangles.
package kakunin

import com.sun.jna.IntegerType
import com.sun.jna.Library
import com.sun.jna.Native
import com.sun.jna.Pointer
import com.sun.jna.Structure
import com.sun.jna.ptr.ByReference
import com.sun.jna.ptr.ByteByReference
import com.sun.jna.ptr.IntByReference
import com.sun.jna.ptr.LongByReference
import com.sun.jna.ptr.PointerByReference
import java.nio.charset.StandardCharsets

/** C `size_t`. */
class SizeT(value: Long = 0) : IntegerType(Native.SIZE_T_SIZE, value, true) {
    constructor() : this(0)
    override fun toByte(): Byte = toInt().toByte()
    override fun toChar(): Char = toInt().toChar()
    override fun toShort(): Short = toInt().toShort()
}

/** C `size_t *`. */
class SizeTByReference : ByReference(Native.SIZE_T_SIZE) {
    val value: Long
        get() = if (Native.SIZE_T_SIZE == 8) pointer.getLong(0) else pointer.getInt(0).toLong() and 0xffffffffL
}

/** `kakunin_str` and `kakunin_bytes`: a borrowed (pointer, length) view. */
@Structure.FieldOrder("data", "len")
class KView : Structure() {
    @JvmField var data: Pointer? = null
    @JvmField var len: SizeT = SizeT()

    fun bytes(): ByteArray = data?.getByteArray(0, len.toInt()) ?: ByteArray(0)
    fun text(): String = String(bytes(), StandardCharsets.UTF_8)
}

/** The raw C functions (names and types as in kakunin.h; `bool` is mapped to Byte). */
@Suppress("FunctionName")
interface KakuninLib : Library {
    fun kakunin_version(): String
    fun kakunin_abi_version(): Int
    fun kakunin_status_str(status: Int): String
    fun kakunin_last_error_message(): String
    fun kakunin_error_code_str(code: Int): String?
    fun kakunin_status_error_code(status: Int): Int
    fun kakunin_debug_panic(): Int

    fun kakunin_trust_store_builder_new(): Pointer?
    fun kakunin_trust_store_builder_add_pem_or_der(b: Pointer, data: ByteArray, len: SizeT): Int
    fun kakunin_trust_store_builder_build(b: Pointer, out: PointerByReference): Int
    fun kakunin_trust_store_builder_free(b: Pointer?)
    fun kakunin_trust_store_anchor_count(s: Pointer?): SizeT
    fun kakunin_trust_store_free(s: Pointer?)

    fun kakunin_verifier_builder_new(trust: Pointer, out: PointerByReference): Int
    fun kakunin_verifier_builder_set_clock_skew(b: Pointer, seconds: Long): Int
    fun kakunin_verifier_builder_build(b: Pointer, out: PointerByReference): Int
    fun kakunin_verifier_builder_free(b: Pointer?)
    fun kakunin_verifier_builder_set_revocation_policy(b: Pointer, mode: Int, maxAgeSeconds: Long): Int
    fun kakunin_verifier_builder_set_revocation_data(b: Pointer, data: Pointer): Int

    fun kakunin_revocation_data_new(): Pointer?
    fun kakunin_revocation_data_add_crl(d: Pointer, der: ByteArray, len: SizeT): Int
    fun kakunin_revocation_data_add_status_token(d: Pointer, token: ByteArray, len: SizeT): Int
    fun kakunin_revocation_data_free(d: Pointer?)

    fun kakunin_vical_verify(
        vical: ByteArray, len: SizeT, anchors: ByteArray, anchorsLen: SizeT,
        now: Long, skew: Long, maxAgeSeconds: Long, out: PointerByReference
    ): Int
    fun kakunin_vical_verify_with_options(
        vical: ByteArray, len: SizeT, anchors: ByteArray, anchorsLen: SizeT,
        now: Long, skew: Long, maxAgeSeconds: Long, hasLastIssueId: Byte, lastIssueId: Long, flags: Int,
        out: PointerByReference
    ): Int
    fun kakunin_vical_provider(v: Pointer, out: KView): Int
    fun kakunin_vical_entry_count(v: Pointer): SizeT
    fun kakunin_vical_rejected_count(v: Pointer): SizeT
    fun kakunin_vical_trust_store(v: Pointer, out: PointerByReference): Int
    fun kakunin_vical_free(v: Pointer?)
    fun kakunin_verifier_free(v: Pointer?)

    fun kakunin_session_transcript_new(data: ByteArray, len: SizeT, out: PointerByReference): Int
    fun kakunin_session_transcript_free(t: Pointer?)
    fun kakunin_reader_key_from_bytes(data: ByteArray, len: SizeT, out: PointerByReference): Int
    fun kakunin_reader_key_from_scalar(coseCurve: Int, data: ByteArray, len: SizeT, out: PointerByReference): Int
    fun kakunin_reader_key_free(k: Pointer?)

    fun kakunin_verifier_verify_device_response(
        v: Pointer, data: ByteArray, len: SizeT, transcript: Pointer?, readerKey: Pointer?, now: Long,
        out: PointerByReference
    ): Int
    fun kakunin_verifier_verify_device_response_for_request(
        v: Pointer, data: ByteArray, len: SizeT, request: ByteArray, requestLen: SizeT, transcript: Pointer?,
        readerKey: Pointer?, now: Long, out: PointerByReference
    ): Int
    fun kakunin_verifier_verify_device_response_issuer_only(
        v: Pointer, data: ByteArray, len: SizeT, now: Long, out: PointerByReference
    ): Int

    fun kakunin_verification_is_valid(v: Pointer): Byte
    fun kakunin_verification_json(v: Pointer, out: KView): Int
    fun kakunin_verification_error_count(v: Pointer): SizeT
    fun kakunin_verification_error(v: Pointer, index: SizeT, code: IntByReference, message: KView): Int
    fun kakunin_verification_document_count(v: Pointer): SizeT
    fun kakunin_verification_document_is_valid(v: Pointer, doc: SizeT, out: ByteByReference): Int
    fun kakunin_verification_document_field(v: Pointer, doc: SizeT, field: Int, out: KView): Int
    fun kakunin_verification_document_time(v: Pointer, doc: SizeT, field: Int, out: LongByReference): Int
    fun kakunin_verification_document_device_auth(v: Pointer, doc: SizeT, out: IntByReference): Int
    fun kakunin_verification_document_error_count(v: Pointer, doc: SizeT, out: SizeTByReference): Int
    fun kakunin_verification_document_error(
        v: Pointer, doc: SizeT, index: SizeT, code: IntByReference, message: KView
    ): Int
    fun kakunin_verification_document_element_count(v: Pointer, doc: SizeT, out: SizeTByReference): Int
    fun kakunin_verification_document_element(v: Pointer, doc: SizeT, index: SizeT, out: PointerByReference): Int
    fun kakunin_verification_free(v: Pointer?)
    fun kakunin_verification_audit_json(v: Pointer, out: KView): Int
    fun kakunin_verification_document_age_at_least_for_doc_type(
        v: Pointer, doc: SizeT, docType: String, years: Int, verdict: IntByReference, evidence: IntByReference,
        nn: IntByReference
    ): Int
    fun kakunin_verification_document_portrait_for_doc_type(
        v: Pointer, doc: SizeT, docType: String, image: KView, format: IntByReference
    ): Int

    fun kakunin_element_namespace(e: Pointer, out: KView): Int
    fun kakunin_element_identifier(e: Pointer, out: KView): Int
    fun kakunin_element_type(e: Pointer): Int
    fun kakunin_element_is_device_signed(e: Pointer): Byte
    fun kakunin_element_text(e: Pointer, out: KView): Int
    fun kakunin_element_date(e: Pointer, out: KView): Int
    fun kakunin_element_int(e: Pointer, out: LongByReference): Int
    fun kakunin_element_bool(e: Pointer, out: ByteByReference): Int
    fun kakunin_element_bytes(e: Pointer, out: KView): Int
    fun kakunin_element_json(e: Pointer, out: KView): Int

    fun kakunin_buffer_data(b: Pointer): Pointer?
    fun kakunin_buffer_len(b: Pointer): SizeT
    fun kakunin_buffer_free(b: Pointer?)
    fun kakunin_device_engagement_from_qr(text: String, out: PointerByReference): Int
    fun kakunin_device_engagement_from_nfc_handover(
        select: ByteArray, selectLen: SizeT, request: ByteArray?, requestLen: SizeT, out: PointerByReference
    ): Int
    fun kakunin_device_engagement_free(e: Pointer?)
    fun kakunin_reader_session_new(e: Pointer, readerKey: Pointer?, out: PointerByReference): Int
    fun kakunin_reader_session_establish(s: Pointer, data: ByteArray, len: SizeT, out: PointerByReference): Int
    fun kakunin_reader_session_request(s: Pointer, data: ByteArray, len: SizeT, out: PointerByReference): Int
    fun kakunin_reader_session_receive(
        s: Pointer, data: ByteArray, len: SizeT, event: IntByReference, out: PointerByReference
    ): Int
    fun kakunin_reader_session_terminate(s: Pointer, out: PointerByReference): Int
    fun kakunin_reader_session_transcript_bytes(s: Pointer, out: KView): Int
    fun kakunin_reader_session_verify_device_response(
        s: Pointer, v: Pointer, data: ByteArray, len: SizeT, now: Long, out: PointerByReference
    ): Int
    fun kakunin_reader_session_free(s: Pointer?)
    fun kakunin_items_request_new(docType: String, out: PointerByReference): Int
    fun kakunin_items_request_add_element(r: Pointer, ns: String, id: String, intentToRetain: Byte): Int
    fun kakunin_items_request_set_individual_number_purpose(r: Pointer, purpose: String): Int
    fun kakunin_items_request_free(r: Pointer?)
    fun kakunin_device_request_builder_new(): Pointer?
    fun kakunin_device_request_builder_add(b: Pointer, items: Pointer, session: Pointer?, readerAuthKey: Pointer?): Int
    fun kakunin_device_request_builder_build(b: Pointer, out: PointerByReference): Int
    fun kakunin_device_request_builder_free(b: Pointer?)
    // Online presentations: ISO 18013-7 Annex C and Apple in-app.
    fun kakunin_annex_c_request_new(
        items: Array<Pointer>, itemsLen: SizeT, origin: String, readerAuthKey: Pointer?,
        outData: PointerByReference, outState: PointerByReference
    ): Int
    fun kakunin_annex_c_state_to_bytes(s: Pointer, out: PointerByReference): Int
    fun kakunin_annex_c_state_from_bytes(data: ByteArray, len: SizeT, out: PointerByReference): Int
    fun kakunin_annex_c_state_from_request(
        json: ByteArray, len: SizeT, origin: String, key: Pointer, out: PointerByReference
    ): Int
    fun kakunin_annex_c_state_free(s: Pointer?)
    fun kakunin_annex_c_verify_response(
        v: Pointer, s: Pointer, json: ByteArray, len: SizeT, now: Long, out: PointerByReference
    ): Int
    fun kakunin_apple_verify_envelope(
        v: Pointer, key: Pointer, nonce: ByteArray, nonceLen: SizeT, merchantId: String, teamId: String,
        envelope: ByteArray, len: SizeT, now: Long, out: PointerByReference
    ): Int

    companion object {
        /** Loads `libkakunin` (set `-Djna.library.path=` to its directory). */
        val INSTANCE: KakuninLib by lazy { Native.load("kakunin", KakuninLib::class.java) }
    }
}

internal val lib: KakuninLib get() = KakuninLib.INSTANCE

/** Status numbers of kakunin.h used by this binding (append-only, see the header). */
object Status {
    const val OK = 0
    const val NULL_PARAMETER = 1
    const val NOT_FOUND = 4
    const val PANIC = 100
    const val ERROR_CODE_BASE = 1000
}

/**
 * A call returned a status other than KAKUNIN_OK. [detail] is the library's
 * message for that failure (`kakunin_last_error_message`, the text the CLI
 * prints, e.g. "not_a_certificate: PEM has no CERTIFICATE block (found PRIVATE KEY)").
 */
class KakuninException(val status: Int, val detail: String = lib.kakunin_last_error_message()) :
    RuntimeException("kakunin status $status: $detail") {
    /** The stable error code number when the input was rejected, else 0. */
    val errorCode: Int get() = lib.kakunin_status_error_code(status)
    /** Its stable name (`"cbor_malformed"`, …), or null. */
    val errorCodeName: String? get() = if (errorCode == 0) null else lib.kakunin_error_code_str(errorCode)
}

internal fun check(status: Int) {
    if (status != Status.OK) throw KakuninException(status)
}

/** Library and ABI versions, and the panic-boundary self test. */
object Kakunin {
    val version: String get() = lib.kakunin_version()
    val abiVersion: Int get() = lib.kakunin_abi_version()
    /** Panics inside the library; the boundary turns it into KAKUNIN_PANIC (for tests). */
    fun debugPanic(): Int = lib.kakunin_debug_panic()
    fun errorCodeName(code: Int): String? = lib.kakunin_error_code_str(code)
}

/**
 * Base of every handle wrapper: frees the native handle once. A
 * java.io.Closeable (hence AutoCloseable) so that Kotlin's `use { }` works
 * with the plain kotlin-stdlib.
 */
abstract class Handle(ptr: Pointer, free: (Pointer) -> Unit) : java.io.Closeable {
    private val native = NativeRef(ptr, free)
    // Backstop: if the wrapper becomes unreachable without close(), the
    // Cleaner frees the handle. close() (or `use { }`) stays the contract:
    // the GC may run late or never, and native memory does not press it.
    private val cleanable = Backstop.register(this, native)
    internal val ptr: Pointer get() = native.ptr ?: throw IllegalStateException("${javaClass.simpleName} is closed")
    override fun close() {
        if (cleanable != null) Backstop.clean(cleanable) else native.run()
    }
}

/** The native pointer and how to free it, shared by close() and the Cleaner (never references the wrapper). */
private class NativeRef(@Volatile var ptr: Pointer?, private val free: (Pointer) -> Unit) : Runnable {
    override fun run() {
        val p = synchronized(this) { ptr.also { ptr = null } }
        p?.let(free)
    }
}

/**
 * java.lang.ref.Cleaner (JVM 9+, Android API 33+). Where it is missing
 * (older Android), handles have no backstop and only close() frees them.
 */
private object Backstop {
    private val cleaner: Any? = try {
        JdkCleaner.cleaner
    } catch (e: LinkageError) {
        null
    }

    fun register(owner: Any, action: Runnable): Any? =
        if (cleaner == null) null else JdkCleaner.register(owner, action)

    fun clean(cleanable: Any) = JdkCleaner.clean(cleanable)
}

/** Kept apart so that a runtime without java.lang.ref.Cleaner only fails to load this object. */
private object JdkCleaner {
    val cleaner: java.lang.ref.Cleaner = java.lang.ref.Cleaner.create()
    fun register(owner: Any, action: Runnable): Any = cleaner.register(owner, action)
    fun clean(cleanable: Any) = (cleanable as java.lang.ref.Cleaner.Cleanable).clean()
}

/** An immutable set of trust anchors (thread-safe). */
class TrustStore internal constructor(p: Pointer) : Handle(p, { lib.kakunin_trust_store_free(it) }) {
    val anchorCount: Long get() = lib.kakunin_trust_store_anchor_count(ptr).toLong()

    companion object {
        /** Anchors from PEM (one or more certificates) or DER blobs. */
        fun of(vararg pemOrDer: ByteArray): TrustStore {
            val b = lib.kakunin_trust_store_builder_new() ?: throw KakuninException(Status.PANIC)
            try {
                for (data in pemOrDer) check(lib.kakunin_trust_store_builder_add_pem_or_der(b, data, SizeT(data.size.toLong())))
                val out = PointerByReference()
                check(lib.kakunin_trust_store_builder_build(b, out))
                return TrustStore(out.value)
            } finally {
                lib.kakunin_trust_store_builder_free(b)
            }
        }
    }
}

/** The SessionTranscript bytes of the session (thread-safe). */
class SessionTranscript private constructor(p: Pointer) : Handle(p, { lib.kakunin_session_transcript_free(it) }) {
    companion object {
        fun of(bytes: ByteArray): SessionTranscript {
            val out = PointerByReference()
            check(lib.kakunin_session_transcript_new(bytes, SizeT(bytes.size.toLong()), out))
            return SessionTranscript(out.value)
        }
    }
}

/** The reader's ephemeral private key, for deviceMac (zeroized on close). */
class ReaderKey private constructor(p: Pointer) : Handle(p, { lib.kakunin_reader_key_free(it) }) {
    companion object {
        /** PKCS#8 / SEC1 (PEM or DER) or a COSE_Key. */
        fun of(bytes: ByteArray): ReaderKey {
            val out = PointerByReference()
            check(lib.kakunin_reader_key_from_bytes(bytes, SizeT(bytes.size.toLong()), out))
            return ReaderKey(out.value)
        }

        /** A big-endian P-256 private scalar. */
        fun p256Scalar(d: ByteArray): ReaderKey {
            val out = PointerByReference()
            check(lib.kakunin_reader_key_from_scalar(1, d, SizeT(d.size.toLong()), out))
            return ReaderKey(out.value)
        }
    }
}

/** An immutable verifier (thread-safe). */
class Verifier(
    trust: TrustStore,
    clockSkewSeconds: Long = 0,
    revocation: RevocationPolicy? = null,
    revocationData: RevocationData? = null
) : Handle(build(trust, clockSkewSeconds, revocation, revocationData), { lib.kakunin_verifier_free(it) }) {
    /** Verifies a DeviceResponse at `nowUnixSeconds` (issuer and device authentication). */
    fun verifyDeviceResponse(
        response: ByteArray, transcript: SessionTranscript?, readerKey: ReaderKey?, nowUnixSeconds: Long
    ): Verification {
        val out = PointerByReference()
        check(lib.kakunin_verifier_verify_device_response(
            ptr, response, SizeT(response.size.toLong()), transcript?.ptr, readerKey?.ptr, nowUnixSeconds, out))
        return Verification(out.value)
    }

    /**
     * As [verifyDeviceResponse], bound to `deviceRequest` (the DeviceRequest as sent): a document
     * of a docType not requested is rejected (`document_not_requested`), elements not requested
     * are not returned.
     */
    fun verifyDeviceResponse(
        response: ByteArray, deviceRequest: ByteArray, transcript: SessionTranscript?, readerKey: ReaderKey?,
        nowUnixSeconds: Long
    ): Verification {
        val out = PointerByReference()
        check(lib.kakunin_verifier_verify_device_response_for_request(
            ptr, response, SizeT(response.size.toLong()), deviceRequest, SizeT(deviceRequest.size.toLong()),
            transcript?.ptr, readerKey?.ptr, nowUnixSeconds, out))
        return Verification(out.value)
    }

    /** Verifies only the issuer side of every document of a DeviceResponse. */
    fun verifyIssuerOnly(response: ByteArray, nowUnixSeconds: Long): Verification {
        val out = PointerByReference()
        check(lib.kakunin_verifier_verify_device_response_issuer_only(
            ptr, response, SizeT(response.size.toLong()), nowUnixSeconds, out))
        return Verification(out.value)
    }

    private companion object {
        fun build(trust: TrustStore, skew: Long, revocation: RevocationPolicy?, data: RevocationData?): Pointer {
            val b = PointerByReference()
            check(lib.kakunin_verifier_builder_new(trust.ptr, b))
            try {
                check(lib.kakunin_verifier_builder_set_clock_skew(b.value, skew))
                if (revocation != null) {
                    check(lib.kakunin_verifier_builder_set_revocation_policy(b.value, revocation.mode, revocation.maxAgeSeconds))
                }
                if (data != null) check(lib.kakunin_verifier_builder_set_revocation_data(b.value, data.ptr))
                val out = PointerByReference()
                check(lib.kakunin_verifier_builder_build(b.value, out))
                return out.value
            } finally {
                lib.kakunin_verifier_builder_free(b.value)
            }
        }
    }
}

/** How revocation is checked: `mode` is OFF, BEST_EFFORT or REQUIRED; `maxAgeSeconds` 0 = no maximum age. */
data class RevocationPolicy(val mode: Int, val maxAgeSeconds: Long = 0) {
    companion object {
        const val OFF = 1
        const val BEST_EFFORT = 2
        const val REQUIRED = 3
    }
}

/** CRLs (DER) and status-list tokens the application fetched; a Verifier takes its own copy. */
class RevocationData private constructor(p: Pointer) : Handle(p, { lib.kakunin_revocation_data_free(it) }) {
    companion object {
        fun of(crls: List<ByteArray>, statusTokens: List<ByteArray>): RevocationData {
            val d = RevocationData(lib.kakunin_revocation_data_new() ?: throw KakuninException(Status.PANIC))
            try {
                for (c in crls) check(lib.kakunin_revocation_data_add_crl(d.ptr, c, SizeT(c.size.toLong())))
                for (t in statusTokens) check(lib.kakunin_revocation_data_add_status_token(d.ptr, t, SizeT(t.size.toLong())))
            } catch (e: KakuninException) {
                d.close()
                throw e
            }
            return d
        }
    }
}

/** A VICAL verified against VICAL anchors at a time (thread-safe). */
class Vical private constructor(p: Pointer) : Handle(p, { lib.kakunin_vical_free(it) }) {
    val provider: String get() = KView().also { check(lib.kakunin_vical_provider(ptr, it)) }.text()
    val entryCount: Long get() = lib.kakunin_vical_entry_count(ptr).toLong()
    val rejectedCount: Long get() = lib.kakunin_vical_rejected_count(ptr).toLong()

    /** A trust store of its IACAs that meet the IACA profile, scoped to their docTypes. */
    fun trustStore(): TrustStore {
        val out = PointerByReference()
        check(lib.kakunin_vical_trust_store(ptr, out))
        return TrustStore(out.value)
    }

    companion object {
        /** `verify` option: accept a VICAL signer whose keyUsage is nonRepudiation only (AAMVA's). */
        const val ALLOW_CONTENT_COMMITMENT_SIGNER = 1

        /**
         * Throws KakuninException (errorCodeName `trust_list_stale` / `trust_list_invalid`) when refused.
         * `lastIssueId`: the vicalIssueID last accepted; an older VICAL is `trust_list_stale`.
         * `allowContentCommitmentSigner`: the opt-in the AAMVA production VICAL needs.
         */
        fun verify(
            vical: ByteArray, anchorsPemOrDer: ByteArray, nowUnixSeconds: Long, clockSkewSeconds: Long = 0,
            maxAgeSeconds: Long = 0, lastIssueId: Long? = null, allowContentCommitmentSigner: Boolean = false
        ): Vical {
            val out = PointerByReference()
            check(lib.kakunin_vical_verify_with_options(
                vical, SizeT(vical.size.toLong()), anchorsPemOrDer, SizeT(anchorsPemOrDer.size.toLong()),
                nowUnixSeconds, clockSkewSeconds, maxAgeSeconds,
                if (lastIssueId != null) 1.toByte() else 0.toByte(), lastIssueId ?: 0L,
                if (allowContentCommitmentSigner) ALLOW_CONTENT_COMMITMENT_SIGNER else 0, out))
            return Vical(out.value)
        }
    }
}

/** One error: stable code number and name, and a human message. */
data class KakuninError(val code: Int, val name: String?, val message: String)

/** A verified element value, copied out of the result. */
sealed class Value {
    data class Text(val value: String) : Value()
    data class Integer(val value: Long) : Value()
    data class Bool(val value: Boolean) : Value()
    class Bytes(val value: ByteArray) : Value() { override fun toString() = "<${value.size} bytes>" }
    data class Date(val value: String) : Value()
    /** Any other type (array, map, float, …), as JSON. */
    data class Json(val value: String) : Value()
}

data class Element(val namespace: String, val identifier: String, val deviceSigned: Boolean, val value: Value)

/** One document's outcome. Elements and issuer details exist only when it verified. */
data class Document(
    val valid: Boolean,
    /** The docType (for a rejected document: the claimed, unverified one). */
    val docType: String,
    /** "signature", "mac", or null (issuer-only or rejected). */
    val deviceAuth: String?,
    val issuerSubject: String?,
    val elements: List<Element>,
    val errors: List<KakuninError>
) {
    /** An issuer-signed element; never a device-signed (holder-controlled) value of the same name. */
    fun element(namespace: String, identifier: String): Value? =
        elements.firstOrNull { !it.deviceSigned && it.namespace == namespace && it.identifier == identifier }?.value

    /** A device-signed element (signed by the holder's device within the MSO keyAuthorizations). */
    fun deviceElement(namespace: String, identifier: String): Value? =
        elements.firstOrNull { it.deviceSigned && it.namespace == namespace && it.identifier == identifier }?.value
}

/** The answer to "is the holder at least N?" (numbers of kakunin_age_verdict / kakunin_age_evidence). */
data class AgeAnswer(val verdict: Int, val evidence: Int, val evidenceNn: Int) {
    val isAtLeast: Boolean get() = verdict == AT_LEAST
    companion object {
        const val UNKNOWN = 0
        const val AT_LEAST = 1
        const val UNDER = 2
        const val CONTRADICTORY = 3
    }
}

/** A portrait and its kakunin_image_format (1 JPEG, 2 JPEG 2000, 0 unknown). */
class Portrait(val image: ByteArray, val format: Int)

/** A verification result (thread-safe). Close it to free (and wipe) the native copy. */
class Verification internal constructor(p: Pointer) : Handle(p, { lib.kakunin_verification_free(it) }) {
    val isValid: Boolean get() = lib.kakunin_verification_is_valid(ptr) != 0.toByte()

    /** The same JSON as the Rust `Verification::to_json()` and the verify tools. */
    val json: String get() = KView().also { check(lib.kakunin_verification_json(ptr, it)) }.text()

    /** The personal-data-free audit record, as JSON. */
    val auditJson: String get() = KView().also { check(lib.kakunin_verification_audit_json(ptr, it)) }.text()

    /**
     * "Is the holder of verified document `doc`, expected to be of `docType`, at least `years`
     * old?" Unknown for a document of another (or an unregistered) docType.
     */
    fun ageAtLeast(doc: Int, docType: String, years: Int): AgeAnswer {
        val verdict = IntByReference()
        val evidence = IntByReference()
        val nn = IntByReference()
        check(lib.kakunin_verification_document_age_at_least_for_doc_type(
            ptr, SizeT(doc.toLong()), docType, years, verdict, evidence, nn))
        return AgeAnswer(verdict.value, evidence.value, nn.value)
    }

    /** The portrait of verified document `doc` of `docType`, or null when not disclosed. */
    fun portrait(doc: Int, docType: String): Portrait? {
        val image = KView()
        val format = IntByReference()
        val st = lib.kakunin_verification_document_portrait_for_doc_type(ptr, SizeT(doc.toLong()), docType, image, format)
        if (st == Status.NOT_FOUND) return null
        check(st)
        return Portrait(image.bytes(), format.value)
    }

    val errors: List<KakuninError>
        get() = (0 until lib.kakunin_verification_error_count(ptr).toLong()).map { i ->
            val code = IntByReference()
            val msg = KView()
            check(lib.kakunin_verification_error(ptr, SizeT(i), code, msg))
            KakuninError(code.value, lib.kakunin_error_code_str(code.value), msg.text())
        }

    val documents: List<Document>
        get() = (0 until lib.kakunin_verification_document_count(ptr).toLong()).map { document(SizeT(it)) }

    private fun field(doc: SizeT, f: Int): String? {
        val s = KView()
        return if (lib.kakunin_verification_document_field(ptr, doc, f, s) == Status.OK) s.text() else null
    }

    private fun document(doc: SizeT): Document {
        val valid = ByteByReference()
        check(lib.kakunin_verification_document_is_valid(ptr, doc, valid))
        val n = SizeTByReference()
        check(lib.kakunin_verification_document_error_count(ptr, doc, n))
        val errors = (0 until n.value).map { j ->
            val code = IntByReference()
            val msg = KView()
            check(lib.kakunin_verification_document_error(ptr, doc, SizeT(j), code, msg))
            KakuninError(code.value, lib.kakunin_error_code_str(code.value), msg.text())
        }
        val elements = if (valid.value != 0.toByte()) {
            check(lib.kakunin_verification_document_element_count(ptr, doc, n))
            (0 until n.value).map { k ->
                val e = PointerByReference()
                check(lib.kakunin_verification_document_element(ptr, doc, SizeT(k), e))
                element(e.value)
            }
        } else emptyList()
        return Document(valid.value != 0.toByte(), field(doc, 1) ?: "", field(doc, 9), field(doc, 2), elements, errors)
    }

    private fun element(e: Pointer): Element {
        val ns = KView().also { check(lib.kakunin_element_namespace(e, it)) }.text()
        val id = KView().also { check(lib.kakunin_element_identifier(e, it)) }.text()
        val value = when (lib.kakunin_element_type(e)) {
            1 -> Value.Text(KView().also { check(lib.kakunin_element_text(e, it)) }.text())
            2 -> {
                val out = LongByReference()
                if (lib.kakunin_element_int(e, out) == Status.OK) Value.Integer(out.value)
                else Value.Json(KView().also { check(lib.kakunin_element_json(e, it)) }.text())
            }
            3 -> Value.Bool(ByteByReference().also { check(lib.kakunin_element_bool(e, it)) }.value != 0.toByte())
            4 -> Value.Bytes(KView().also { check(lib.kakunin_element_bytes(e, it)) }.bytes())
            5, 6 -> Value.Date(KView().also { check(lib.kakunin_element_date(e, it)) }.text())
            else -> Value.Json(KView().also { check(lib.kakunin_element_json(e, it)) }.text())
        }
        return Element(ns, id, lib.kakunin_element_is_device_signed(e) != 0.toByte(), value)
    }
}

/** Copies and frees an owned `kakunin_buffer`. */
internal fun takeBuffer(b: Pointer): ByteArray {
    try {
        val n = lib.kakunin_buffer_len(b).toInt()
        return lib.kakunin_buffer_data(b)?.getByteArray(0, n) ?: ByteArray(0)
    } finally {
        lib.kakunin_buffer_free(b)
    }
}

/** A DeviceEngagement and the handover it came by (thread-safe). */
class DeviceEngagement private constructor(p: Pointer) : Handle(p, { lib.kakunin_device_engagement_free(it) }) {
    companion object {
        /** From a QR code's `mdoc:` text. */
        fun fromQr(text: String): DeviceEngagement {
            val out = PointerByReference()
            check(lib.kakunin_device_engagement_from_qr(text, out))
            return DeviceEngagement(out.value)
        }

        /** From NFC handover: the Handover Select received and (negotiated handover) the Handover Request sent. */
        fun fromNfcHandover(select: ByteArray, request: ByteArray?): DeviceEngagement {
            val out = PointerByReference()
            check(lib.kakunin_device_engagement_from_nfc_handover(
                select, SizeT(select.size.toLong()), request, SizeT((request?.size ?: 0).toLong()), out))
            return DeviceEngagement(out.value)
        }
    }
}

/** What a received SessionData meant: event 1 response, 2 response + terminated, 3 terminated. */
class SessionEvent(val event: Int, val deviceResponse: ByteArray?)

/**
 * The reader side of a proximity session (not thread-safe). `readerKey` null
 * generates a fresh ephemeral key; a fixed one is for replays and tests.
 */
class ReaderSession(engagement: DeviceEngagement, readerKey: ReaderKey? = null) :
    Handle(open(engagement, readerKey), { lib.kakunin_reader_session_free(it) }) {

    /** SessionEstablishment carrying the first DeviceRequest. */
    fun establish(deviceRequest: ByteArray): ByteArray {
        val out = PointerByReference()
        check(lib.kakunin_reader_session_establish(ptr, deviceRequest, SizeT(deviceRequest.size.toLong()), out))
        return takeBuffer(out.value)
    }

    /** Decrypts a received SessionData. */
    fun receive(sessionData: ByteArray): SessionEvent {
        val event = IntByReference()
        val out = PointerByReference()
        check(lib.kakunin_reader_session_receive(ptr, sessionData, SizeT(sessionData.size.toLong()), event, out))
        return SessionEvent(event.value, out.value?.let { takeBuffer(it) })
    }

    /** The status-20 SessionData that ends the session. */
    fun terminate(): ByteArray {
        val out = PointerByReference()
        check(lib.kakunin_reader_session_terminate(ptr, out))
        return takeBuffer(out.value)
    }

    /** SessionTranscriptBytes. */
    val transcriptBytes: ByteArray get() = KView().also { check(lib.kakunin_reader_session_transcript_bytes(ptr, it)) }.bytes()

    /**
     * Verifies a DeviceResponse of this session (its transcript and reader key), bound to the
     * last DeviceRequest the session sent.
     */
    fun verify(verifier: Verifier, response: ByteArray, nowUnixSeconds: Long): Verification {
        val out = PointerByReference()
        check(lib.kakunin_reader_session_verify_device_response(
            ptr, verifier.ptr, response, SizeT(response.size.toLong()), nowUnixSeconds, out))
        return Verification(out.value)
    }

    /**
     * A DeviceRequest asking `docType` for `elements` (namespace to identifier).
     * `individual_number_unicode` is refused unless `individualNumberPurpose` says why.
     */
    fun deviceRequest(
        docType: String, elements: List<Pair<String, String>>, individualNumberPurpose: String? = null
    ): ByteArray {
        val items = PointerByReference()
        check(lib.kakunin_items_request_new(docType, items))
        val b = lib.kakunin_device_request_builder_new()
        try {
            for ((ns, id) in elements) check(lib.kakunin_items_request_add_element(items.value, ns, id, 0))
            individualNumberPurpose?.let { check(lib.kakunin_items_request_set_individual_number_purpose(items.value, it)) }
            if (b == null) throw KakuninException(Status.PANIC)
            check(lib.kakunin_device_request_builder_add(b, items.value, ptr, null))
            val out = PointerByReference()
            check(lib.kakunin_device_request_builder_build(b, out))
            return takeBuffer(out.value)
        } finally {
            lib.kakunin_device_request_builder_free(b)
            lib.kakunin_items_request_free(items.value)
        }
    }

    private companion object {
        fun open(engagement: DeviceEngagement, readerKey: ReaderKey?): Pointer {
            val out = PointerByReference()
            check(lib.kakunin_reader_session_new(engagement.ptr, readerKey?.ptr, out))
            return out.value
        }
    }
}

/**
 * What an ISO 18013-7 Annex C verifier keeps between sending the request and
 * receiving the answer (holds the HPKE private key; zeroized on close).
 */
class AnnexCState private constructor(p: Pointer) : Handle(p, { lib.kakunin_annex_c_state_free(it) }) {
    /** The state as bytes, for storage between two HTTP calls (contains the private key). */
    fun toBytes(): ByteArray {
        val out = PointerByReference()
        check(lib.kakunin_annex_c_state_to_bytes(ptr, out))
        return takeBuffer(out.value)
    }

    /** Opens and verifies the wallet's `{"response": …}` (or the whole credential). */
    fun verify(verifier: Verifier, responseJson: ByteArray, nowUnixSeconds: Long): Verification {
        val out = PointerByReference()
        check(lib.kakunin_annex_c_verify_response(
            verifier.ptr, ptr, responseJson, SizeT(responseJson.size.toLong()), nowUnixSeconds, out))
        return Verification(out.value)
    }

    companion object {
        internal fun wrap(p: Pointer) = AnnexCState(p)

        /** Restores a state written by [toBytes]. */
        fun fromBytes(bytes: ByteArray): AnnexCState {
            val out = PointerByReference()
            check(lib.kakunin_annex_c_state_from_bytes(bytes, SizeT(bytes.size.toLong()), out))
            return AnnexCState(out.value)
        }

        /** A state from the request JSON the verifier sent, its origin and its HPKE key. */
        fun fromRequest(requestJson: ByteArray, origin: String, key: ReaderKey): AnnexCState {
            val out = PointerByReference()
            check(lib.kakunin_annex_c_state_from_request(requestJson, SizeT(requestJson.size.toLong()), origin, key.ptr, out))
            return AnnexCState(out.value)
        }
    }
}

/** An Annex C request: the `data` JSON for `navigator.credentials.get()` and the state to keep. */
class AnnexCRequest(val dataJson: String, val state: AnnexCState)

/** Online presentations: ISO 18013-7 Annex C (Digital Credentials API) and Apple in-app. */
object Online {
    /**
     * An Annex C request for `docType` / `elements` at `origin` (fresh HPKE key and nonce).
     * `individual_number_unicode` is refused unless `individualNumberPurpose` says why.
     */
    fun annexCRequest(
        docType: String, elements: List<Pair<String, String>>, origin: String, individualNumberPurpose: String? = null
    ): AnnexCRequest {
        val items = PointerByReference()
        check(lib.kakunin_items_request_new(docType, items))
        try {
            for ((ns, id) in elements) check(lib.kakunin_items_request_add_element(items.value, ns, id, 0))
            individualNumberPurpose?.let { check(lib.kakunin_items_request_set_individual_number_purpose(items.value, it)) }
            val data = PointerByReference()
            val state = PointerByReference()
            check(lib.kakunin_annex_c_request_new(arrayOf(items.value), SizeT(1), origin, null, data, state))
            return AnnexCRequest(String(takeBuffer(data.value), StandardCharsets.UTF_8), AnnexCState.wrap(state.value))
        } finally {
            lib.kakunin_items_request_free(items.value)
        }
    }

    /** Opens and verifies Apple's `PKIdentityDocument.encryptedData` (`APPLE-HPKE-v1`). */
    fun verifyAppleEnvelope(
        verifier: Verifier, key: ReaderKey, nonce: ByteArray, merchantId: String, teamId: String,
        envelope: ByteArray, nowUnixSeconds: Long
    ): Verification {
        val out = PointerByReference()
        check(lib.kakunin_apple_verify_envelope(
            verifier.ptr, key.ptr, nonce, SizeT(nonce.size.toLong()), merchantId, teamId,
            envelope, SizeT(envelope.size.toLong()), nowUnixSeconds, out))
        return Verification(out.value)
    }
}
