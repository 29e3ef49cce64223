"""Agreement with the W3C Feed Validation Service on its own test suite.

``../shared/conformance/w3c/manifest.tsv`` lists 938 feeds with the
service's verdict (``w3c_verdict``: "error" when it reports at least one
error, "clean" when none). We score each side separately: a file the
service rejects must get at least one error from us, a file it accepts
must get none. The floors only ever go up; they are today's measured
agreement (100% on both sides). The suite is looked for in
``$SYNDICATION_W3C_SUITE``, else in ``shared/conformance/w3c`` beside the
checkout or any folder above it; without it the test fails, it does not
skip."""

from __future__ import annotations

import csv
import os
from collections import defaultdict
from pathlib import Path

import pytest

from syndication import validate

def _suite() -> Path:
    chosen = os.environ.get("SYNDICATION_W3C_SUITE")
    if chosen:
        return Path(chosen)
    for folder in Path(__file__).resolve().parents[1:]:
        candidate = folder / "shared" / "conformance" / "w3c"
        if candidate.is_dir():
            return candidate
    return Path(__file__).resolve().parents[2] / "shared" / "conformance" / "w3c"


W3C = _suite()
MANIFEST = W3C / "manifest.tsv"

#: Share of files the service rejects that we reject too.
ERROR_SIDE_FLOOR = 1.0
#: Share of files the service accepts that we accept too.
CLEAN_SIDE_FLOOR = 1.0


def _rows() -> list[dict[str, str]]:
    with MANIFEST.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def test_agreement_with_the_w3c_service(capsys: pytest.CaptureFixture[str]) -> None:
    if not MANIFEST.is_file():
        pytest.fail(f"the W3C conformance suite is missing: no {MANIFEST} (set SYNDICATION_W3C_SUITE)")
    rows = _rows()
    assert len(rows) >= 900, f"{MANIFEST} lists only {len(rows)} cases"
    agreed = {"error": 0, "clean": 0}
    total = {"error": 0, "clean": 0}
    failures: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        verdict = row["w3c_verdict"]
        _fmt, problems = validate.check((W3C / row["path"]).read_bytes())
        errors = [p for p in problems if p.level == "error"]
        ok = bool(errors) if verdict == "error" else not errors
        total[verdict] += 1
        if ok:
            agreed[verdict] += 1
        else:
            ours = "; ".join(f"{p.code}" for p in errors[:3]) or "no error"
            failures[str(Path(row["path"]).parent)].append(
                f"  {Path(row['path']).name}: w3c {verdict} ({row['w3c_messages']}); ours: {ours}")
    error_side = agreed["error"] / total["error"]
    clean_side = agreed["clean"] / total["clean"]
    with capsys.disabled():
        print(f"\nW3C conformance: error side {agreed['error']}/{total['error']} = {error_side:.1%}, "
              f"clean side {agreed['clean']}/{total['clean']} = {clean_side:.1%}")
        for folder, lines in sorted(failures.items(), key=lambda kv: (-len(kv[1]), kv[0])):
            print(f"{folder}: {len(lines)} disagreement(s)")
            for line in lines:
                print(line)
    assert total["error"] + total["clean"] == len(rows)
    assert error_side >= ERROR_SIDE_FLOOR
    assert clean_side >= CLEAN_SIDE_FLOOR
