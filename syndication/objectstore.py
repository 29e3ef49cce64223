"""Publishing to object storage: ``s3://bucket/prefix`` on Amazon S3 or any
S3-compatible store (Yandex Object Storage, Selectel, VK Cloud, SeaweedFS,
MinIO), as a publish target the build uses the way it uses the out directory.

    target = ObjectTarget.from_url("s3://feeds/ms-news", endpoint_url=None)
    report = target.publish({"politika/rss.xml": data, ...}, keep=failed_relpaths)
    report.uploaded, report.deleted, report.unchanged

What it guarantees:

* **Only what changed is uploaded.** The state records, for every object it
  published, the MD5 of its bytes, its Content-Type and Cache-Control; ``put``
  compares with the state (never by listing the bucket), so a rebuild with
  nothing new makes no PUT at all (one GET of the state, no write).
* **No torn object.** An S3 PUT replaces an object whole: a reader gets the
  old bytes or the new ones. A process killed mid-publish leaves every object
  whole; the keys it was about to change or delete are marked *dirty* in the
  state before the first upload (one extra PUT of the state), so the next
  publish uploads them again (or deletes them) whatever it builds, and
  converges to its own bytes.
* **Order.** Feeds first; ``feeds.opml`` and ``feeds.html`` (which point at
  the feeds) last; stale objects (recorded, no longer wanted) are deleted only
  after every new object is in place; the state is written at the very end.
* **Types.** Every object carries ``Content-Type`` with charset from
  ``serve.content_type`` (the one table the server uses: RSS/Atom by content,
  JSON Feed, OPML, the XSLT and CSS stylesheets, feeds.html) and ``Cache-Control``.
  Object storage cannot vary by ``Accept``: feeds are stored with their feed
  types (what readers want); a browser gets the styled page where a proxy in
  front negotiates (README, the nginx block).
* **The state is not public.** It lives at ``state_url`` (any ``s3://`` key,
  e.g. in a private bucket), by default ``.syndication/<prefix>.state.json`` in
  the same bucket: outside the public prefix (make only ``<prefix>/*``
  public in the bucket's policy). A bucket published at its root (empty
  prefix) has no "outside", so there a ``state_url`` must be given.
* **Credentials** come from boto3's usual chain only (``AWS_ACCESS_KEY_ID`` /
  ``AWS_SECRET_ACCESS_KEY`` or ``~/.aws/credentials``, ``AWS_PROFILE``, roles);
  the endpoint from ``endpoint_url`` (``--endpoint-url`` or config) or boto3's
  own ``AWS_ENDPOINT_URL``; the region from ``AWS_DEFAULT_REGION``. Nothing
  here takes a secret as an argument or prints one.

Without a state (the first publish to a prefix) every object is uploaded and
nothing is deleted: objects this target never recorded are not its to delete."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from .directory import FEEDS_HTML
from .errors import ServiceUnavailable, UnsafePathError, UsageError
from .serve import content_type

#: Files that point at the others: published after every feed is in place
#: (the OPML's path is configurable: a pipeline passes ``last=(config.opml_path, FEEDS_HTML)``).
LAST = ("feeds.opml", FEEDS_HTML)
#: What every object says to caches (the same default as ``syndication serve --max-age``).
CACHE_CONTROL = "public, max-age=300"
STATE_VERSION = 1
#: In a directory published to a bucket: what each file's bytes were last seen to be (not published).
DIGESTS = ".syndication.objects.json"
#: A state bigger than this is refused before json sees it (100k objects ≈ 20 MB).
MAX_STATE_BYTES = 64 * 1024 * 1024
#: One object: more than any feed the build may write (the largest budget is 10 MB).
MAX_OBJECT_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class S3Location:
    bucket: str
    key: str  # no leading or trailing slash; "" = the bucket's root

    @classmethod
    def parse(cls, url: str) -> S3Location:
        parts = urlsplit(url)
        if parts.scheme != "s3" or not parts.netloc:
            raise UsageError(f"{url!r}: not an s3://bucket/prefix URL")
        if parts.query or parts.fragment:
            raise UsageError(f"{url!r}: an s3:// URL takes no query or fragment")
        key = parts.path.strip("/")
        if any(part in ("", ".", "..") for part in key.split("/")) and key:
            raise UsageError(f"{url!r}: empty, '.' or '..' segments are not allowed in the prefix")
        return cls(parts.netloc, key)

    def join(self, relpath: str) -> str:
        return f"{self.key}/{relpath}" if self.key else relpath

    def __str__(self) -> str:
        return f"s3://{self.bucket}/{self.key}"


@dataclass
class PublishReport:
    uploaded: list[str] = field(default_factory=list)   #: relpaths PUT this run, in order
    unchanged: list[str] = field(default_factory=list)  #: relpaths whose bytes and metadata the state already had
    deleted: list[str] = field(default_factory=list)    #: stale relpaths deleted
    state_writes: int = 0                                #: PUTs of the state (0 when nothing changed)


def _check_relpath(relpath: str) -> str:
    """The same rule as the out directory: no absolute paths, no '..', no
    empty or dot segments, no backslashes or NULs."""
    if not relpath or "\x00" in relpath or "\\" in relpath or PurePosixPath(relpath).is_absolute() \
            or any(part in ("", ".", "..") for part in relpath.split("/")):
        raise UnsafePathError(f"output path {relpath!r} is not allowed")
    return relpath


def describe_bytes(relpath: str, data: bytes) -> tuple[int, str, str]:
    """(size, MD5 hex, Content-Type) of an object's bytes: what the state
    records and ``publish`` compares (pure)."""
    return len(data), hashlib.md5(data).hexdigest(), content_type(PurePosixPath(relpath).name, data)


class ObjectTarget:
    """A publish target in an S3 bucket under a prefix. ``publish(files)``
    makes the prefix hold exactly ``files`` (plus ``keep``). Two publishers to
    one prefix must hold the build lock (pglock.AdvisoryLock)."""

    def __init__(self, location: S3Location, *, state: S3Location | None = None, endpoint_url: str | None = None,
                 cache_control: str = CACHE_CONTROL, last: tuple[str, ...] = LAST, client=None):
        if state is None:
            if not location.key:
                raise UsageError(f"{location}: publishing at a bucket's root needs a state location outside it "
                                 "(state_url = \"s3://private-bucket/syndication/state.json\")")
            state = S3Location(location.bucket, f".syndication/{location.key}.state.json")
        if state.bucket == location.bucket and (not location.key or state.key.startswith(location.key + "/")):
            raise UsageError(f"the state {state} would be public: it must be outside {location}")
        self.location = location
        self.state_location = state
        self.cache_control = cache_control
        self.last = tuple(last)
        self.client = client if client is not None else s3_client(endpoint_url)

    @classmethod
    def from_url(cls, url: str, *, state_url: str | None = None, endpoint_url: str | None = None,
                 cache_control: str = CACHE_CONTROL, last: tuple[str, ...] = LAST, client=None) -> ObjectTarget:
        return cls(S3Location.parse(url), state=S3Location.parse(state_url) if state_url else None,
                   endpoint_url=endpoint_url, cache_control=cache_control, last=last, client=client)

    def publish(self, files: Mapping[str, bytes], *, keep: Iterable[str] = ()) -> PublishReport:
        """Make the prefix hold ``files`` (relpath → bytes): upload those
        whose bytes or metadata differ from the recorded state, feeds.opml and
        feeds.html last; then delete the recorded objects neither in ``files``
        nor in ``keep`` (a pipeline keeps a feed that failed its check: its
        last good object stays); then record the state.

        Requests: one GET of the state; nothing else when nothing changed;
        otherwise one PUT of the state marking what is about to change, the
        uploads and deletes, and one PUT of the final state."""
        for relpath in files:
            _check_relpath(relpath)
        report = PublishReport()
        recorded = self.read_state()
        current = {rel: dict(entry) for rel, entry in recorded.items()}
        changed = []
        for relpath in files:  # one object's bytes at a time (files may read them lazily, or not at all)
            size, md5, ctype = _describe(files, relpath)
            if size > MAX_OBJECT_BYTES:
                raise UsageError(f"{relpath}: {size} bytes is over the {MAX_OBJECT_BYTES}-byte object limit")
            same = _same(current.get(relpath), size, md5, ctype, self.cache_control)
            (report.unchanged if same else changed).append(relpath)
        changed.sort(key=lambda rel: self.last.index(rel) + 1 if rel in self.last else 0)
        wanted = set(files) | set(keep)
        stale = sorted(rel for rel in current if rel not in wanted)
        if not changed and not stale:
            return report
        # Before the first change, everything this run may touch is marked dirty:
        # a run killed from here on is repaired by the next, whatever that one builds.
        for relpath in (*changed, *stale):
            current[relpath] = {**current.get(relpath, {}), "dirty": True}
        self._write_state(current, report)
        for relpath in changed:
            current[relpath] = self.put(relpath, files[relpath])
            report.uploaded.append(relpath)
        for relpath in stale:
            self._call("delete_object", Bucket=self.location.bucket, Key=self.location.join(relpath))
            del current[relpath]
            report.deleted.append(relpath)
        self._write_state(current, report)
        return report

    def put(self, relpath: str, data: bytes) -> dict:
        """Upload one object (one atomic PUT, with Content-MD5 so the store
        refuses a body damaged on the way); returns its state entry. Use
        ``publish``: it decides what to put and records it."""
        size, md5, ctype = describe_bytes(_check_relpath(relpath), data)
        self._call("put_object", Bucket=self.location.bucket, Key=self.location.join(relpath), Body=data,
                   ContentType=ctype, CacheControl=self.cache_control,
                   ContentMD5=base64.b64encode(bytes.fromhex(md5)).decode("ascii"))
        return {"md5": md5, "size": size, "content_type": ctype, "cache_control": self.cache_control}

    def read_state(self) -> dict[str, dict]:
        """relpath → {md5, size, content_type, cache_control} (or {dirty: true});
        {} when there is none or it is unreadable (then everything is uploaded
        and nothing deleted)."""
        obj = self._call("get_object", Bucket=self.state_location.bucket, Key=self.state_location.key,
                         _missing_ok=True)
        if obj is None:
            return {}
        if obj.get("ContentLength", 0) > MAX_STATE_BYTES:
            raise ServiceUnavailable(f"{self.state_location}: the state is over {MAX_STATE_BYTES} bytes; refused")
        raw = obj["Body"].read(MAX_STATE_BYTES + 1)
        try:
            state = json.loads(raw)
            objects = state["objects"] if state.get("version") == STATE_VERSION else None
        except (ValueError, TypeError, KeyError, AttributeError):
            objects = None
        if not isinstance(objects, dict):
            return {}
        return {rel: entry for rel, entry in objects.items() if isinstance(entry, dict)}

    def _write_state(self, objects: Mapping[str, dict], report: PublishReport) -> None:
        body = json.dumps({"version": STATE_VERSION, "prefix": str(self.location), "objects": objects},
                          ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
        self._call("put_object", Bucket=self.state_location.bucket, Key=self.state_location.key, Body=body,
                   ContentType="application/json; charset=utf-8", CacheControl="no-store")
        report.state_writes += 1

    def _call(self, operation: str, _missing_ok: bool = False, **kwargs):
        from botocore.exceptions import BotoCoreError, ClientError

        where = f"s3://{kwargs.get('Bucket')}/{kwargs.get('Key', '')}"
        try:
            return getattr(self.client, operation)(**kwargs)
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if _missing_ok and code in ("NoSuchKey", "404", "NotFound"):
                return None
            raise ServiceUnavailable(f"{where}: {operation} failed: {code or exc}") from None
        except BotoCoreError as exc:  # refused connections, timeouts, no credentials: no secret in these
            raise ServiceUnavailable(f"{where}: {operation} failed: {exc}") from None


def _describe(files: Mapping[str, bytes], relpath: str) -> tuple[int, str, str]:
    """(size, MD5 hex, Content-Type) of one file: from the mapping's own
    record where it keeps one (DirectoryFiles: unchanged files are not read)."""
    describe = getattr(files, "describe", None)
    if describe is not None:
        return describe(relpath)
    return describe_bytes(relpath, files[relpath])


def _same(entry: dict | None, size: int, md5: str, ctype: str, cache_control: str) -> bool:
    """The recorded entry vouches for exactly these bytes and this metadata."""
    if entry is None or entry.get("dirty"):
        return False
    return (entry.get("size") == size and entry.get("md5") == md5 and entry.get("content_type") == ctype
            and entry.get("cache_control") == cache_control)


def s3_client(endpoint_url: str | None = None):
    """An S3 client from boto3's usual chain (credentials, region, and the
    endpoint unless ``endpoint_url`` is given); reuse one for many targets."""
    try:
        import boto3
        from botocore.config import Config
    except ImportError:
        raise UsageError("publishing to s3:// needs boto3 (pip install 'syndication[s3]')") from None
    config = Config(retries={"max_attempts": 5, "mode": "standard"}, connect_timeout=10, read_timeout=60,
                    # S3-compatible stores vary in the newer default checksums; Content-MD5 is what all check
                    request_checksum_calculation="when_required", response_checksum_validation="when_required")
    return boto3.session.Session().client("s3", endpoint_url=endpoint_url or None, config=config)


class DirectoryFiles(Mapping[str, bytes]):
    """Every published file of an out directory (no dotfiles: the lock, the
    state, temporary files), relpath → bytes, in sorted order, read from disk
    only when asked for: publishing a site of any size holds one file's bytes
    at a time (an archive-page layout at 100k articles is gigabytes)."""

    def __init__(self, out_dir: Path):
        self.root = out_dir.resolve()
        paths = []
        for path in self.root.rglob("*"):
            rel = path.relative_to(self.root).as_posix()
            if any(part.startswith(".") for part in rel.split("/")) or path.is_symlink() or not path.is_file():
                continue
            paths.append(rel)
        self._paths = sorted(paths)
        self._known = set(paths)
        self._digests_path = self.root / DIGESTS
        self._digests = self._read_digests()
        self._digests_changed = False

    def __getitem__(self, relpath: str) -> bytes:
        if relpath not in self._known:
            raise KeyError(relpath)
        return (self.root / relpath).read_bytes()

    def __iter__(self):
        return iter(self._paths)

    def __len__(self) -> int:
        return len(self._paths)

    def __contains__(self, relpath: object) -> bool:
        return relpath in self._known

    def describe(self, relpath: str) -> tuple[int, str, str]:
        """(size, MD5 hex, Content-Type), read and hashed only when the file
        is not the one last described: same inode, size and mtime (the build
        replaces a file it changes by a new one, so a changed file is always
        read; a no-op build's publish reads none of them)."""
        if relpath not in self._known:
            raise KeyError(relpath)
        st = (self.root / relpath).stat()
        key = [st.st_ino, st.st_size, st.st_mtime_ns]
        entry = self._digests.get(relpath)
        if isinstance(entry, list) and len(entry) == 5 and entry[:3] == key:
            return st.st_size, entry[3], entry[4]
        data = self[relpath]
        desc = describe_bytes(relpath, data)
        if len(data) == st.st_size:  # not rewritten while it was read
            self._digests[relpath] = [*key, desc[1], desc[2]]
            self._digests_changed = True
        return desc

    def save_digests(self) -> None:
        """Keep what describe learned (a dotfile in the directory, not published)."""
        if not self._digests_changed:
            return
        kept = {rel: entry for rel, entry in self._digests.items() if rel in self._known}
        tmp = self._digests_path.with_name(f"{self._digests_path.name}.{os.getpid()}.tmp")
        try:  # only a saving of work: a directory that cannot keep it is read again next time
            tmp.write_text(json.dumps({"version": 1, "files": kept}, separators=(",", ":"), sort_keys=True),
                           encoding="utf-8")
            os.replace(tmp, self._digests_path)
        except OSError:
            with contextlib.suppress(OSError):
                tmp.unlink()
        self._digests_changed = False

    def _read_digests(self) -> dict[str, list]:
        try:
            raw = self._digests_path.read_bytes()
            doc = json.loads(raw) if len(raw) <= MAX_STATE_BYTES else None
            files = doc.get("files") if isinstance(doc, dict) and doc.get("version") == 1 else None
        except (OSError, ValueError):
            files = None
        return files if isinstance(files, dict) else {}


def directory_files(out_dir: Path) -> DirectoryFiles:
    """A directory build as ``publish`` takes it (``publish_directory``)."""
    return DirectoryFiles(out_dir)


def publish_directory(out_dir: Path, target: ObjectTarget, *, keep: Iterable[str] = ()) -> PublishReport:
    """A directory build published as is (a file unchanged since the last
    publish from this directory is neither read nor hashed again)."""
    files = directory_files(out_dir)
    report = target.publish(files, keep=keep)
    files.save_digests()
    return report
