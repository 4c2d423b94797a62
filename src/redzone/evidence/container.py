"""The on-disk form of one evidence file: a header and a sequence of sealed chunks.

Threat: a seized laptop or a copied server, whose holder wants to read a survivor's recording,
or to alter, truncate, reorder or swap evidence files without it being noticed. A file that
cannot be read in full, in order, under its own code must never pass as intact.

Mechanism: the plaintext is cut into chunks (1 MiB) and each is sealed with the workspace's
evidence key (AES-256-GCM, random 96-bit nonce, `security/keys.py`). The associated data of
chunk i binds it to its place: ``evidence/<code>/chunk/<i>/<more|last>``. So a flipped byte
fails authentication; moving a chunk changes its index; cutting the file after a chunk leaves
no `last` chunk; adding a chunk after `last` is extra data; the file of another evidence record
opens under the wrong code. The whole file's SHA-256, kept in the database, is checked again
after decryption.

    header  b"RZEVD" + format byte 0x01 + code length (1 byte) + code (ASCII)
    frame   4-byte big-endian word: top bit = last chunk, low 31 bits = length of the sealed
            chunk; then the sealed chunk (Sealer.seal output)

Memory stays bounded by one chunk on the way in and on the way out.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Iterable, Iterator
from typing import BinaryIO

from redzone.errors import IntegrityError
from redzone.security.keys import Sealer

MAGIC = b"RZEVD\x01"
CHUNK_BYTES = 1 << 20
# Far above any chunk we write, low enough that a forged length cannot exhaust memory.
MAX_FRAME_BYTES = (64 << 20) + 64
_LAST = 0x8000_0000


class DamagedEvidence(IntegrityError):
    """An evidence file cannot be read as what it claims to be: altered, cut, reordered or swapped."""

    def __init__(self, code: str, reason: str) -> None:
        self.code = code
        self.reason = reason
        super().__init__(f"evidence {code}: {reason}")


def chunk_context(code: str, index: int, last: bool) -> str:
    return f"evidence/{code}/chunk/{index}/{'last' if last else 'more'}"


def _header(code: str) -> bytes:
    raw = code.encode("ascii")
    if not 0 < len(raw) < 256:
        raise ValueError(f"evidence code {code!r} does not fit the header")
    return MAGIC + bytes([len(raw)]) + raw


def seal_to(sealer: Sealer, code: str, chunks: Iterable[bytes], out: BinaryIO) -> tuple[str, int]:
    """Write the sealed form of `chunks` to `out`; return the plaintext's SHA-256 and size."""
    digest = hashlib.sha256()
    size = 0
    out.write(_header(code))
    index = 0
    pending: bytes | None = None
    for chunk in chunks:
        if not chunk:
            continue
        if pending is not None:  # one chunk of look-ahead tells us which chunk is the last
            _write_frame(out, sealer, code, index, pending, last=False)
            index += 1
        digest.update(chunk)
        size += len(chunk)
        pending = bytes(chunk)
    _write_frame(out, sealer, code, index, pending or b"", last=True)
    return digest.hexdigest(), size


def _write_frame(out: BinaryIO, sealer: Sealer, code: str, index: int, chunk: bytes, *, last: bool) -> None:
    sealed = sealer.seal(chunk, chunk_context(code, index, last))
    out.write(struct.pack(">I", len(sealed) | (_LAST if last else 0)))
    out.write(sealed)


def stored_code(stream: BinaryIO) -> str | None:
    """The code written in a file's header, or None when it is not an evidence file."""
    head = stream.read(len(MAGIC) + 1)
    if len(head) != len(MAGIC) + 1 or head[: len(MAGIC)] != MAGIC:
        return None
    raw = stream.read(head[-1])
    try:
        return raw.decode("ascii") if len(raw) == head[-1] else None
    except UnicodeDecodeError:
        return None


def unseal_from(sealer: Sealer, code: str, stream: BinaryIO) -> Iterator[bytes]:
    """Yield the plaintext chunks of the file sealed for `code`, each authenticated before it is
    yielded; raise DamagedEvidence at the first thing that does not fit."""
    found = stored_code(stream)
    if found is None:
        raise DamagedEvidence(code, "not a Redzone evidence file (header missing or damaged)")
    if found != code:
        raise DamagedEvidence(code, f"the file holds evidence {found} (swapped or misplaced)")
    index = 0
    while True:
        word = stream.read(4)
        if not word:
            raise DamagedEvidence(code, f"truncated: ends after {index} chunk(s) without its last chunk")
        if len(word) != 4:
            raise DamagedEvidence(code, f"truncated inside the header of chunk {index}")
        (value,) = struct.unpack(">I", word)
        last, length = bool(value & _LAST), value & ~_LAST
        if length > MAX_FRAME_BYTES:
            raise DamagedEvidence(code, f"chunk {index} claims an impossible length (damaged)")
        sealed = stream.read(length)
        if len(sealed) != length:
            raise DamagedEvidence(code, f"truncated inside chunk {index}")
        try:
            yield sealer.unseal(sealed, chunk_context(code, index, last))
        except IntegrityError:
            raise DamagedEvidence(
                code, f"chunk {index} fails authentication (altered, reordered or taken from another file)") from None
        if last:
            if stream.read(1):
                raise DamagedEvidence(code, f"extra data after the last chunk ({index})")
            return
        index += 1


def digest_of(sealer: Sealer, code: str, stream: BinaryIO) -> tuple[str, int]:
    """SHA-256 and size of the plaintext, reading the sealed file once in bounded memory."""
    digest = hashlib.sha256()
    size = 0
    for chunk in unseal_from(sealer, code, stream):
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size
