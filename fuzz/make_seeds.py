#!/usr/bin/env python3
"""Regenerates fuzz/seeds/<target>/ from tests/data (needs python3-cbor2).

Seeds are the public test vectors (see each tests/data/*/README.md for the
source) and pieces cut out of them, plus a few hand-written CBOR edge cases.
Items taken from inside a structure are re-encoded by cbor2, which is fine
for seeds: they only need to reach the parser, not to verify.
"""
import hashlib
import pathlib
import shutil

import cbor2

ROOT = pathlib.Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
SEEDS = ROOT / "fuzz" / "seeds"


def hexfile(rel):
    return bytes.fromhex((DATA / rel).read_text().strip())


def put(target, name, data):
    d = SEEDS / target
    d.mkdir(parents=True, exist_ok=True)
    (d / name).write_bytes(data)


def tag24_inner(v):
    assert isinstance(v, cbor2.CBORTag) and v.tag == 24, v
    return v.value


def untag(v):
    return v.value if isinstance(v, cbor2.CBORTag) else v


if SEEDS.exists():
    shutil.rmtree(SEEDS)

annex_d = hexfile("iso18013-5-annex-d/device_response.hex")
eudi_mdl = hexfile("eudi-verifier-endpoint/mdl_device_response.hex")
three = hexfile("eudi-verifier-endpoint/three_documents_device_response.hex")
auth0 = hexfile("auth0-mdl-examples/example1_device_response.hex")
issuer_auth = hexfile("iso18013-5-annex-d/issuer_auth.hex")

# --- verify: whole responses that verify (or nearly) in the fixed scenarios.
put("verify", "annex_d_device_response", annex_d)
put("verify", "eudi_mdl_device_response", eudi_mdl)
put("verify", "auth0_example1_device_response", auth0)

# --- device_response: every response / document / IssuerSigned we have.
for rel in [
    "iso18013-5-annex-d/device_response.hex",
    "eudi-verifier-endpoint/three_documents_device_response.hex",
    "eudi-verifier-endpoint/untrusted_mdl_device_response.hex",
    "auth0-mdl-examples/example2_device_response.hex",
    "asitplus-vck-eudi-pid/pid_issuer_signed.hex",
    "sprind-funke-pid/pid_issuer_signed.hex",
    "waltid-iso23220-photoid/photoid_document.hex",
    "iso18013-5-annex-d/session_transcript_bytes.hex",
]:
    put("device_response", rel.split("/")[0].split("-")[0] + "_" + pathlib.Path(rel).stem, hexfile(rel))

# --- cose: COSE_Sign1 / COSE_Mac0 / COSE_Key.
put("cose", "annex_d_issuer_auth", issuer_auth)
put("cose", "annex_d_reader_auth", hexfile("iso18013-5-annex-d/reader_auth.hex"))
dev_auth = cbor2.loads(hexfile("iso18013-5-annex-d/device_auth.hex"))
put("cose", "annex_d_device_mac", cbor2.dumps(dev_auth["deviceMac"]))
eudi_doc = cbor2.loads(eudi_mdl)["documents"][0]
put("cose", "eudi_device_signature", cbor2.dumps(eudi_doc["deviceSigned"]["deviceAuth"]["deviceSignature"]))
put("cose", "annex_d_e_device_cose_key", tag24_inner(cbor2.loads(hexfile("iso18013-5-annex-d/e_device_key_bytes.hex"))))

# --- mso: MobileSecurityObjectBytes and the bare MSO map.
msos = {
    "annex_d": cbor2.loads(issuer_auth),
    "eudi_mdl": eudi_doc["issuerSigned"]["issuerAuth"],
    "sprind_pid": cbor2.loads(hexfile("sprind-funke-pid/pid_issuer_signed.hex"))["issuerAuth"],
}
for name, auth in msos.items():
    payload = untag(auth)[2]
    put("mso", name + "_mso_bytes", payload)
    put("mso", name + "_mso", tag24_inner(cbor2.loads(payload)))

