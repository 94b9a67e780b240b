"""Passwords and tokens: argon2id hashes for passwords, SHA-256 digests for random tokens.

A session cookie and a personal access token are long random strings, so a fast digest is
enough to store them (nothing to guess); a password is chosen by a person, so it is hashed with
argon2id (argon2-cffi's defaults, which follow RFC 9106's recommendations).
"""

from __future__ import annotations

import hashlib
import secrets
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from shakhes.errors import ShakhesError

TOKEN_PREFIX = "shk_"  # noqa: S105 - a prefix, not a secret
"""Every personal access token starts with this, so a leaked one is easy to recognise."""
MIN_PASSWORD = 8
MAX_PASSWORD = 1024


@lru_cache(maxsize=1)
def _hasher() -> PasswordHasher:
    return PasswordHasher()


def check_password_rules(password: str) -> None:
    """Refuse a password too short or too long to be sensible."""
    if len(password) < MIN_PASSWORD:
        raise ShakhesError(
            f"the password is too short ({len(password)} characters)",
            code="weak_password",
            hint=f"Use at least {MIN_PASSWORD} characters; a few random words work well.",
        )
    if len(password) > MAX_PASSWORD:
        raise ShakhesError(
            f"the password is longer than {MAX_PASSWORD} characters",
            code="weak_password",
            hint="Use a shorter password.",
        )


def hash_password(password: str) -> str:
    """The argon2id hash of ``password`` (after :func:`check_password_rules`)."""
    check_password_rules(password)
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Whether ``password`` matches ``password_hash``."""
    if len(password) > MAX_PASSWORD:
        return False
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@lru_cache(maxsize=1)
def dummy_hash() -> str:
    """A hash to verify against when the e-mail is unknown, so that an unknown e-mail takes
    as long to refuse as a wrong password."""
    return _hasher().hash(secrets.token_urlsafe(16))


def new_token(prefix: str = "") -> str:
    """A new random token (256 bits)."""
    return prefix + secrets.token_urlsafe(32)


def digest(token: str) -> str:
    """The SHA-256 of ``token``, as stored."""
    return hashlib.sha256(token.encode()).hexdigest()


def same(a: str, b: str) -> bool:
    """Compare two secrets in constant time."""
    return secrets.compare_digest(a.encode(), b.encode())
