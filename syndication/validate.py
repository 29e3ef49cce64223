"""The validator's import path: feed bytes → problems (gates publishing).

The checks live in ``syndication/validation/`` (one module per format, the
extension namespaces, and our reprint policy); this module is the stable
name the pipeline and the CLI import."""

from __future__ import annotations

from .validation import MAX_BYTES, PROFILES, Problem, Profile, check, check_parsed, detect, parse, safe_parser
from .validation.core import MAX_OUTPUT

__all__ = ["check", "check_parsed", "parse", "detect", "PROFILES", "Profile", "MAX_BYTES", "MAX_OUTPUT", "safe_parser", "Problem"]