# --- x509: DER, PEM, and x5chain header values (bstr or array of bstr).
for rel in ["ds_cert", "iaca_cert", "reader_cert", "reader_root_cert"]:
    put("x509", rel + ".der", hexfile(f"iso18013-5-annex-d/{rel}.der.hex"))
put("x509", "annex_d_iaca.pem", (DATA / "iso18013-5-annex-d/iaca_cert.pem").read_bytes())
ds = hexfile("iso18013-5-annex-d/ds_cert.der.hex")
iaca = hexfile("iso18013-5-annex-d/iaca_cert.der.hex")
put("x509", "x5chain_bstr", cbor2.dumps(ds))
put("x509", "x5chain_array", cbor2.dumps([ds, iaca]))
eudi_chain = untag(eudi_doc["issuerSigned"]["issuerAuth"])[1][33]
put("x509", "eudi_x5chain", cbor2.dumps(eudi_chain))

# --- cbor: the decoder on real data and on edge cases.
for rel in [
    "iso18013-5-annex-d/device_engagement.hex",
    "iso18013-5-annex-d/session_transcript_bytes.hex",
    "iso18013-5-annex-d/device_request.hex",
    "iso18013-5-annex-d/items_request.hex",
    "iso18013-5-annex-d/driving_privileges.hex",
    "iso18013-5-annex-d/device_auth.hex",
    "iso18013-5-annex-d/issuer_auth.hex",
]:
    put("cbor", pathlib.Path(rel).stem, hexfile(rel))
edge = {
    "non_minimal_map": "b9000161611801",
    "indefinite_array_map": "9f01bf6161f5ff02ff",
    "floats": "83f93c00fa3fc00000fb3ff8000000000000",
    "tags_simple": "84c11a5f5e1000d818430102f7f820",
    "negative_and_big": "823bffffffffffffffff1bffffffffffffffff",
    "nested": "81" * 23 + "a0",
}
for name, h in edge.items():
    put("cbor", name, bytes.fromhex(h))

# --- session: engagement, handover, establishment, SessionData, DeviceRequest.
for rel in [
    "device_engagement",
    "device_engagement_nfc",
    "handover_select",
    "session_establishment",
    "session_data_device_response",
    "session_termination",
    "device_request",
]:
    put("session", rel, hexfile(f"iso18013-5-annex-d/{rel}.hex"))
put("session", "device_engagement_qr", b"mdoc:" + __import__("base64").urlsafe_b64encode(
    hexfile("iso18013-5-annex-d/device_engagement.hex")).rstrip(b"="))

# --- transport: NDEF messages, BLE chunks (length-prefixed), APDUs.
put("transport", "handover_select", hexfile("iso18013-5-annex-d/handover_select.hex"))
put("transport", "handover_request", hexfile("iso18013-5-annex-d/handover_request.hex"))
put("transport", "select_ndef_app_apdu", bytes.fromhex("00a4040007d276000085010100"))
put("transport", "extended_apdu", bytes.fromhex("00c30000000005") + b"hello" + bytes.fromhex("0000"))
msg = hexfile("iso18013-5-annex-d/session_data_device_response.hex")[:300]
chunks = b""
for i in range(0, len(msg), 100):
    part = msg[i:i + 100]
    flag = b"\x00" if i + 100 >= len(msg) else b"\x01"
    chunks += bytes([len(part) + 1]) + flag + part
put("transport", "ble_chunks", chunks)

# NFC engagement, negotiated handover: the tag's response APDUs, each
# prefixed by its length (SELECTs, CC with MLe 0x80, the TNEP Service
# Parameter message, the write acknowledgements, one NLEN = 0 poll, the TNEP
# Status, then the Annex D Handover Select read in 128-byte chunks).
def ndef_short(tnf_type, payload):
    return bytes([0xD1, len(tnf_type), len(payload)]) + tnf_type + payload
