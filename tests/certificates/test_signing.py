import json

import pytest
from gmssl import sm2 as pure_sm2

from certificates import signing

MESSAGE = json.dumps({"holder_name": "张三", "surface": {"住址": "广州市" * 100}}).encode()


@pytest.mark.parametrize("alg", sorted(signing.SIGNERS))
def test_each_signer_signs_and_verifies_and_refuses_a_changed_message(alg):
    signer = signing.signer_for(alg)
    private, public = signer.generate()
    signature = signer.sign(private, public, MESSAGE)
    assert signer.verify(public, MESSAGE, signature)
    assert not signer.verify(public, MESSAGE + b" ", signature)
    _other_private, other_public = signer.generate()
    assert not signer.verify(other_public, MESSAGE, signature)
    assert not signer.verify(public, MESSAGE, b"garbage")


def test_sm2_signatures_cross_verify_with_the_pure_python_implementation():
    signer = signing.SM2Signer()
    private, public = signer.generate()
    pure = pure_sm2.CryptSM2(private_key=private.hex(), public_key=public.hex(), asn1=True)
    pure.public_key = public.hex()  # its constructor strips a leading "04" (1 key in 256)
    # gmssl-pyx (GmSSL, C) signs; pure-Python gmssl verifies with the default user id.
    ours = signer.sign(private, public, MESSAGE)
    assert pure.verify_with_sm3(ours.hex(), MESSAGE)
    # And the other way round.
    theirs = bytes.fromhex(pure.sign_with_sm3(MESSAGE))
    assert signer.verify(public, MESSAGE, theirs)
    assert not signer.verify(public, MESSAGE + b"x", theirs)


def test_none_and_unknown_algorithms_have_no_signer():
    for alg in ("none", "HS256", "RS256", ""):
        with pytest.raises(KeyError):
            signing.signer_for(alg)


def test_canonical_json_is_sorted_compact_and_utf8():
    assert signing.canonical_json({"b": 1, "a": "张"}) == '{"a":"张","b":1}'.encode()


def test_base64url_decoding_accepts_only_the_canonical_encoding():
    data = bytes(range(64))
    text = signing.b64url(data)
    assert signing.b64url_decode(text) == data
    last = text[-1]
    # The last character of 64 bytes carries 2 unused bits: a change there is refused.
    sibling = signing.b64url(data)[:-1] + chr(ord(last) + 1)
    with pytest.raises(signing.MalformedToken):
        signing.b64url_decode(sibling)
