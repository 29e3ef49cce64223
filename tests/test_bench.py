"""The benchmark's smoke test: it runs end to end on 1k articles and
prints every figure (the figures themselves are not asserted here)."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import ROOT


def test_benchmark_runs_on_1k_articles(tmp_path):
    out = tmp_path / "figures.json"
    res = subprocess.run([sys.executable, str(ROOT / "bench" / "run.py"), "--sizes", "1000",
                          "--work", str(tmp_path / "work"), "--json", str(out)],
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    for label in ("import", "full build", "feedgen alone", "no-op build", "+10 articles", "validate 50-item",
                  "fetch wordpress (500 posts)"):
        assert label in res.stdout
    figures = json.loads(out.read_text(encoding="utf-8"))
    row = figures["sizes"]["1000"]
    # nothing is written again, but the state when a feed failed (it is retried and its attempt recorded)
    assert row["build_noop"]["files_written"] == (1 if row["build_full"]["failed"] else 0)
    assert row["build_incremental_10"]["closed_pages_written"] == 0
    assert row["build_full"]["bytes_written"] > 0 and row["feedgen_alone"]["bytes_written"] > 0
    fetch = figures["fetch_wordpress"]
    assert fetch["first"]["requests"] >= 2 + 500 // 100 and fetch["first"]["exit"] == 0
    assert fetch["no_change"]["requests"] <= 3
