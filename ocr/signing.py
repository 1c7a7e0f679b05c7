"""The signature on each digitized record: a small seam the gateway's key ring can replace.

Circular 01/2023/TT-VPCP Art. 8: the digitizing officer signs each electronic copy; integrity is
kept in transfer. With the officer's PKCS#12 file (`--officer-cert`), records carry the officer's
personal signature and certificate; without it, an HMAC-SHA256 under a key derived from the
master key signs them for the installation.
"""

from __future__ import annotations

import base64
import datetime as dt
import hmac
import json
from typing import Any, Protocol

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs12 as pkcs12_format
from cryptography.x509.oid import NameOID

from store.secretbox import SecretBox


class RecordSigner(Protocol):
    algorithm: str
    key_id: str

    def sign(self, payload: bytes) -> str: ...

    def verify(self, payload: bytes, signature: str) -> bool: ...


def canonical_json(value: Any) -> bytes:
    """Sorted keys, no spaces, UTF-8: the exact bytes that are signed."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


class HmacRecordSigner:
    """HS256 over the canonical JSON, keyed by the master key's keyed-hash sub-key."""

    algorithm = "HS256"

    def __init__(self, box: SecretBox, key_id: str = "master") -> None:
        self._box = box
        self.key_id = key_id

    def sign(self, payload: bytes) -> str:
        return self._box.keyed_hash(payload.decode(), domain="digitized-record")

    def verify(self, payload: bytes, signature: str) -> bool:
        return hmac.compare_digest(self.sign(payload), signature)


class SignerCertificateError(ValueError):
    """The officer's key file cannot sign: unreadable, wrong password, expired, unsupported."""


class CertificateRecordSigner:
    """The digitizing officer's personal signature: a private key with its X.509 certificate.

    Circular 01/2023/TT-VPCP Art. 8 asks for the officer's personal digital signature. Vietnamese
    certification authorities hand it out on a token or as a PKCS#12 file (`.p12`, `.pfx`); this
    signer takes the file. EC P-256 keys sign ES256 (ECDSA, SHA-256), RSA keys RS256 (PKCS#1
    v1.5, SHA-256); the signature is base64url of the DER/PKCS#1 bytes. The certificate travels
    with each record, so anyone holding the record can check it; `key_id` is the certificate's
    SHA-256 fingerprint. The chain up to the authority is not checked here.
    """

    def __init__(self, pkcs12: bytes, password: str | None, *, now: dt.datetime | None = None):
        try:
            key, cert, _ = pkcs12_format.load_key_and_certificates(
                pkcs12, password.encode() if password else None
            )
        except ValueError:
            raise SignerCertificateError(
                "cannot open the officer's key file (not PKCS#12, or wrong password)"
            ) from None
        if key is None or cert is None:
            raise SignerCertificateError("the officer's key file holds no key and certificate")
        now = now or dt.datetime.now(dt.UTC)
        if not cert.not_valid_before_utc <= now <= cert.not_valid_after_utc:
            start, end = cert.not_valid_before_utc, cert.not_valid_after_utc
            raise SignerCertificateError(
                "the officer's certificate is not valid now "
                f"(valid {start:%Y-%m-%d} to {end:%Y-%m-%d})"
            )
        if isinstance(key, ec.EllipticCurvePrivateKey) and isinstance(key.curve, ec.SECP256R1):
            self.algorithm = "ES256"
        elif isinstance(key, rsa.RSAPrivateKey) and key.key_size >= 2048:
            self.algorithm = "RS256"
        else:
            raise SignerCertificateError(
                "the officer's key must be EC P-256 or RSA of 2048 bits or more"
            )
        spki = serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        if key.public_key().public_bytes(*spki) != cert.public_key().public_bytes(*spki):
            raise SignerCertificateError("the officer's key does not match its certificate")
        self._key = key
        self.certificate_pem = cert.public_bytes(serialization.Encoding.PEM).decode()
        self.key_id = certificate_key_id(cert)
        self.subject = cert.subject.rfc4514_string()
        names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
        self.common_name = str(names[0].value) if names else self.subject

    def sign(self, payload: bytes) -> str:
        if isinstance(self._key, ec.EllipticCurvePrivateKey):
            raw = self._key.sign(payload, ec.ECDSA(hashes.SHA256()))
        else:
            assert isinstance(self._key, rsa.RSAPrivateKey)
            raw = self._key.sign(payload, padding.PKCS1v15(), hashes.SHA256())
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    def verify(self, payload: bytes, signature: str) -> bool:
        return verify_with_certificate(
            self.certificate_pem, self.algorithm, self.key_id, payload, signature
        )


def certificate_key_id(cert: x509.Certificate) -> str:
    return "sha256:" + cert.fingerprint(hashes.SHA256()).hex()


def verify_with_certificate(
    certificate_pem: str, algorithm: str, key_id: str, payload: bytes, signature: str
) -> bool:
    """Whether `signature` over `payload` was made by the key of this certificate."""
    try:
        cert = x509.load_pem_x509_certificate(certificate_pem.encode())
        raw = base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4))
    except ValueError:
        return False
    if certificate_key_id(cert) != key_id:
        return False
    public = cert.public_key()
    try:
        if algorithm == "ES256" and isinstance(public, ec.EllipticCurvePublicKey):
            public.verify(raw, payload, ec.ECDSA(hashes.SHA256()))
        elif algorithm == "RS256" and isinstance(public, rsa.RSAPublicKey):
            public.verify(raw, payload, padding.PKCS1v15(), hashes.SHA256())
        else:
            return False
    except InvalidSignature:
        return False
    return True
