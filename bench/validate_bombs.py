"""Hostile feeds against `syndication validate`: time, memory and output.

    python bench/validate_bombs.py [--json FILE]

Makes every bomb in a temporary directory (entity expansion, external
entities and DTDs, XInclude, a 200 MB file, deep nesting, 50,000 empty
items, 4 million elements, 200,000 attributes, bad encodings, deep, huge and million-item JSON), runs the validator
on each in its own process and then on all of them in one run, and prints,
per bomb: exit code, wall seconds, peak memory (MB), output bytes, whether
the verdict is an error, whether a local secret leaked into the output, and
how many requests reached a local HTTP server the bombs point at. The
targets (issue 13): exit 1, ≤ 10 s, ≤ 500 MB, ≤ 10 MB of output, nothing
leaked, no request; all of them in one run give one verdict each.
``tests/test_validate_bombs.py`` runs the same bombs with a smaller set of
sizes and asserts those targets."""

from __future__ import annotations

import argparse
import http.server
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

SECRET = "TOP-SECRET-LOCAL-CONTENT"
CHANNEL = b"<title>t</title><link>http://example.org/</link><description>d</description>"
RSS_HEAD = b'<?xml version="1.0" encoding="utf-8"?>\n'
JSON_HEAD = b'{"version": "https://jsonfeed.org/version/1.1", "title": "t", "items": ['


def _billion_laughs() -> bytes:
    decls = [b'<!ENTITY lol0 "lol">'] + [b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1)) * 10)
                                         for i in range(1, 10)]
    return (RSS_HEAD + b"<!DOCTYPE rss [" + b"".join(decls) + b']><rss version="2.0"><channel>'
            b"<title>&lol9;</title><link>http://example.org/</link><description>d</description></channel></rss>")


def _quadratic_blowup() -> bytes:
    big = b"x" * 100_000
    return (RSS_HEAD + b'<!DOCTYPE rss [<!ENTITY a "' + big + b'">]><rss version="2.0"><channel>'
            + CHANNEL + b"<copyright>" + b"&a;" * 10_000 + b"</copyright></channel></rss>")


