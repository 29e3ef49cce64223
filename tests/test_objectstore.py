"""Publishing to object storage, against a real S3 API: SeaweedFS on loopback
(tests/services.py; skipped with the reason where it cannot start).

Credentials and the endpoint reach boto3 only through its own environment
variables, as they would from a cron job. Requests are counted with botocore's
event hooks on the target's own client: what is counted is what went out."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from collections import Counter
from pathlib import Path

import pytest

from syndication.errors import ServiceUnavailable, UnsafePathError, UsageError
from syndication.objectstore import (LAST, ObjectTarget, S3Location, s3_client, directory_files,
                                     publish_directory)
from syndication.serve import content_type

from conftest import CONFIG_DIR, NOW

#: An earlier state of the same site (with archive pages, a later clock changes no file of the sample).
EARLIER = "2025-07-01T12:00:00+03:00"


def build(out: Path, now: str) -> dict[str, bytes]:
    subprocess.run([sys.executable, "-m", "syndication", "build", "--sample", "--out", str(out), "--now", now],
                   check=True, timeout=120, env={**os.environ, "SYNDICATION_CONFIG": str(CONFIG_DIR)})
    return directory_files(out)


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The sample built at NOW (A) and months earlier (B): two versions of one site."""
    base = tmp_path_factory.mktemp("objectstore")
    build(base / "a", NOW)
    build(base / "b", EARLIER)
    return base / "a", base / "b"


@pytest.fixture(scope="session")
def _bucket(seaweedfs) -> str:
    return seaweedfs.create_bucket("feeds-tests")  # SeaweedFS grows volumes per bucket: one for all


@pytest.fixture
def bucket(s3env, _bucket) -> str:
    return _bucket


@pytest.fixture
def prefix() -> str:
    """Each test publishes under its own prefix."""
    return f"feeds-{uuid.uuid4().hex[:12]}"


def calls(target: ObjectTarget) -> list[tuple[str, str]]:
    """Every request the target's client makes from now on: (operation, key)."""
    seen: list[tuple[str, str]] = []

    def hook(params, model, **kwargs):
        seen.append((model.name, params.get("Key", "")))

    target.client.meta.events.register("before-parameter-build.s3.*", hook)
    return seen


def bucket_contents(s3env, bucket: str, prefix: str, client=None) -> dict[str, bytes]:
    client = client or s3env.client()
    out = {}
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix + "/"):
        for obj in page.get("Contents", []):
            out[obj["Key"][len(prefix) + 1:]] = client.get_object(Bucket=bucket, Key=obj["Key"])["Body"].read()
    return out


def test_publish_is_the_directory_build_byte_for_byte(builds, s3env, bucket, prefix) -> None:
    a, _ = builds
    files = directory_files(a)
    assert len(files) > 60 and not any(rel.startswith(".") or "/." in rel for rel in files)
    target = ObjectTarget.from_url(f"s3://{bucket}/{prefix}")
    seen = calls(target)
    report = publish_directory(a, target)

    assert sorted(report.uploaded) == sorted(files) and not report.deleted and not report.unchanged
    assert report.uploaded[-2:] == list(LAST), "feeds.opml and feeds.html go last"
    puts = [key for op, key in seen if op == "PutObject"]
    assert puts[0] == puts[-1] == f".syndication/{prefix}.state.json", "the state: marked before, recorded after"
    assert puts[1:-1] == [f"{prefix}/{rel}" for rel in report.uploaded]
    assert bucket_contents(s3env, bucket, prefix) == files

    client = s3env.client()
    for rel in ("rss.xml", "politika/atom-full.xml", "feed.json", "feeds.opml", "feed.xsl", "feed.css", "feeds.html"):
        head = client.head_object(Bucket=bucket, Key=f"{prefix}/{rel}")
        assert head["ContentType"] == content_type(Path(rel).name, files[rel])
        assert "charset=utf-8" in head["ContentType"]
        assert head["CacheControl"] == "public, max-age=300"
    assert client.head_object(Bucket=bucket, Key=f"{prefix}/feed.xsl")["ContentType"].startswith("application/xslt+xml")
    assert client.head_object(Bucket=bucket, Key=f"{prefix}/politika/atom.xml")["ContentType"].startswith(
        "application/atom+xml")
    # the state is not under the public prefix
    assert not any(key.startswith(".") for key in bucket_contents(s3env, bucket, prefix))


