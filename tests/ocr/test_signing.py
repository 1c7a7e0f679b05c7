"""The officer's personal signature on digitized records: PKCS#12 key files, ES256 and RS256."""

from __future__ import annotations

import datetime as dt

import pytest

from ocr.signing import CertificateRecordSigner, SignerCertificateError, verify_with_certificate
from tests.support.certs import PASSWORD, officer_p12

PAYLOAD = b'{"document_key":"ab","fields":{"full_name":{"value":"L\xc3\x8a HOA"}}}'


@pytest.mark.parametrize(("kind", "algorithm"), [("ec", "ES256"), ("rsa", "RS256")])
def test_the_officer_signs_and_anyone_with_the_record_verifies(kind: str, algorithm: str) -> None:
    signer = CertificateRecordSigner(officer_p12(kind=kind), PASSWORD)
    assert (signer.algorithm, signer.common_name) == (algorithm, "Trần Thị Số Hóa")
    assert signer.key_id.startswith("sha256:") and len(signer.key_id) == 71
    signature = signer.sign(PAYLOAD)
    assert signer.verify(PAYLOAD, signature)
    pem, key_id = signer.certificate_pem, signer.key_id
    assert verify_with_certificate(pem, algorithm, key_id, PAYLOAD, signature)
    assert not verify_with_certificate(pem, algorithm, key_id, PAYLOAD + b" ", signature)
    assert not verify_with_certificate(pem, algorithm, key_id, PAYLOAD, signature[:-4] + "AAAA")
    assert not verify_with_certificate(pem, "HS256", key_id, PAYLOAD, signature)


def test_another_certificate_cannot_stand_in_for_the_signers() -> None:
    officer = CertificateRecordSigner(officer_p12(), PASSWORD)
    forger = CertificateRecordSigner(officer_p12("Kẻ Giả Mạo"), PASSWORD)
    forged = forger.sign(PAYLOAD)
    # The forger's certificate with the officer's key id: the fingerprint does not match.
    assert not verify_with_certificate(
        forger.certificate_pem, "ES256", officer.key_id, PAYLOAD, forged
    )
    assert not verify_with_certificate(
        officer.certificate_pem, "ES256", officer.key_id, PAYLOAD, forged
    )


def test_a_wrong_password_an_expired_certificate_and_garbage_are_refused_clearly() -> None:
    with pytest.raises(SignerCertificateError, match="wrong password"):
        CertificateRecordSigner(officer_p12(), "not-the-password")
    with pytest.raises(SignerCertificateError, match="not PKCS#12"):
        CertificateRecordSigner(b"-----BEGIN NOTHING-----", PASSWORD)
    old = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    with pytest.raises(SignerCertificateError, match="not valid now"):
        CertificateRecordSigner(officer_p12(valid_from=old, days=30), PASSWORD)


def test_the_password_is_never_part_of_an_error_message() -> None:
    with pytest.raises(SignerCertificateError) as raised:
        CertificateRecordSigner(officer_p12(password="bí-mật-9"), "bí-mật-sai")
    assert "bí-mật" not in str(raised.value)