def make_bombs(folder: Path, *, server: str, big_mb: int = 200, items: int = 50_000,
               json_items: int = 1_000_000) -> dict[str, Path]:
    """Write every bomb into ``folder``; ``server`` is an http://host:port
    the network bombs point at (nothing may ever reach it)."""
    folder.mkdir(parents=True, exist_ok=True)
    secret = folder / "secret.txt"
    secret.write_text(SECRET + "\n")
    dtd = folder / "evil.dtd"
    dtd.write_text(f'<!ENTITY x SYSTEM "{secret.as_uri()}"><!ENTITY y "{SECRET}">')
    url, dtd_url = secret.as_uri().encode(), dtd.as_uri().encode()
    bombs: dict[str, bytes | None] = {
        "billion laughs": _billion_laughs(),
        "quadratic blowup": _quadratic_blowup(),
        "external entity (file)": (RSS_HEAD + b'<!DOCTYPE rss [<!ENTITY x SYSTEM "' + url + b'">]>'
                                   b'<rss version="2.0"><channel>' + CHANNEL + b"<copyright>&x;</copyright>"
                                   b"</channel></rss>"),
        "external entity (http)": (RSS_HEAD + b'<!DOCTYPE rss [<!ENTITY x SYSTEM "' + server.encode()
                                   + b'/entity">]><rss version="2.0"><channel>' + CHANNEL
                                   + b"<copyright>&x;</copyright></channel></rss>"),
        "parameter entity": (RSS_HEAD + b'<!DOCTYPE rss [<!ENTITY % p SYSTEM "' + dtd_url + b'"> %p;]>'
                             b'<rss version="2.0"><channel>' + CHANNEL + b"<copyright>&x;&y;</copyright>"
                             b"</channel></rss>"),
        "external dtd (file)": (RSS_HEAD + b'<!DOCTYPE rss SYSTEM "' + dtd_url + b'"><rss version="2.0"><channel>'
                                + CHANNEL + b"<copyright>&x;&y;</copyright></channel></rss>"),
        "external dtd (http)": (RSS_HEAD + b'<!DOCTYPE rss SYSTEM "' + server.encode() + b'/x.dtd">'
                                b'<rss version="2.0"><channel>' + CHANNEL + b"</channel></rss>"),
        "xinclude (file)": (RSS_HEAD + b'<rss version="2.0" xmlns:xi="http://www.w3.org/2001/XInclude"><channel>'
                            + CHANNEL + b'<xi:include href="' + url + b'" parse="text"/></channel></rss>'),
        "xinclude (http)": (RSS_HEAD + b'<feed xmlns="http://www.w3.org/2005/Atom" '
                            b'xmlns:xi="http://www.w3.org/2001/XInclude"><title>t</title>'
                            b"<id>tag:example.org,2025:f</id><updated>2025-11-25T12:00:00Z</updated>"
                            b'<author><name>n</name></author><xi:include href="' + server.encode()
                            + b'/x.xml"/></feed>'),
        "deep nesting (xml)": RSS_HEAD + b'<rss version="2.0">' + b"<a>" * 100_000 + b"</a>" * 100_000 + b"</rss>",
        f"{items} empty items": (RSS_HEAD + b'<rss version="2.0"><channel>' + CHANNEL + b"<item/>" * items
                                 + b"</channel></rss>"),
        f"{items} bad items": (RSS_HEAD + b'<rss version="2.0"><channel>' + CHANNEL
                               + b"<item><pubDate>someday</pubDate><link>no url</link><x/></item>" * items
                               + b"</channel></rss>"),
        "4,000,000 elements": RSS_HEAD + b'<rss version="2.0"><channel>' + CHANNEL + b"<x/>" * 4_000_000
                              + b"</channel></rss>",
        "200,000 attributes": (RSS_HEAD + b'<rss version="2.0"><channel '
                               + b" ".join(b'a%d="1"' % i for i in range(200_000)) + b">" + CHANNEL
                               + b"</channel></rss>"),
        "lying encoding (utf-8 declared, cp1251)": ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0">'
                                                    "<channel><title>Новости</title></channel></rss>"
                                                    ).encode("cp1251"),
        "lying encoding (utf-16 declared)": b'<?xml version="1.0" encoding="utf-16"?><rss version="2.0"/>',
        "unknown encoding": b'<?xml version="1.0" encoding="x-no-such-charset"?><rss version="2.0"/>',
        "invalid utf-8 bytes": RSS_HEAD + b'<rss version="2.0"><channel><title>\xff\xfe\xc3</title></channel></rss>',
        "deep json": b"[" * 100_000 + b"]" * 100_000,
        "deep json object": b'{"a":' * 100_000 + b"1" + b"}" * 100_000,
        "huge json string": JSON_HEAD + b'{"id": "1", "content_text": "' + b"x" * (30 * 1024 * 1024) + b'"}]}',
        f"{json_items} json items": JSON_HEAD + b",".join([b"{}"] * json_items) + b"]}",
        f"{json_items} json numbers": JSON_HEAD + b",".join([b"1"] * json_items) + b"]}",
        f"{big_mb} MB file": None,
    }
    paths: dict[str, Path] = {}
    for i, (name, data) in enumerate(bombs.items()):
        path = folder / f"bomb-{i:02d}.{'json' if 'json' in name else 'xml'}"
        if data is None:  # written in chunks: the generator itself stays small
            chunk = b"<item><title>x</title><description>" + b"y" * 1000 + b"</description></item>\n"
            with path.open("wb") as fh:
                fh.write(RSS_HEAD + b'<rss version="2.0"><channel>' + CHANNEL)
                for _ in range(big_mb * 1024 * 1024 // (len(chunk) * 1024) + 1):
                    fh.write(chunk * 1024)
                fh.write(b"</channel></rss>")
        else:
            path.write_bytes(data)
        paths[name] = path
    return paths


class _Counter(http.server.BaseHTTPRequestHandler):
    hits = 0

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        type(self).hits += 1
        self.send_response(200)
        self.end_headers()
        self.wfile.write(SECRET.encode())

    def log_message(self, *args) -> None:  # quiet
        pass


def serve() -> tuple[http.server.HTTPServer, str]:
    """A local HTTP server that counts the requests it gets."""
    server = http.server.HTTPServer(("127.0.0.1", 0), _Counter)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def made_elsewhere(folder: Path, server: str) -> dict[str, Path]:
    """``make_bombs`` in a child process: a child's peak memory counts its
    parent's at the time of the fork, so the parent stays small."""
    res = subprocess.run([sys.executable, __file__, "--make", str(folder), "--server", server],
                         capture_output=True, text=True, check=True)
    return {name: Path(path) for name, path in json.loads(res.stdout).items()}


#: Runs `python -m syndication ARGS` and, as it exits, writes the process's
#: own peak RSS (VmHWM, kB) to $BOMBS_PEAK_FILE. wait4's ru_maxrss is no
#: measure here: Linux keeps the parent's high-water mark across fork and exec,
#: so a child of a large process (a long pytest session) "peaks" at its size.
_LAUNCHER = """
import atexit, os, runpy, sys
def _peak():
    with open("/proc/self/status") as fh, open(os.environ["BOMBS_PEAK_FILE"], "w") as out:
        out.write(next((line.split()[1] for line in fh if line.startswith("VmHWM:")), ""))
atexit.register(_peak)
sys.argv[0] = "syndication"
runpy.run_module("syndication", run_name="__main__", alter_sys=True)
"""


def run(files: list[Path], out: Path, fmt: str = "text") -> dict[str, object]:
    """`syndication validate` on ``files`` in its own process: exit code,
    wall seconds, peak memory of that process (MB) and output bytes."""
    peak_file = out.with_name(out.name + ".peak")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent), "BOMBS_PEAK_FILE": str(peak_file)}
    start = time.perf_counter()
    with out.open("wb") as fh:
        proc = subprocess.Popen([sys.executable, "-c", _LAUNCHER, "validate", "--format", fmt, "--profile",
                                 "generic", *map(str, files)], stdout=fh, stderr=subprocess.STDOUT, env=env)
        _pid, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    text = out.read_bytes()
    try:
        peak_mb = int(peak_file.read_text()) / 1024
    except (OSError, ValueError):  # no /proc, or killed before atexit: the upper bound
        peak_mb = usage.ru_maxrss / 1024
    return {"exit": proc.returncode, "seconds": round(seconds, 2), "peak_mb": round(peak_mb, 1),
            "output_bytes": len(text), "leaked": SECRET.encode() in text, "output": text}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", type=Path, help="write the figures here")
    ap.add_argument("--make", type=Path, help=argparse.SUPPRESS)  # the child that writes the bombs
    ap.add_argument("--server", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.make:
        bombs = make_bombs(args.make, server=args.server)
        print(json.dumps({name: str(path) for name, path in bombs.items()}))
        return
    server, base = serve()
    rows = {}
    with tempfile.TemporaryDirectory() as tmp:
        bombs = made_elsewhere(Path(tmp) / "bombs", base)
        print(f"{'bomb':<42} {'exit':>4} {'s':>6} {'MB':>7} {'out B':>9} {'leak':>5} {'net':>4}")
        for name, path in bombs.items():
            before = _Counter.hits
            r = run([path], Path(tmp) / "out.txt")
            r["requests"] = _Counter.hits - before
            r["error_verdict"] = b"verdict error" in r.pop("output")  # type: ignore[operator]
            rows[name] = r
            print(f"{name:<42} {r['exit']:>4} {r['seconds']:>6.2f} {r['peak_mb']:>7.1f} {r['output_bytes']:>9} "
                  f"{'yes' if r['leaked'] else 'no':>5} {r['requests']:>4}")
        before = _Counter.hits
        together = run(list(bombs.values()), Path(tmp) / "all.jsonl", fmt="json")
        verdicts = [json.loads(line) for line in together.pop("output").splitlines()]  # type: ignore[union-attr]
        together["requests"] = _Counter.hits - before
        together["verdicts"] = len(verdicts)
        together["error_verdicts"] = sum(1 for v in verdicts if v["verdict"] == "error")
        print(f"{'all ' + str(len(bombs)) + ' in one run':<42} {together['exit']:>4} {together['seconds']:>6.2f} "
              f"{together['peak_mb']:>7.1f} {together['output_bytes']:>9} {'yes' if together['leaked'] else 'no':>5} "
              f"{together['requests']:>4}   {together['error_verdicts']}/{together['verdicts']} error verdicts")
    server.shutdown()
    server.server_close()
    if args.json:
        args.json.write_text(json.dumps({"bombs": rows, "together": together}, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