def test_republish_with_nothing_new_uploads_nothing(builds, s3env, bucket, prefix) -> None:
    a, _ = builds
    publish_directory(a, ObjectTarget.from_url(f"s3://{bucket}/{prefix}"))
    target = ObjectTarget.from_url(f"s3://{bucket}/{prefix}")
    seen = calls(target)
    report = publish_directory(a, target)
    assert report.uploaded == [] and report.deleted == [] and report.state_writes == 0
    assert len(report.unchanged) == len(directory_files(a))
    assert seen == [("GetObject", f".syndication/{prefix}.state.json")], "one GET of the state, nothing else"


def test_a_changed_file_is_one_upload(builds, s3env, bucket, prefix) -> None:
    a, _ = builds
    files = dict(directory_files(a))
    ObjectTarget.from_url(f"s3://{bucket}/{prefix}").publish(files)
    files["politika/rss.xml"] = files["politika/rss.xml"].replace(b"</channel>", b"<!-- edited --></channel>")
    target = ObjectTarget.from_url(f"s3://{bucket}/{prefix}")
    seen = calls(target)
    report = target.publish(files)
    assert report.uploaded == ["politika/rss.xml"] and report.state_writes == 2
    assert Counter(op for op, _ in seen) == {"GetObject": 1, "PutObject": 3}
    assert bucket_contents(s3env, bucket, prefix)["politika/rss.xml"] == files["politika/rss.xml"]


def test_stale_objects_are_deleted_after_the_new_ones_are_in_place(builds, s3env, bucket, prefix) -> None:
    a, b = builds
    old, new = directory_files(a), dict(directory_files(b))
    ObjectTarget.from_url(f"s3://{bucket}/{prefix}").publish(old)
    gone_archive = next(rel for rel in old if "/archive/" in rel and rel in new)
    del new[gone_archive]  # a month whose articles were all withdrawn
    new["extra/rss.xml"] = new["rss.xml"]
    del new["politika/rss-full.xml"]  # ... and a feed that failed its check this time: kept
    target = ObjectTarget.from_url(f"s3://{bucket}/{prefix}")
    seen = calls(target)
    report = target.publish(new, keep={"politika/rss-full.xml"})

    assert report.deleted == sorted(set(old) - set(new) - {"politika/rss-full.xml"})
    assert gone_archive in report.deleted
    ops = [op for op, _ in seen]
    first_delete = ops.index("DeleteObject")
    assert "PutObject" not in ops[first_delete:-1], "every upload comes before the first delete"
    assert seen[-1] == ("PutObject", f".syndication/{prefix}.state.json")
    contents = bucket_contents(s3env, bucket, prefix)
    assert contents == {**new, "politika/rss-full.xml": old["politika/rss-full.xml"]}


PUBLISHER = r"""
import os, signal, sys
from syndication.objectstore import ObjectTarget, publish_directory
target = ObjectTarget.from_url(sys.argv[2])
def after_put(http_response, parsed, model, **kwargs):
    print("put", flush=True)
target.client.meta.events.register("after-call.s3.PutObject", after_put)
report = publish_directory(__import__("pathlib").Path(sys.argv[1]), target)
print("done", len(report.uploaded), flush=True)
"""


