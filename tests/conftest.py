"""Shared fixtures. Every test runs in its own empty working directory with
no SYNDICATION_* variables, a fixed clock (``NOW``), and no network but loopback.

Both store engines: every test of the modules in ``STORE_MODULES`` runs twice,
``[sqlite]`` and ``[postgresql]``. In the second, every store the test opens
(``Store(path)``, ``--store path``, the default ./syndication.sqlite3, a
``build --sample``'s temporary store) is a database of its own in a private
PostgreSQL cluster, named after the path: the tests need not know which engine
they run on. ``--stores sqlite|postgresql|both`` (or $SYNDICATION_TEST_STORES)
chooses; the ``[postgresql]`` runs skip, saying why, when the cluster cannot start."""

from __future__ import annotations

import hashlib
import io
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import settings

from syndication import config as config_mod
from syndication import pipeline, sample
from syndication import store as store_mod
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


#: The modules whose tests run on both store engines (the ones that open a store).
STORE_MODULES = frozenset({
    "test_archives", "test_cli", "test_fetch_faults", "test_fetch_pages", "test_fetch_wordpress",
    "test_golden", "test_indexnow", "test_publish", "test_run", "test_store_sources",
})
ENGINES = ("sqlite", "postgresql")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true",
                     help="Rewrite tests/golden/ from the current build (review the diff!).")
    parser.addoption("--stores", choices=("both", *ENGINES), default=os.environ.get("SYNDICATION_TEST_STORES", "both"),
                     help="Store engines the store tests run on (default: both; $SYNDICATION_TEST_STORES).")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "sqlite_only(reason): a test of SQLite itself; skipped on PostgreSQL, saying why")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "store_engine" in metafunc.fixturenames and metafunc.module.__name__ in STORE_MODULES:
        chosen = metafunc.config.getoption("--stores")
        metafunc.parametrize("store_engine", ENGINES if chosen == "both" else (chosen,), indirect=True)


def _pg_spec(pg, path: str | Path, create: bool) -> str:
    """The PostgreSQL database standing for the SQLite file ``path`` (made
    when ``create``; else it exists only if a store was made there before)."""
    import psycopg

    name = "t_" + hashlib.sha256(str(Path(path).absolute()).encode()).hexdigest()[:24]
    if create:
        with psycopg.connect(pg.dsn, autocommit=True) as conn:
            if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is None:
                conn.execute(f'CREATE DATABASE "{name}"')
    return f"postgresql://postgres@127.0.0.1:{pg.port}/{name}"


@pytest.fixture(autouse=True)
def store_engine(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """The engine this test's stores use (see the module docstring)."""
    engine = getattr(request, "param", "sqlite")
    if engine == "postgresql":
        only = request.node.get_closest_marker("sqlite_only")
        if only is not None:
            pytest.skip(f"SQLite only: {only.args[0] if only.args else ''}")
        pg = request.getfixturevalue("postgres")
        opened = Store.__init__

        def on_postgres(self, path, *, create=True):
            opened(self, path if store_mod.is_url(path) else _pg_spec(pg, path, create), create=create)

        monkeypatch.setattr(Store, "__init__", on_postgres)
    return engine


@pytest.fixture
def store_spec(store_engine: str, request: pytest.FixtureRequest):
    """path → what to pass as --store to a subprocess: the path itself, or
    (on PostgreSQL) the URL of its database, made now."""
    if store_engine == "sqlite":
        return str
    pg = request.getfixturevalue("postgres")
    return lambda path: _pg_spec(pg, path, True)


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
def _sample_builds() -> dict[str, Path]:
    return {}


@pytest.fixture
def sample_build(store_engine: str, _sample_builds: dict[str, Path], tmp_path_factory: pytest.TempPathFactory, config):
    """The bundled sample built once per engine at NOW: the out dir."""
    if store_engine not in _sample_builds:
        _sample_builds[store_engine] = _build_sample(tmp_path_factory.mktemp("sample"), config)
    return _sample_builds[store_engine]


def _build_sample(base: Path, config) -> Path:
    from syndication.records import parse_date
    from zoneinfo import ZoneInfo

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


@pytest.fixture
def s3env(seaweedfs, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    """boto3's chain sees the test S3 server's endpoint and key (as a cron
    job's environment would give them, no flag), and no user file."""
    for name, value in seaweedfs.env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    return seaweedfs


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
