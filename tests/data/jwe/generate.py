#!/usr/bin/env python3
"""Generates vectors.json: JWEs made by an independent implementation
(Python jwcrypto, https://github.com/latchset/jwcrypto) for kakunin's
ECDH-ES JWE decryption (RFC 7516 compact, RFC 7518 section 4.6).

    pip install jwcrypto && python3 generate.py > vectors.json

The verifier key is fixed (below); encryptions are randomised (fresh epk and
IV each run), so re-running gives different but equally valid vectors."""
import base64
import json

from importlib.metadata import version

from cryptography.hazmat.primitives.asymmetric import ec
from jwcrypto import jwe, jwk
from jwcrypto.common import json_encode


def b64(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


# A fixed P-256 verifier key: d = 0x11 followed by 31 bytes 0x42.
D = bytes([0x11] + [0x42] * 31)
VERIFIER = jwk.JWK.from_pyca(ec.derive_private_key(int.from_bytes(D, "big"), ec.SECP256R1()))
OTHER = jwk.JWK.generate(kty="EC", crv="P-256")
RSA = jwk.JWK.generate(kty="RSA", size=2048)

PLAINTEXT = json.dumps(
    {"vp_token": {"mdl": ["o2d2ZXJzaW9uYzEuMA"]}}, separators=(",", ":")
).encode()


def encrypt(key, header, plaintext=PLAINTEXT):
    t = jwe.JWE(plaintext, protected=json_encode(header))
    t.add_recipient(key.public() if key.has_private else key)
    return t.serialize(compact=True)


cases = []


def case(name, header, expect, key=VERIFIER, note=""):
    cases.append(
        {
            "name": name,
            "header": header,
            "compact": encrypt(key, header),
            "expect": expect,
            "note": note,
        }
    )


case("ecdh-es a128gcm", {"alg": "ECDH-ES", "enc": "A128GCM"}, "ok")
case("ecdh-es a256gcm", {"alg": "ECDH-ES", "enc": "A256GCM"}, "ok")
case(
    "ecdh-es a256gcm with apu/apv and kid",
    {"alg": "ECDH-ES", "enc": "A256GCM", "apu": b64(b"mdoc-nonce"), "apv": b64(b"verifier-nonce"), "kid": "1"},
    "ok",
)
case("ecdh-es a128gcm with apv only", {"alg": "ECDH-ES", "enc": "A128GCM", "apv": b64(b"Bob")}, "ok")
case("enc A192GCM", {"alg": "ECDH-ES", "enc": "A192GCM"}, "unsupported_algorithm")
case("enc A128CBC-HS256", {"alg": "ECDH-ES", "enc": "A128CBC-HS256"}, "unsupported_algorithm")
case("alg ECDH-ES+A256KW", {"alg": "ECDH-ES+A256KW", "enc": "A256GCM"}, "unsupported_algorithm")
case("alg RSA-OAEP-256", {"alg": "RSA-OAEP-256", "enc": "A256GCM"}, "unsupported_algorithm", key=RSA)
case(
    "encrypted to another key",
    {"alg": "ECDH-ES", "enc": "A256GCM"},
    "jwe_decrypt_failed",
    key=OTHER,
)

print(
    json.dumps(
        {
            "generator": "jwcrypto " + version("jwcrypto"),
            "verifier_private_jwk": json.loads(VERIFIER.export_private()),
            "plaintext": PLAINTEXT.decode(),
            "cases": cases,
        },
        indent=2,
    )
)
