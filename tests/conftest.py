"""Shared fixtures. Every test runs in its own empty working directory with
no SYNDICATION_* variables, a fixed clock (``NOW``), and no network but loopback."""

from __future__ import annotations

import io
import os
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import settings

from syndication import config as config_mod
from syndication import pipeline, sample
from syndication.cli import main
from syndication.store import Store

# The same examples on every run: a property test that finds something
# fails here first, never as a flaky CI run. HYPOTHESIS_PROFILE=explore
# draws new examples (run it by hand now and then).
settings.register_profile("ci", derandomize=True, database=None)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

ROOT = Path(__file__).resolve().parents[1]
CONFIG_DIR = ROOT / "config"
GOLDEN = Path(__file__).parent / "golden"
#: The fixed clock of the golden build.
NOW = "2025-11-25T12:00:00+03:00"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true",
                     help="Rewrite tests/golden/ from the current build (review the diff!).")


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("SYNDICATION_CONFIG", raising=False)
    monkeypatch.delenv("SYNDICATION_STORE", raising=False)
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)


@pytest.fixture(scope="session")
def config():
    return config_mod.load(CONFIG_DIR)


@dataclass
class Result:
    code: int
    out: str
    err: str

    @property
    def err_lines(self) -> list[str]:
        return [line for line in self.err.splitlines() if line]


@pytest.fixture
def run(capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch):
    """Run the CLI in-process: run("build", "--out", d) → Result(code, out, err)."""

    def _run(*args: str, stdin: bytes | None = None) -> Result:
        if stdin is not None:
            monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8"))
        with pytest.raises(SystemExit) as exc:
            main(["--config", str(CONFIG_DIR), *[str(a) for a in args]])
        captured = capsys.readouterr()
        return Result(exc.value.code or 0, captured.out, captured.err)

    return _run


def good_record(**overrides) -> dict:
    """A valid record; override fields to make it bad."""
    rec = {
        "id": "t-1",
        "url": "https://ms-news.ru/politika/test-article/",
        "title": "Тестовая статья",
        "lead": "Короткий лид статьи.",
        "body_html": "<p>Первый абзац.</p><p>Второй абзац.</p>",
        "authors": ["Алексей Балиев"],
        "section": "politika",
        "tags": ["тест"],
        "published": "2025-11-20T10:00:00+03:00",
        "updated": None,
        "image": None,
        "status": "publish",
    }
    rec.update(overrides)
    return rec


def jsonl(*records) -> bytes:
    """JSON Lines bytes; a str item is written as the raw line."""
    lines = [r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in records]
    return ("\n".join(lines) + "\n").encode("utf-8")


@pytest.fixture(scope="session")
def sample_build(tmp_path_factory: pytest.TempPathFactory, config):
    """The bundled sample built once at NOW: (out dir, config)."""
    from syndication.records import parse_date
    from zoneinfo import ZoneInfo

    base = tmp_path_factory.mktemp("sample")
    out = base / "public"
    with Store(base / "store.sqlite3") as store:
        with sample.path().open("rb") as fh:
            report = pipeline.import_records(fh, config, store, pytest.fail)
        assert not report.rejected
        now = parse_date(NOW, ZoneInfo(config.site.timezone))
        built = pipeline.build(config, store, out, now, pytest.fail)
    assert not built.feeds_failed
    return out


# --- real services (issue 15): PostgreSQL, SeaweedFS (S3), nginx; see tests/services.py ---

@pytest.fixture(scope="session")
def postgres():
    """A private PostgreSQL cluster on loopback for the session (skips with the reason if it cannot start)."""
    import services

    try:
        pg = services.start_postgres()
    except services.Unavailable as exc:
        pytest.skip(f"PostgreSQL: {exc}")
    print(f"\nPostgreSQL started in {pg.start_seconds:.2f} s on port {pg.port}")
    yield pg
    pg.stop()


@pytest.fixture(scope="session")
def seaweedfs():
    """SeaweedFS's S3 API on loopback for the session (skips with the reason if it cannot start)."""
    import services

    try:
        s3 = services.start_seaweedfs()
    except services.Unavailable as exc:
        pytest.skip(f"SeaweedFS: {exc}")
    print(f"\nSeaweedFS S3 ready in {s3.start_seconds:.2f} s at {s3.endpoint}")
    yield s3
    s3.stop()
