import pytest

from redzone.errors import IntegrityError, WrongPassphrase
from redzone.security.keys import KdfParams, KeyRing

FAST = {"time_cost": 1, "memory_cost_kib": 8 * 1024, "parallelism": 1}


def test_sealed_value_opens_only_in_its_own_place():
    ring = KeyRing.unlock("a long passphrase", KdfParams.new(**FAST))
    blob = ring.fields.seal("김미옥", "person/RZ-AAAAAA/identity")
    assert "김미옥".encode() not in blob
    assert ring.fields.unseal_text(blob, "person/RZ-AAAAAA/identity") == "김미옥"
    with pytest.raises(IntegrityError, match="RZ-BBBBBB"):
        ring.fields.unseal(blob, "person/RZ-BBBBBB/identity")


def test_a_flipped_bit_is_detected():
    ring = KeyRing.unlock("a long passphrase", KdfParams.new(**FAST))
    blob = bytearray(ring.fields.seal("text", "ctx"))
    blob[-1] ^= 1
    with pytest.raises(IntegrityError):
        ring.fields.unseal(bytes(blob), "ctx")


def test_wrong_passphrase_is_refused_by_the_key_check():
    params = KdfParams.new(**FAST)
    ring = KeyRing.unlock("right passphrase", params)
    with pytest.raises(WrongPassphrase):
        KeyRing.unlock("wrong passphrase", params, ring.keycheck)
    assert KeyRing.unlock("right passphrase", params, ring.keycheck).database_key == ring.database_key


def test_purposes_get_distinct_keys():
    ring = KeyRing.unlock("a long passphrase", KdfParams.new(**FAST))
    assert len({ring.database_key, ring.audit_key, ring.keycheck.encode()}) == 3


@pytest.mark.parametrize("key_length", [16, 32, 64, 65, 100])
def test_digests_are_hmac_sha256_whatever_the_key_length(key_length):
    import hashlib
    import hmac

    from redzone.security.keys import Digester

    key = bytes(range(key_length))
    for data in ("", "김미옥 (synthetic)", "x" * 1000):
        assert Digester(key).digest(data) == hmac.new(key, data.encode(), hashlib.sha256).hexdigest()
        assert Digester(key).digest(data.encode()) == hmac.new(key, data.encode(), hashlib.sha256).hexdigest()


def test_sealed_in_one_call_each_value_opens_in_its_own_place_under_its_own_nonce():
    ring = KeyRing(b"\x05" * 32)
    blobs = ring.fields.seal_many([("김미옥", "person/RZ-AAAAAA/identity"), ("김미옥", "person/RZ-BBBBBB/identity")])
    assert ring.fields.unseal_text(blobs[0], "person/RZ-AAAAAA/identity") == "김미옥"
    assert ring.fields.unseal_text(blobs[1], "person/RZ-BBBBBB/identity") == "김미옥"
    assert blobs[0][1:13] != blobs[1][1:13]  # the nonces
    with pytest.raises(IntegrityError):
        ring.fields.unseal(blobs[0], "person/RZ-BBBBBB/identity")
