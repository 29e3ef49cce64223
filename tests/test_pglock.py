"""The two-host build lock: a PostgreSQL advisory lock, tested with real
processes against a real PostgreSQL (a private cluster on loopback,
tests/services.py; skipped with the reason where it cannot start). Each
process stands for one cron host: all they share is the database."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
import uuid

import pytest

from syndication.errors import LockHeldError, ServiceUnavailable
from syndication.pglock import AdvisoryLock, _split, lock_key

#: One host's build: take the lock (argv: dsn, target, wait seconds or "-"),
#: say so, hold it until stdin closes (or for argv[4] seconds).
HOST = r"""
import sys, time
from syndication.errors import SyndicationError
from syndication.pglock import AdvisoryLock
dsn, target, wait = sys.argv[1], sys.argv[2], sys.argv[3]
hold = float(sys.argv[4]) if len(sys.argv) > 4 else None
try:
    with AdvisoryLock(dsn, target, wait=wait != "-", timeout=0 if wait == "-" else float(wait)) as lock:
        print("locked", lock.holder, flush=True)
        if hold is None:
            sys.stdin.read()
        else:
            time.sleep(hold)
except SyndicationError as exc:
    print(exc, file=sys.stderr)
    sys.exit(exc.exit_code)
"""


def host(dsn: str, target: str, wait: str = "-", hold: float | None = None) -> subprocess.Popen:
    args = [sys.executable, "-c", HOST, dsn, target, wait] + ([str(hold)] if hold is not None else [])
    return subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def holding(dsn: str, target: str) -> subprocess.Popen:
    proc = host(dsn, target)
    line = proc.stdout.readline()
    assert line.startswith("locked"), f"the first host did not get the lock: {line!r} {proc.stderr.read()}"
    return proc


def finish(proc: subprocess.Popen, timeout: float = 30) -> tuple[int, str, str]:
    """Close the host's stdin (a holder then lets go) and collect it."""
    if proc.stdin is not None:
        proc.stdin.close()
        proc.stdin = None
    out, err = proc.communicate(timeout=timeout)
    return proc.returncode, out, err


@pytest.fixture
def target() -> str:
    return f"s3://feeds/{uuid.uuid4().hex}"


def test_second_host_exits_75_naming_the_first(postgres, target) -> None:
    first = holding(postgres.dsn, target)
    try:
        started = time.monotonic()
        code, out, err = finish(host(postgres.dsn, target))
        assert code == 75 and out == ""
        assert f"syndication build pid {first.pid} on " in err and target in err
        assert time.monotonic() - started < 10, "a held lock is refused at once, not waited for"
    finally:
        assert finish(first)[0] == 0


def test_wait_waits_until_the_holder_is_done(postgres, target) -> None:
    first = holding(postgres.dsn, target)
    second = host(postgres.dsn, target, wait="60")
    time.sleep(2)
    assert second.poll() is None, "--wait returned while the lock was held"
    assert finish(first)[0] == 0
    code, out, err = finish(second)
    assert code == 0 and out.startswith("locked"), err


def test_wait_is_bounded(postgres, target) -> None:
    first = holding(postgres.dsn, target)
    try:
        started = time.monotonic()
        code, _, err = finish(host(postgres.dsn, target, wait="2"))
        assert code == 75 and "after waiting 2 s" in err
        assert 1.5 < time.monotonic() - started < 20
    finally:
        finish(first)


def test_a_killed_holder_releases_the_lock(postgres, target) -> None:
    first = holding(postgres.dsn, target)
    first.send_signal(signal.SIGKILL)
    first.wait(10)
    finish(first)
    second = host(postgres.dsn, target, wait="20")  # the server notices the closed socket at once
    code, out, err = finish(second)
    assert code == 0 and out.startswith("locked"), err


def test_of_hosts_started_together_exactly_one_builds(postgres, target) -> None:
    procs = [host(postgres.dsn, target, hold=3) for _ in range(4)]
    results = [finish(proc) for proc in procs]
    assert sorted(code for code, _, _ in results) == [0, 75, 75, 75], [err for _, _, err in results]


def test_other_targets_are_not_blocked(postgres, target) -> None:
    first = holding(postgres.dsn, target)
    try:
        with AdvisoryLock(postgres.dsn, target + "-other") as other:
            assert other.still_held()
        with pytest.raises(LockHeldError):
            with AdvisoryLock(postgres.dsn, target):
                pass
    finally:
        finish(first)
    with AdvisoryLock(postgres.dsn, target) as lock:  # released by the first host's exit
        assert lock.still_held()
    assert not lock.still_held()


