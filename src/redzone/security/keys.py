"""Keys: from one passphrase to every key the workspace uses.

Threat: a laptop seized at a border, or a database server copied or subpoenaed. Nothing at
rest may be readable without the passphrase, and the passphrase itself is never stored.

Mechanism:
1. passphrase --argon2id (salt and cost in the workspace file)--> 32-byte master key. The
   slow KDF is the only defence of a seized laptop against guessing, so its cost is high.
2. master --HKDF-SHA256 with a distinct label--> one subkey per purpose: the SQLCipher page
   key, the sealed-field key, the evidence-file key, the audit-chain key, the de-duplication
   digest key, the search-term digest key (redzone.search, PostgreSQL), the key check.
   A subkey leaked through one purpose says nothing about the others.
3. Sealed values are AES-256-GCM with a random 96-bit nonce and, as associated data, the
   place the value belongs to (e.g. ``person/RZ-7K3D9Q/identity``): a ciphertext copied into
   another row fails to open instead of silently moving an identity.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from dataclasses import dataclass

from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from redzone.errors import ConfigurationError, IntegrityError, WrongPassphrase

SEAL_FORMAT = b"\x01"
NONCE_BYTES = 12
KEY_BYTES = 32


@dataclass(frozen=True)
class KdfParams:
    """Argon2id parameters, stored beside the workspace (they are not secret)."""

    salt: bytes
    time_cost: int = 3
    memory_cost_kib: int = 64 * 1024
    parallelism: int = 2

    @classmethod
    def new(cls, **costs: int) -> KdfParams:
        return cls(salt=os.urandom(16), **costs)

    def to_dict(self) -> dict:
        return {
            "algorithm": "argon2id",
            "salt": base64.b64encode(self.salt).decode(),
            "time_cost": self.time_cost,
            "memory_cost_kib": self.memory_cost_kib,
            "parallelism": self.parallelism,
        }

    @classmethod
    def from_dict(cls, data: dict) -> KdfParams:
        if data.get("algorithm") != "argon2id":
            raise ConfigurationError(f"kdf.algorithm: unsupported {data.get('algorithm')!r}, expected 'argon2id'")
        try:
            params = cls(
                salt=base64.b64decode(data["salt"]),
                time_cost=int(data["time_cost"]),
                memory_cost_kib=int(data["memory_cost_kib"]),
                parallelism=int(data["parallelism"]),
            )
        except (KeyError, ValueError, TypeError) as exc:
            raise ConfigurationError(f"kdf: malformed parameters ({exc.__class__.__name__}: {exc})") from None
        if len(params.salt) < 16 or params.time_cost < 1 or params.memory_cost_kib < 8 * 1024:
            raise ConfigurationError("kdf: parameters too weak (salt ≥ 16 bytes, time_cost ≥ 1, memory ≥ 8 MiB)")
        return params


def derive_master_key(passphrase: str, params: KdfParams) -> bytes:
    if not passphrase:
        raise ConfigurationError("passphrase: must not be empty")
    return hash_secret_raw(
        passphrase.encode("utf-8"),
        params.salt,
        time_cost=params.time_cost,
        memory_cost=params.memory_cost_kib,
        parallelism=params.parallelism,
        hash_len=KEY_BYTES,
        type=Type.ID,
    )


def _subkey(master: bytes, label: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=f"redzone/{label}".encode()).derive(master)


class Sealer:
    """Seals and unseals values with AES-256-GCM bound to where they are stored."""

    def __init__(self, key: bytes) -> None:
        self._aead = AESGCM(key)

    def seal(self, plaintext: bytes | str, context: str) -> bytes:
        data = plaintext.encode("utf-8") if isinstance(plaintext, str) else plaintext
        nonce = os.urandom(NONCE_BYTES)
        return SEAL_FORMAT + nonce + self._aead.encrypt(nonce, data, context.encode())

    def seal_many(self, items: list[tuple[str, str]]) -> list[bytes]:
        """`seal` of each (text, context), their nonces drawn in one read of the system's random source
        (a read per value costs half as much as the encryption): for the bulk paths."""
        nonces = os.urandom(NONCE_BYTES * len(items))
        encrypt = self._aead.encrypt
        return [SEAL_FORMAT + (nonce := nonces[start:start + NONCE_BYTES]) +
                encrypt(nonce, text.encode(), context.encode())
                for start, (text, context) in zip(range(0, len(nonces), NONCE_BYTES), items)]

    def unseal(self, blob: bytes, context: str) -> bytes:
        if not blob or blob[:1] != SEAL_FORMAT or len(blob) < 1 + NONCE_BYTES + 16:
            raise IntegrityError(f"sealed value at {context} is malformed")
        try:
            return self._aead.decrypt(blob[1 : 1 + NONCE_BYTES], bytes(blob[1 + NONCE_BYTES :]), context.encode())
        except InvalidTag:
            raise IntegrityError(f"sealed value at {context} fails authentication (altered or moved)") from None

    def unseal_text(self, blob: bytes, context: str) -> str:
        return self.unseal(blob, context).decode("utf-8")


class Digester:
    """Keyed digests (HMAC-SHA-256) for de-duplication."""

    def __init__(self, key: bytes) -> None:
        # HMAC (RFC 2104) from its two keyed SHA-256 states, each copied per use: what `hmac` computes,
        # without its Python wrapper's calls (half the cost of a short digest, taken per imported row).
        block = hashlib.sha256().block_size
        key = (hashlib.sha256(key).digest() if len(key) > block else key).ljust(block, b"\0")
        self._inner = hashlib.sha256(bytes(byte ^ 0x36 for byte in key))
        self._outer = hashlib.sha256(bytes(byte ^ 0x5C for byte in key))

    def digest(self, data: bytes | str) -> str:
        inner = self._inner.copy()
        inner.update(data.encode("utf-8") if isinstance(data, str) else data)
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.hexdigest()


class KeyRing:
    """Every key of one open workspace, derived from the master key and held only in memory."""

    def __init__(self, master: bytes) -> None:
        self.database_key = _subkey(master, "sqlcipher")
        self.fields = Sealer(_subkey(master, "sealed-fields"))
        self.evidence = Sealer(_subkey(master, "evidence"))
        self.audit_key = _subkey(master, "audit-chain")
        self.digester = Digester(_subkey(master, "digest"))
        self.search_key = _subkey(master, "search")  # keyed digests of search terms (redzone.search)
        self.keycheck = hmac.new(_subkey(master, "keycheck"), b"redzone", hashlib.sha256).hexdigest()

    @classmethod
    def unlock(cls, passphrase: str, params: KdfParams, expected_keycheck: str | None = None) -> KeyRing:
        ring = cls(derive_master_key(passphrase, params))
        if expected_keycheck is not None and not hmac.compare_digest(ring.keycheck, expected_keycheck):
            raise WrongPassphrase()
        return ring

    def digest(self, data: bytes | str) -> str:
        """Keyed digest for de-duplication: equal inputs match, but a guess cannot be checked offline."""
        return self.digester.digest(data)
