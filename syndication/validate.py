"""The validator's import path: feed bytes → problems (gates publishing).

The checks live in ``syndication/validation/`` (one module per format, the
extension namespaces, and our reprint policy); this module is the stable
name the pipeline and the CLI import."""

from __future__ import annotations

from .validation import MAX_BYTES, PROFILES, Problem, Profile, check, detect, parse, safe_parser

__all__ = ["check", "parse", "detect", "PROFILES", "Profile", "MAX_BYTES", "safe_parser", "Problem"]