def test_a_lost_session_is_noticed(postgres, target) -> None:
    import psycopg

    with AdvisoryLock(postgres.dsn, target) as lock:
        assert lock.still_held()
        classid, objid = _split(lock_key(target))
        with psycopg.connect(postgres.dsn, autocommit=True) as admin:
            (pid,) = admin.execute("SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND classid = %s"
                                   " AND objid = %s", (classid, objid)).fetchone()
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        assert not lock.still_held(), "a build must learn that its lock went with its session"
        with AdvisoryLock(postgres.dsn, target) as again:  # another host may now take it
            assert again.still_held()


def test_an_unreachable_server_is_75_without_the_password() -> None:
    import services

    (port,) = services.free_ports(1)
    dsn = f"postgresql://syndication:s3cret-pw@127.0.0.1:{port}/feeds?connect_timeout=3"
    with pytest.raises(ServiceUnavailable) as exc:
        with AdvisoryLock(dsn, "s3://feeds/x"):
            pass
    assert exc.value.exit_code == 75 and "s3cret-pw" not in str(exc.value)


def test_keys_are_stable_and_fit_a_bigint() -> None:
    assert lock_key("s3://feeds/a") == lock_key("s3://feeds/a/") != lock_key("s3://feeds/b")
    for name in ("", "/var/www/feeds", "s3://b/p" * 100):
        assert -2**63 <= lock_key(name) < 2**63
        high, low = _split(lock_key(name))
        assert 0 <= high < 2**32 and 0 <= low < 2**32 and ((high << 32) | low) == lock_key(name) & (2**64 - 1)


#: One cron host as the pipeline will run it once wired: the lock, then the
#: publish of a built directory to object storage. argv: dsn, s3 url, out dir,
#: wait seconds or "-", seconds to pause after each object PUT.
PUBLISHING_HOST = r"""
import sys, time
from pathlib import Path
from syndication.errors import SyndicationError
from syndication.objectstore import ObjectTarget, publish_directory
from syndication.pglock import AdvisoryLock
dsn, url, out, wait, pause = sys.argv[1:6]
try:
    with AdvisoryLock(dsn, url, wait=wait != "-", timeout=0 if wait == "-" else float(wait)):
        print("locked", flush=True)
        target = ObjectTarget.from_url(url)
        def after_put(**kwargs):
            print("put", flush=True)
            time.sleep(float(pause))
        target.client.meta.events.register("after-call.s3.PutObject", after_put)
        report = publish_directory(Path(out), target)
        print("published", len(report.uploaded), flush=True)
except SyndicationError as exc:
    print(exc, file=sys.stderr)
    sys.exit(exc.exit_code)
"""


def publishing_host(postgres, seaweedfs, url: str, out, wait: str = "-", pause: float = 0.0) -> subprocess.Popen:
    import os

    return subprocess.Popen([sys.executable, "-c", PUBLISHING_HOST, postgres.dsn, url, str(out), wait, str(pause)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, **seaweedfs.env})


def test_two_hosts_one_publishes_and_a_killed_one_is_repaired_by_the_other(postgres, seaweedfs, sample_build):
    """Two hosts share a PostgreSQL server and a bucket. Started together,
    exactly one publishes. Then one is killed (-9) mid-upload while the other
    waits for the lock: the other takes over and the bucket ends up holding
    exactly the build, byte for byte."""
    from syndication.objectstore import directory_files

    files = directory_files(sample_build)
    bucket = seaweedfs.create_bucket(f"hosts-{uuid.uuid4().hex[:12]}")
    url = f"s3://{bucket}/feeds"

    hosts = [publishing_host(postgres, seaweedfs, url, sample_build, pause=0.02) for _ in range(2)]
    results = [finish(proc, timeout=120) for proc in hosts]
    assert sorted(code for code, _, _ in results) == [0, 75], [err for _, _, err in results]
    winner = next(out for code, out, _ in results if code == 0)
    assert f"published {len(files)}" in winner

    url2 = f"s3://{bucket}/feeds-2"
    first = publishing_host(postgres, seaweedfs, url2, sample_build, pause=0.05)
    assert first.stdout.readline().startswith("locked")
    second = publishing_host(postgres, seaweedfs, url2, sample_build, wait="60")
    puts = 0
    for line in first.stdout:
        puts += line.startswith("put")
        if puts == 11:  # the state mark and 10 objects are up
            first.send_signal(signal.SIGKILL)
            break
    finish(first)
    code, out, err = finish(second, timeout=120)
    assert code == 0, err
    uploaded = int(out.split("published", 1)[1])
    assert 0 < uploaded and uploaded >= len(files) - 10  # what the first host had not finished, at least
    client = seaweedfs.client()
    for prefix in ("feeds", "feeds-2"):
        pages = client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix + "/")
        keys = [obj["Key"] for page in pages for obj in page.get("Contents", [])]
        assert sorted(k[len(prefix) + 1:] for k in keys) == sorted(files)
        for key in keys:
            assert client.get_object(Bucket=bucket, Key=key)["Body"].read() == files[key[len(prefix) + 1:]], key
