"""The services `make deploy-check` runs on loopback: PostgreSQL's database, Redis's database number, a
self-signed certificate, gunicorn started with deploy/systemd/engage.service's command and environment
(deploy/engage.env.example), and nginx with deploy/nginx/engage.conf. Everything started here is stopped
and everything made is removed at the end (``Stack.close``)."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

from benchmarks.postgres import reset_postgres
from benchmarks.workshop import _free_port

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
SITE = DEPLOY / "nginx" / "engage.conf"
#: The checkout's place in the recipe's files: replaced by this checkout.
RECIPE_ROOT = "/srv/engage"
#: The host name residents are given in links; deliberately not the address the check connects to
#: (127.0.0.1), so a link built from the request instead of ENGAGE_BASE_URL shows.
HOST = "engage.localhost"
SECRET_KEY = "deploy-check-secret-key-not-for-production-use-0123456789abcdef"  # noqa: S105


class CheckError(RuntimeError):
    """The stack could not be started as the recipe says."""


def read_env_file(path: Path) -> dict[str, str]:
    """NAME=value lines as systemd's EnvironmentFile= reads them (comments, blank lines, quoted values)."""
    values = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, _sep, value = line.partition("=")
        values[name.strip()] = value.strip().strip('"')
    return values


def unit_command(unit: str) -> list[str]:
    """The ExecStart= command of deploy/systemd/``unit``, the recipe's paths pointing at this checkout."""
    text = (DEPLOY / "systemd" / unit).read_text(encoding="utf-8")
    match = re.search(r"^ExecStart=(.+)$", text, re.MULTILINE)
    if match is None:
        raise CheckError(f"deploy/systemd/{unit} has no ExecStart= line")
    return shlex.split(match.group(1).replace(RECIPE_ROOT, str(ROOT)))


def _replace(text: str, pattern: str, replacement: str, flags: int = re.MULTILINE) -> str:
    new, count = re.subn(pattern, replacement, text, flags=flags)
    if not count:
        raise CheckError(
            f"deploy/nginx/engage.conf no longer has {pattern!r}: update scripts/deploy_check/stack.py"
        )
    return new


def render_site(
    *, https_port: int, http_port: int, upstreams: list[int], cert: Path, key: Path, logs: Path, static: bool
) -> str:
    """deploy/nginx/engage.conf with this check's values in place of the CHANGE ones. ``static``: nginx
    serves /static/ itself (as shipped); otherwise that location is taken out and the app (WhiteNoise)
    serves them."""
    site = SITE.read_text(encoding="utf-8")
    servers = "\n".join(f"    server 127.0.0.1:{port} max_fails=3 fail_timeout=10s;" for port in upstreams)
    site = _replace(site, r"^    server 127\.0\.0\.1:8000 .*$", servers)
    site = _replace(site, r"^\s*listen \[::\].*\n", "")  # loopback here has no IPv6 for certain
    site = _replace(site, r"listen 80;", f"listen 127.0.0.1:{http_port};")
    site = _replace(site, r"listen 443 ssl", f"listen 127.0.0.1:{https_port} ssl")
    site = _replace(site, r"server_name engage\.example\.gov\.uk;", f"server_name {HOST};")
    site = _replace(site, r"/etc/ssl/engage/fullchain\.pem", str(cert))
    site = _replace(site, r"/etc/ssl/engage/privkey\.pem", str(key))
    site = _replace(site, r"/var/log/nginx/", f"{logs}/")
    site = _replace(site, re.escape(RECIPE_ROOT + "/"), f"{ROOT}/")
    if not static:
        site = _replace(site, r"\n    location /static/ \{.*?\n    \}\n", "\n", re.DOTALL)
    return site


def client_max_body_size() -> int:
    """The upload limit in deploy/nginx/engage.conf, in bytes."""
    match = re.search(r"client_max_body_size (\d+)([km]?);", SITE.read_text(encoding="utf-8"))
    if match is None:
        raise CheckError("deploy/nginx/engage.conf sets no client_max_body_size")
    return int(match.group(1)) * {"": 1, "k": 1024, "m": 1024 * 1024}[match.group(2)]


