"""Every bomb of bench/validate_bombs.py, in one `syndication validate` run
in its own process: one error verdict per file, exit 1, bounded time,
memory and output, nothing local and no network request in any output."""

from __future__ import annotations

import importlib.util
import json
import time
from pathlib import Path

import pytest

from conftest import ROOT
from syndication.validate_cli import validate_one

_spec = importlib.util.spec_from_file_location("validate_bombs", ROOT / "bench" / "validate_bombs.py")
bombs_mod = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bombs_mod)  # type: ignore[union-attr]


@pytest.fixture(scope="module")
def server():
    srv, base = bombs_mod.serve()
    yield base
    srv.shutdown()
    srv.server_close()


@pytest.fixture(scope="module")
def bombs(tmp_path_factory, server) -> dict[str, Path]:
    return bombs_mod.made_elsewhere(tmp_path_factory.mktemp("bombs"), server)


def test_all_bombs_in_one_run_give_one_error_verdict_each(bombs, tmp_path: Path) -> None:
    before = bombs_mod._Counter.hits
    r = bombs_mod.run(list(bombs.values()), tmp_path / "out.jsonl", fmt="json")
    assert bombs_mod._Counter.hits == before, "a bomb made the validator send a request"
    assert r["exit"] == 1
    assert not r["leaked"]
    assert r["peak_mb"] <= 500
    assert r["seconds"] <= 10 * len(bombs)
    lines = r["output"].splitlines()
    reports = [json.loads(line) for line in lines]
    assert [rep["file"] for rep in reports] == [str(p) for p in bombs.values()]
    assert all(rep["verdict"] == "error" and rep["errors"] for rep in reports), \
        [rep["file"] for rep in reports if rep["verdict"] != "error"]
    assert max(len(line) for line in lines) <= 10 * 1024 * 1024


def test_each_bomb_alone_is_quick_and_its_output_small(bombs) -> None:
    for name, path in bombs.items():
        start = time.perf_counter()
        result = validate_one(str(path), base=None, profile="generic", several=False)
        seconds = time.perf_counter() - start
        text = "\n".join(result.text_lines())
        assert result.errors, name
        assert seconds < 10, (name, seconds)
        assert len(text.encode()) <= 1024 * 1024 + 4096, name
        assert bombs_mod.SECRET not in text, name
