"""Argument types shared by the ``skillmatch`` subcommands."""

from __future__ import annotations

import argparse
import os
import re

__all__ = [
    "BUNDLE_KEY_ENV",
    "bundle_key_from_env",
    "non_negative_int",
    "positive_int",
    "sha256_hex",
]

#: Environment variable holding the HMAC key bundles must be signed with (see
#: :func:`skillmatch.core.bundle.sign_bundle`); read by the command line only.
BUNDLE_KEY_ENV = "SKILLMATCH_BUNDLE_KEY"


def _int_at_least(text: str, low: int) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer >= {low}, got {text!r}") from None
    if value < low:
        raise argparse.ArgumentTypeError(f"expected an integer >= {low}, got {text!r}")
    return value


def positive_int(text: str) -> int:
    """argparse type: an integer >= 1, with a message that repeats the bad value."""
    return _int_at_least(text, 1)


def non_negative_int(text: str) -> int:
    """argparse type: an integer >= 0, with a message that repeats the bad value."""
    return _int_at_least(text, 0)


def sha256_hex(text: str) -> str:
    """argparse type: a sha256 digest, 64 hexadecimal digits (returned in lower case)."""
    if not re.fullmatch(r"[0-9a-fA-F]{64}", text):
        raise argparse.ArgumentTypeError(f"expected 64 hexadecimal digits, got {text!r}")
    return text.lower()


def bundle_key_from_env() -> str | None:
    """The bundle HMAC key from ``$SKILLMATCH_BUNDLE_KEY``, or None when unset or empty."""
    return os.environ.get(BUNDLE_KEY_ENV) or None