class Process:
    """A command in its own process group, its output in a log file; stopped with the whole group."""

    def __init__(self, name: str, command: list[str], log: Path, env: dict[str, str], cwd: Path = ROOT):
        self.name, self.log = name, log
        self.handle = subprocess.Popen(  # noqa: S603 - our own commands
            command,
            env=env,
            cwd=cwd,
            stdout=log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def running(self) -> bool:
        return self.handle.poll() is None

    def tail(self, lines: int = 30) -> str:
        text = self.log.read_text(encoding="utf-8", errors="replace").splitlines()
        return "\n".join(text[-lines:])

    def stop(self) -> None:
        if not self.running():
            return
        os.killpg(self.handle.pid, signal.SIGTERM)
        try:
            self.handle.wait(timeout=35)
        except subprocess.TimeoutExpired:
            os.killpg(self.handle.pid, signal.SIGKILL)
            self.handle.wait()


class Stack:
    """Everything the check starts, in a temporary directory; ``close`` undoes all of it."""

    def __init__(self, work: Path, database_url: str, redis_url: str) -> None:
        self.work, self.database_url, self.redis_url = work, database_url, redis_url
        self.logs = work / "logs"
        self.logs.mkdir()
        self.cert, self.key = work / "cert.pem", work / "key.pem"
        self.https_port, self.http_port = _free_port(), _free_port()
        self.base = f"https://127.0.0.1:{self.https_port}"
        self.base_url = f"https://{HOST}:{self.https_port}"
        self.hosts: dict[int, Process] = {}
        #: The jobs workers, one beside each app host, by name.
        self.workers: dict[str, Process] = {}
        #: The app hosts' ports nginx sends requests to.
        self.upstreams: list[int] = []
        self.nginx: Process | None = None
        self.database_made = False

    # ----------------------------------------------------------------------------------------- settings

    def app_env(self, **extra: str) -> dict[str, str]:
        """The example environment file, with this check's database, Redis, secret and address."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("ENGAGE_")}
        env |= read_env_file(DEPLOY / "engage.env.example")
        env |= {
            "ENGAGE_SECRET_KEY": SECRET_KEY,
            "ENGAGE_BASE_URL": self.base_url,
            "ENGAGE_DATABASE_URL": self.database_url,
            "ENGAGE_REDIS_URL": self.redis_url,
            # Small, so a test can reach it: wrong workshop codes per address.
            "ENGAGE_JOIN_CODE_LIMIT": "5 per minute",
            # Two cores shared with the simulated phones: two workers of four threads per host.
            "ENGAGE_WORKERS": "2",
            # The folders docs/deploy.md says the hosts share (one machine here: one folder each).
            "ENGAGE_JOB_FILES_DIR": str(self.work / "job-files"),
            "ENGAGE_BACKUP_DIR": str(self.work / "backups"),
        }
        return env | extra

    # ------------------------------------------------------------------------------------------ start-up

    def make_certificate(self) -> None:
        subprocess.run(  # noqa: S603
            [
                shutil.which("openssl") or "/usr/bin/openssl",
                "req",
                "-x509",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:prime256v1",
                "-nodes",
                "-days",
                "2",
                "-subj",
                f"/CN={HOST}",
                "-addext",
                f"subjectAltName=DNS:{HOST},IP:127.0.0.1",
                "-keyout",
                str(self.key),
                "-out",
                str(self.cert),
            ],
            check=True,
            capture_output=True,
        )

    def make_database(self) -> None:
        reset_postgres(self.database_url, self.redis_url)
        self.database_made = True

    def start_hosts(self, count: int) -> None:
        """``count`` gunicorns as deploy/systemd/engage.service starts them, each on a port of its own (all
        at once: each loads the app before it answers, which takes a few seconds). ``wait_for_hosts``."""
        for _ in range(count):
            port = _free_port()
            self.hosts[port] = Process(
                f"gunicorn :{port}",
                unit_command("engage.service"),
                self.logs / f"gunicorn-{port}.log",
                self.app_env(ENGAGE_BIND=f"127.0.0.1:{port}"),
            )

    def start_workers(self, count: int) -> None:
        """``count`` jobs workers as deploy/systemd/engage-worker.service starts them."""
        for number in range(1, count + 1):
            name, log = f"worker {number}", self.logs / f"worker-{number}.log"
            self.workers[name] = Process(name, unit_command("engage-worker.service"), log, self.app_env())

    def wait_for_hosts(self) -> None:
        for port, host in self.hosts.items():
            for _ in range(600):
                try:
                    self.client().get(f"http://127.0.0.1:{port}/healthz", timeout=2)
                    break
                except requests.RequestException:
                    if not host.running():
                        raise CheckError(f"gunicorn did not start:\n{host.tail()}") from None
                    time.sleep(0.1)
            else:
                raise CheckError(f"gunicorn did not answer in a minute:\n{host.tail()}")

    def start_nginx(self, *, static: bool, hosts: int) -> None:
        """nginx with the site, the first ``hosts`` app hosts behind it (stopped first if it runs)."""
        if self.nginx is not None:
            self.nginx.stop()
        self.upstreams = list(self.hosts)[:hosts]
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        (self.work / "engage.conf").write_text(
            render_site(
                https_port=self.https_port,
                http_port=self.http_port,
                upstreams=self.upstreams,
                cert=self.cert,
                key=self.key,
                logs=self.logs,
                static=static,
            ),
            encoding="utf-8",
        )
        temp = self.work / "nginx-temp"
        temp.mkdir(exist_ok=True)
        user = ""
        if os.geteuid() == 0:
            # As root, nginx's workers run as nobody (as Debian's run as www-data): they may only read, and
            # write request bodies larger than a buffer to their temporary folder.
            import grp
            import pwd

            nobody = pwd.getpwnam("nobody")
            user = f"user nobody {grp.getgrgid(nobody.pw_gid).gr_name};"
            self.work.chmod(0o711)
            os.chown(temp, nobody.pw_uid, nobody.pw_gid)
        conf = self.work / "nginx.conf"
        conf.write_text(
            f"""{user}
worker_processes 1;
pid {self.work}/nginx.pid;
events {{ worker_connections 1024; }}
http {{
    # What Debian's /etc/nginx/nginx.conf sets around the sites it includes.
    sendfile on;
    tcp_nopush on;
    types_hash_max_size 2048;
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    ssl_protocols TLSv1 TLSv1.1 TLSv1.2 TLSv1.3;
    ssl_prefer_server_ciphers on;
    gzip on;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    include {self.work}/engage.conf;
}}
""",
            encoding="utf-8",
        )
        command = [nginx, "-p", str(self.work), "-c", str(conf), "-e", str(self.logs / "nginx-error.log")]
        tested = subprocess.run([*command, "-t"], capture_output=True, text=True)  # noqa: S603
        if tested.returncode:
            raise CheckError(f"nginx refused the site:\n{tested.stderr}")
        self.nginx = Process(
            "nginx", [*command, "-g", "daemon off;"], self.logs / "nginx.out", dict(os.environ)
        )
        for _ in range(100):
            try:
                self.client().get(f"{self.base}/healthz", timeout=2)
                return
            except requests.RequestException:
                time.sleep(0.1)
        raise CheckError(f"nginx did not start:\n{self.nginx.tail()}")

    # --------------------------------------------------------------------------------------------- clients

    def client(self, address: str = "127.0.0.1") -> requests.Session:
        """A browser or phone at ``address`` (any 127.x.y.z: each is a different client to nginx), trusting
        the check's certificate, sending a same-site Referer as a browser does (CSRF checks it on HTTPS)."""
        from requests.adapters import HTTPAdapter

        class _From(HTTPAdapter):
            def init_poolmanager(self, *args, **kwargs):
                kwargs["source_address"] = (address, 0)
                super().init_poolmanager(*args, **kwargs)

        http = requests.Session()
        # Nothing from the environment: no proxy (this is loopback), no other certificate bundle.
        http.trust_env = False
        http.mount("https://", _From())
        http.mount("http://", _From())
        http.verify = str(self.cert)
        http.headers["Referer"] = f"{self.base}/"
        return http

    def nginx_log(self) -> list[dict]:
        import json

        path = self.logs / "engage.access.log"
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]

    def app_log(self) -> list[dict]:
        import json

        lines = []
        for path in self.logs.glob("gunicorn-*.log"):
            for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
                if line.startswith("{"):
                    lines.append(json.loads(line))
        return lines

    # ----------------------------------------------------------------------------------------------- end

    def close(self) -> None:
        """Stop nginx and every gunicorn; drop the database; empty the Redis database."""
        for process in [self.nginx, *self.hosts.values(), *self.workers.values()]:
            if process is not None:
                process.stop()
        if self.database_made:
            reset_postgres(self.database_url, self.redis_url, create=False)


def python() -> str:
    return sys.executable
