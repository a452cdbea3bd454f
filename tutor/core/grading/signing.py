"""The workshop key and HMAC-SHA256 signatures over a report's canonical JSON, so that
an instructor can tell an untouched report from an edited, unsigned, or foreign one.

The key is shared (learners sign with it), so a signature proves only "made by someone
holding this workshop's key, and not edited since": not "made by docklab", not "made by
this learner", not "done on an engine". Anyone holding the key can write and sign a
report by hand. That is the trade-off of working without a server.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
from enum import Enum
from pathlib import Path

from tutor.core.errors import UsageError

ALG = "hmac-sha256"
MIN_KEY_BYTES = 16
ENV = "DOCKLAB_WORKSHOP_KEY"
_HEX = re.compile("[0-9a-f]{64}")


class BadKey(UsageError):
    """The key cannot be used (missing file, too short): a usage error."""


class SignatureVerdict(Enum):
    VALID = "valid"
    UNSIGNED = "unsigned"
    OTHER_KEY = "signed with another key"
    TAMPERED = "tampered: the signature does not match the content"
    UNVERIFIED = "not verified (no key given)"

    @property
    def counted(self) -> bool:
        """Does a report with this signature count?"""
        return self in (SignatureVerdict.VALID, SignatureVerdict.UNVERIFIED)


def load_key(key_file: str | None) -> bytes | None:
    """The key from --key-file, else $DOCKLAB_WORKSHOP_KEY, else None (no signing)."""
    if key_file:
        try:
            key = Path(key_file).read_bytes().strip()
        except OSError as err:
            raise BadKey(f"cannot read the key file {key_file}: {err.strerror}") from None
        where = key_file
    else:
        key = os.environ.get(ENV, "").strip().encode("utf-8")
        where = ENV
        if not key:
            return None
    if len(key) < MIN_KEY_BYTES:
        raise BadKey(
            f"the workshop key in {where} is too short ({len(key)} bytes, at least {MIN_KEY_BYTES}): "
            "make one with `python3 -c 'import secrets; print(secrets.token_hex(32))' > workshop.key`"
        )
    return key


def key_id(key: bytes) -> str:
    """A short name for the key that reveals nothing of it: tells "another key" from "edited"."""
    return hmac.new(key, b"docklab key id", hashlib.sha256).hexdigest()[:16]


def canonical(report: dict) -> bytes:
    """The bytes that are signed: every field but `signature`, keys sorted, no whitespace,
    ASCII only. Reports hold no floats, so this form is the same in any JSON library."""
    body = {k: v for k, v in report.items() if k != "signature"}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False).encode("ascii")


def sign(report: dict, key: bytes) -> dict:
    """The report with its `signature` field set (the input is not changed)."""
    mac = hmac.new(key, canonical(report), hashlib.sha256).hexdigest()
    return {**report, "signature": {"alg": ALG, "key_id": key_id(key), "value": mac}}


def verify(report: dict, key: bytes | None) -> SignatureVerdict:
    """The signature judged against the content, whatever the signature field holds
    (any type, any text: a crafted one must give a verdict, never an exception)."""
    sig = report.get("signature")
    if key is None:
        return SignatureVerdict.UNVERIFIED
    if sig is None:
        return SignatureVerdict.UNSIGNED
    if not isinstance(sig, dict) or sig.get("alg") != ALG:
        return SignatureVerdict.TAMPERED
    value = sig.get("value")
    if not isinstance(value, str) or not _HEX.fullmatch(value):
        return SignatureVerdict.TAMPERED  # compare_digest refuses non-ASCII text: check the form first
    expected = hmac.new(key, canonical(report), hashlib.sha256).hexdigest()
    if hmac.compare_digest(expected.encode("ascii"), value.encode("ascii")):
        return SignatureVerdict.VALID
    return SignatureVerdict.OTHER_KEY if sig.get("key_id") != key_id(key) else SignatureVerdict.TAMPERED