def test_kill_9_mid_upload_leaves_every_object_whole_and_the_next_publish_converges(
        builds, s3env, bucket, prefix, tmp_path: Path) -> None:
    a, b = builds
    old, new = directory_files(a), directory_files(b)
    changed = {rel for rel in new if old.get(rel) != new[rel]}
    assert len(changed) > 20, "the two builds must differ in many files for this test to mean anything"
    url = f"s3://{bucket}/{prefix}"
    publish_directory(a, ObjectTarget.from_url(url))

    # kill -9 while B is being uploaded: after the state was marked and a few objects went up
    with subprocess.Popen([sys.executable, "-c", PUBLISHER, str(b), url], stdout=subprocess.PIPE, text=True) as proc:
        puts = 0
        for line in proc.stdout:
            puts += line.startswith("put")
            if puts == 6:  # 1 state mark + 5 objects; the 6th object is on its way
                proc.send_signal(signal.SIGKILL)
                break
        proc.wait(30)
    assert proc.returncode == -signal.SIGKILL, "the publisher finished before it could be killed"

    torn = bucket_contents(s3env, bucket, prefix)
    for rel, data in torn.items():
        assert data in (old.get(rel), new.get(rel)), f"{rel}: neither the old nor the new bytes"
    assert any(rel in changed and data == new[rel] for rel, data in torn.items()), "nothing of B went up"
    assert any(rel in changed and data == old.get(rel) for rel, data in torn.items()), "B went up whole"

    # The next run may build either version; both converge. A (the old one)
    # is the hard case: the state still vouched for A's bytes before the kill.
    report = publish_directory(a, ObjectTarget.from_url(url))
    assert bucket_contents(s3env, bucket, prefix) == old
    assert {rel for rel, data in torn.items() if data != old.get(rel)} <= set(report.uploaded) | set(report.deleted)
    assert {rel for rel in torn if rel not in old} <= set(report.deleted), "B's new objects went away"
    publish_directory(b, ObjectTarget.from_url(url))
    assert bucket_contents(s3env, bucket, prefix) == new
    again = publish_directory(b, ObjectTarget.from_url(url))
    assert again.uploaded == [] and again.deleted == []


def test_failures_are_target_unavailable_and_never_show_the_secret(builds, s3env, bucket, prefix, monkeypatch) -> None:
    a, _ = builds
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "wrong-secret-do-not-print")
    with pytest.raises(ServiceUnavailable) as exc:
        publish_directory(a, ObjectTarget.from_url(f"s3://{bucket}/{prefix}"))
    assert exc.value.exit_code == 75 and "wrong-secret" not in str(exc.value)
    assert f"s3://{bucket}/.syndication/{prefix}.state.json" in str(exc.value)

    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # nothing listens on the discard port
    target = ObjectTarget.from_url(f"s3://{bucket}/{prefix}")
    target.client.meta.config.retries = {"max_attempts": 1}
    with pytest.raises(ServiceUnavailable, match="GetObject|get_object"):
        target.publish({"rss.xml": b"<rss/>"})