ok = bytes.fromhex("9000")
svc = b"urn:nfc:sn:handover"
tp = ndef_short(b"Tp", bytes([0x10, len(svc)]) + svc + bytes.fromhex("0000010400"))
te = ndef_short(b"Te", b"\x00")
hs = hexfile("iso18013-5-annex-d/handover_select.hex")
rapdus = [ok, ok, bytes.fromhex("000f20008000ff0406e1047fff0000") + ok, ok,
          len(tp).to_bytes(2, "big") + ok, tp + ok, ok, bytes(2) + ok,
          len(te).to_bytes(2, "big") + ok, te + ok, ok, len(hs).to_bytes(2, "big") + ok]
rapdus += [hs[i:i + 128] + ok for i in range(0, len(hs), 128)]
put("transport", "tnep_negotiated_handover", b"".join(bytes([len(r)]) + r for r in rapdus))

# --- c_abi: a valid response, a transcript, a PEM anchor, a reader key.
put("c_abi", "annex_d_device_response", annex_d)
put("c_abi", "annex_d_issuer_auth", issuer_auth)
put("c_abi", "session_transcript_bytes", hexfile("iso18013-5-annex-d/session_transcript_bytes.hex"))
put("c_abi", "iaca.pem", (DATA / "iso18013-5-annex-d/iaca_cert.pem").read_bytes())
put("c_abi", "e_reader_key_scalar", hexfile("iso18013-5-annex-d/e_reader_key.d.hex"))

# --- trust_lists: the AAMVA VICAL, DER (CRL-shaped) inputs, a status list.
put("trust_lists", "aamva_vical", hexfile("aamva-vical/aamva_vical_2025-11-18.hex"))
put("trust_lists", "iaca_cert.der", iaca)
put("trust_lists", "status_list_bits", bytes.fromhex("01b9a3"))

# --- online_openid4vp: first byte = mode (0 vp_token, 1 compact JWE,
# 2 Authorization Response, 3 request state); see tests/kit/src/online_openid4vp_harness.rs.
import json  # noqa: E402

jwe_vectors = json.loads((DATA / "jwe/vectors.json").read_text())
for i, case in enumerate(jwe_vectors["cases"][:5]):
    put("online_openid4vp", f"jwe_{i}", b"\x01" + case["compact"].encode())
oid_tok = (DATA / "derived/oid4vp/vp_token_dc_api.json").read_bytes()
put("online_openid4vp", "vp_token_dc_api", b"\x00" + oid_tok)
put("online_openid4vp", "response_direct_post_jwt",
    b"\x02" + (DATA / "derived/oid4vp/response_direct_post_jwt.json").read_bytes())
put("online_openid4vp", "response_plain", b'\x02{"vp_token":' + oid_tok + b"}")
put("online_openid4vp", "response_dc_api_credential",
    b'\x02{"protocol":"openid4vp-v1-unsigned","data":{"vp_token":' + oid_tok + b"}}")
oid_states = {
    "state_direct_post_jwt": {"v": 1, "response_mode": "direct_post.jwt", "nonce": "-n",
                              "client_id": "x509_san_dns:rp.example", "response_uri": "https://rp.example/post",
                              "key": "EUJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkI",
                              "credentials": [{"id": "mdl", "doctype": "org.iso.18013.5.1.mDL"}]},
    "state_dc_api": {"v": 1, "response_mode": "dc_api", "nonce": "n", "origin": "https://rp.example",
                     "credentials": [{"id": "mdl", "doctype": "org.iso.18013.5.1.mDL"}]},
}
for name, st in oid_states.items():
    put("online_openid4vp", name, b"\x03" + json.dumps(st, separators=(",", ":")).encode())

for d in sorted(SEEDS.iterdir()):
    files = sorted(d.iterdir())
    print(f"{d.name}: {len(files)} seeds, {sum(f.stat().st_size for f in files)} bytes")
