"""Hostile input: every case gets an error verdict, quickly, in bounded
memory, and nothing from the local file system appears in the output."""

from __future__ import annotations

import json
import resource
from pathlib import Path

import pytest
from click.testing import CliRunner

from syndication import validate
from syndication.validate_cli import validate_cmd

SECRET = "TOP-SECRET-LOCAL-CONTENT"
OK_CHANNEL = b"<title>t</title><link>http://example.org/</link><description>d</description>"


@pytest.fixture
def secret_file(tmp_path: Path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text(SECRET + "\n")
    return path


def _billion_laughs() -> bytes:
    decls = [b'<!ENTITY lol0 "lol">']
    decls += [b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1)) * 10) for i in range(1, 10)]
    return (b'<?xml version="1.0"?><!DOCTYPE rss [' + b"".join(decls) + b']><rss version="2.0"><channel>'
            b"<title>&lol9;</title><link>http://example.org/</link><description>d</description></channel></rss>")


def _cases(secret: Path) -> dict[str, bytes]:
    url = secret.as_uri().encode()
    dtd = secret.with_suffix(".dtd")
    dtd.write_text(f'<!ENTITY x SYSTEM "{secret.as_uri()}"><!ENTITY y "{SECRET}">')
    return {
        "billion laughs": _billion_laughs(),
        "external entity": (b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "' + url + b'">]>'
                            b'<rss version="2.0"><channel><title>&x;</title><link>http://example.org/</link>'
                            b"<description>d</description></channel></rss>"),
        "parameter entity": (b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY % p SYSTEM "' + dtd.as_uri().encode()
                             + b'"> %p;]><rss version="2.0"><channel><title>&x;&y;</title></channel></rss>'),
        "external dtd": (b'<?xml version="1.0"?><!DOCTYPE rss SYSTEM "' + dtd.as_uri().encode() + b'">'
                         b'<rss version="2.0"><channel>' + OK_CHANNEL + b"<copyright>&x;&y;</copyright></channel></rss>"),
        "network dtd": (b'<?xml version="1.0"?><!DOCTYPE rss SYSTEM "http://127.0.0.1:9/x.dtd">'
                        b'<rss version="2.0"><channel>' + OK_CHANNEL + b"</channel></rss>"),
        "deep nesting": b'<rss version="2.0">' + b"<a>" * 100_000 + b"</a>" * 100_000 + b"</rss>",
        "deep json": b"[" * 100_000 + b"]" * 100_000,
        "lying encoding (utf-8 declared, cp1251 bytes)":
            '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Новости</title>'
            "</channel></rss>".encode("cp1251"),
        "lying encoding (utf-16 declared)": b'<?xml version="1.0" encoding="utf-16"?><rss version="2.0"/>',
        "unknown encoding": b'<?xml version="1.0" encoding="x-no-such-charset"?><rss version="2.0"/>',
    }


CASE_NAMES = [
    "billion laughs", "external entity", "parameter entity", "external dtd", "network dtd", "deep nesting",
    "deep json", "lying encoding (utf-8 declared, cp1251 bytes)", "lying encoding (utf-16 declared)",
    "unknown encoding"]


@pytest.mark.parametrize("name", CASE_NAMES)
def test_hostile_input_gets_an_error_and_leaks_nothing(name: str, secret_file: Path) -> None:
    data = _cases(secret_file)[name]
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    _fmt, problems = validate.check(data)
    grown_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert any(p.level == "error" for p in problems), problems
    assert SECRET not in repr(problems)
    assert grown_kib < 200 * 1024


@pytest.mark.parametrize("name", ["external entity", "parameter entity", "external dtd"])
def test_the_cli_never_prints_local_files(name: str, secret_file: Path, tmp_path: Path) -> None:
    feed = tmp_path / "feed.xml"
    feed.write_bytes(_cases(secret_file)[name])
    for fmt in ("text", "json"):
        result = CliRunner().invoke(validate_cmd, ["--format", fmt, "--profile", "generic", str(feed)])
        assert result.exit_code == 1
        assert SECRET not in result.output


def test_a_file_of_hundreds_of_megabytes_is_refused_before_parsing(tmp_path: Path) -> None:
    big = tmp_path / "big.xml"
    chunk = b"<item><title>x</title><description>" + b"y" * 1000 + b"</description></item>\n"
    with big.open("wb") as fh:
        fh.write(b'<?xml version="1.0"?><rss version="2.0"><channel>')
        written = 0
        while written < 300 * 1024 * 1024:
            fh.write(chunk * 1024)
            written += len(chunk) * 1024
        fh.write(b"</channel></rss>")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result = CliRunner().invoke(validate_cmd, ["--format", "json", "--profile", "generic", str(big)])
    grown_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert result.exit_code == 1
    (report,) = [json.loads(line) for line in result.output.splitlines()]
    assert report["errors"][0]["code"] == "unreadable" and "limit" in report["errors"][0]["message"]
    assert grown_kib < 2 * validate.MAX_BYTES // 1024 + 100 * 1024


def test_check_refuses_oversized_bytes() -> None:
    _fmt, problems = validate.check(b" " * (validate.MAX_BYTES + 1))
    assert problems[0].code == "too-large"