def test_endpoint_url_argument_wins_over_the_environment(builds, s3env, bucket, prefix, monkeypatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    target = ObjectTarget.from_url(f"s3://{bucket}/{prefix}", endpoint_url=s3env.endpoint)
    assert target.publish({"rss.xml": b"<rss/>"}).uploaded == ["rss.xml"]


def test_locations_that_would_publish_the_state_or_escape_are_refused() -> None:
    client = object()  # never called: these fail before any request
    with pytest.raises(UsageError, match="root"):
        ObjectTarget.from_url("s3://feeds", client=client)
    with pytest.raises(UsageError, match="public"):
        ObjectTarget.from_url("s3://feeds/pub", state_url="s3://feeds/pub/state.json", client=client)
    with pytest.raises(UsageError, match="public"):
        ObjectTarget.from_url("s3://feeds", state_url="s3://feeds/state.json", client=client)
    ok = ObjectTarget.from_url("s3://feeds", state_url="s3://private/state.json", client=client)
    assert ok.state_location == S3Location("private", "state.json")
    for bad in ("http://feeds/x", "s3:///x", "s3://feeds/a/../b", "s3://feeds/a//b", "s3://feeds/x?y=1"):
        with pytest.raises(UsageError):
            S3Location.parse(bad)
    target = ObjectTarget.from_url("s3://feeds/pub", client=client)
    for rel in ("../x.xml", "/abs.xml", "a//b.xml", "a\\b.xml", "./x.xml"):
        with pytest.raises(UnsafePathError):
            target.publish({rel: b"x"})


def test_any_sequence_of_publishes_leaves_exactly_the_last_one(s3env, bucket) -> None:
    """Property: whatever files come and go between builds, after each publish
    the prefix holds exactly that build's files, and publishing it again
    uploads and deletes nothing."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    names = st.sampled_from(["rss.xml", "atom.xml", "feed.json", "feeds.opml", "feeds.html", "feed.xsl",
                             "politika/rss.xml", "politika/archive/2025-10/rss-full.xml", "partners/dzen.xml"])
    builds = st.lists(st.dictionaries(names, st.binary(max_size=600), max_size=9), min_size=1, max_size=3)

    client = s3_client(None)  # boto3's chain: the environment s3env set; one client, made once
    reader = s3env.client()

    @settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(builds)
    def check(sequence: list[dict[str, bytes]]) -> None:
        prefix = f"prop-{uuid.uuid4().hex[:12]}"
        for files in sequence:
            report = ObjectTarget.from_url(f"s3://{bucket}/{prefix}", client=client).publish(files)
            assert bucket_contents(s3env, bucket, prefix, reader) == files
            assert [rel for rel in report.uploaded if rel in LAST] == [rel for rel in LAST if rel in report.uploaded]
            again = ObjectTarget.from_url(f"s3://{bucket}/{prefix}", client=client).publish(files)
            assert again.uploaded == again.deleted == [] and again.state_writes == 0

    check()


def test_a_directory_is_read_one_file_at_a_time(tmp_path: Path) -> None:
    """publish_directory never holds the whole build: the mapping lists the
    files and reads each when asked (an archive layout at 100k articles is GBs)."""
    (tmp_path / "politika").mkdir()
    (tmp_path / "politika" / "rss.xml").write_bytes(b"<rss/>")
    (tmp_path / ".state.json").write_bytes(b"{}")
    (tmp_path / ".lock").write_bytes(b"")
    files = directory_files(tmp_path)
    assert list(files) == ["politika/rss.xml"] and "politika/rss.xml" in files and ".lock" not in files
    (tmp_path / "politika" / "rss.xml").write_bytes(b"<rss version='2.0'/>")  # bytes read when asked, not before
    assert files["politika/rss.xml"] == b"<rss version='2.0'/>"
    with pytest.raises(KeyError):
        files[".state.json"]


def test_a_republish_from_the_same_directory_reads_no_unchanged_file(builds, s3env, bucket, prefix, tmp_path,
                                                                    monkeypatch) -> None:
    """The directory keeps what each file's bytes were (inode, size, mtime →
    MD5, type): a no-op publish reads no file, a replaced file is read again."""
    import shutil

    from syndication import objectstore

    a, _ = builds
    work = tmp_path / "a"
    shutil.copytree(a, work)
    url = f"s3://{bucket}/{prefix}"
    first = publish_directory(work, ObjectTarget.from_url(url))
    assert (work / objectstore.DIGESTS).is_file() and objectstore.DIGESTS not in directory_files(work)
    reads: list[str] = []
    real = objectstore.DirectoryFiles.__getitem__
    monkeypatch.setattr(objectstore.DirectoryFiles, "__getitem__", lambda self, rel: reads.append(rel) or real(self, rel))
    again = publish_directory(work, ObjectTarget.from_url(url))
    assert reads == [] and again.uploaded == [] and len(again.unchanged) == len(first.uploaded)
    edited = work / "politika" / "rss.xml"
    data = edited.read_bytes().replace(b"</channel>", b"<!-- edited --></channel>")
    tmp = edited.with_name(".tmp")
    tmp.write_bytes(data)
    tmp.replace(edited)  # as the build writes: a new file in its place
    later = publish_directory(work, ObjectTarget.from_url(url))
    assert later.uploaded == ["politika/rss.xml"] and sorted(set(reads)) == ["politika/rss.xml"]
    assert bucket_contents(s3env, bucket, prefix)["politika/rss.xml"] == data
