"""docs/deploy.md's nginx server blocks, as written, in front of two gunicorn processes on
PostgreSQL and Redis, with the variables of its environment file.

From the guide only its placeholders are replaced (tests/services/guide.py): the
certificate paths (a self-signed certificate for schedule.example.org made here), the
ports (high ones on 127.0.0.1, so no root is needed to bind them, and no IPv6), the app
servers' addresses, MEDIA_ROOT and the log folder. nginx runs from a private prefix with
its own pid file and logs (``nginx -p DIR -c FILE``), never the system's. Its main file
is Debian's stock nginx.conf, which includes the guide's site file.

Requests go to 127.0.0.1 with the guide's host name in the TLS handshake (SNI) and in
``Host``, checked against the certificate, as a browser would.
"""

import gzip
import http.client
import http.cookies
import io
import os
import re
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.services import guide
from tests.services.conftest import (
    SERVICES_READY,
    SERVICES_REASON,
    database_url,
    free_port,
    start_gunicorn,
)

pytestmark = [pytest.mark.services]

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
OPENSSL = shutil.which("openssl")
NAME = guide.SERVER_NAME
IMPORT_LIMIT = 20 * 1024 * 1024  # schedule/importer.py

# Debian 12's /etc/nginx/nginx.conf without its comments; the paths are filled in.
DEBIAN_NGINX_CONF = """\
{user}worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log;
include /etc/nginx/modules-enabled/*.conf;

events {{
    worker_connections 768;
}}

http {{
    sendfile on;
    tcp_nopush on;
    types_hash_max_size 2048;
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    ssl_protocols TLSv1 TLSv1.1 TLSv1.2 TLSv1.3;
    ssl_prefer_server_ciphers on;
    access_log {prefix}/access.log;
    gzip on;
    client_body_temp_path {prefix}/client_body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    include {prefix}/sites-enabled/*;
}}
"""


# A small HTTP(S) client that can choose its source address, SNI and Host ----------------


@dataclass
class Answer:
    status: int  # 0: the connection was closed (or the handshake refused) without an answer
    headers: dict[str, str]
    body: bytes
    cookies: dict[str, str]
    error: str = ""

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


class _Connection(http.client.HTTPSConnection):
    def __init__(self, port: int, sni: str, context: ssl.SSLContext, source: str):
        super().__init__("127.0.0.1", port, context=context, timeout=30)
        self.sni, self.source = sni, source

    def connect(self):
        raw = socket.create_connection((self.host, self.port), self.timeout, (self.source, 0))
        self.sock = self._context.wrap_socket(raw, server_hostname=self.sni)


@dataclass
class Site:
    """nginx in front of the app servers, with the guide's configuration."""

    http_port: int
    https_port: int
    cafile: Path
    prefix: Path
    media: Path
    apps: list
    proc: subprocess.Popen
    check: subprocess.CompletedProcess | None = None

    def request(
        self,
        method: str,
        path: str,
        *,
        tls: bool = True,
        host: str = NAME,
        sni: str = NAME,
        source: str = "127.0.0.1",
        headers: dict | None = None,
        body: bytes | None = None,
        cookies: dict | None = None,
    ) -> Answer:
        sent = {"Host": host, **(headers or {})}
        if cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
        if tls:
            context = ssl.create_default_context(cafile=str(self.cafile))
            conn = _Connection(self.https_port, sni, context, source)
        else:
            conn = http.client.HTTPConnection(
                "127.0.0.1", self.http_port, timeout=30, source_address=(source, 0)
            )
        try:
            conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
            for name, value in sent.items():
                conn.putheader(name, value)
            if body is not None:
                conn.putheader("Content-Length", str(len(body)))
            conn.endheaders(body)
            answer = conn.getresponse()
            content = answer.read()
        except (ssl.SSLError, ConnectionError, TimeoutError, http.client.HTTPException) as exc:
            return Answer(0, {}, b"", {}, repr(exc))
        finally:
            conn.close()
        got: dict[str, str] = {}
        for name, value in answer.getheaders():  # repeated headers joined, as HTTP allows
            key = name.lower()
            got[key] = f"{got[key]}, {value}" if key in got else value
        jar = http.cookies.SimpleCookie()
        for name, value in answer.getheaders():
            if name.lower() == "set-cookie":
                jar.load(value)
        return Answer(answer.status, got, content, {k: m.value for k, m in jar.items()})

    def get(self, path: str, **kwargs) -> Answer:
        return self.request("GET", path, **kwargs)

    def app_logs(self) -> str:
        return "\n".join(app.log_text() for app in self.apps)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGQUIT)  # graceful, as `nginx -s quit`
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)


def readable_dir(prefix: str) -> Path:
    """A fresh folder that nginx's workers (www-data) can reach: pytest's own are 0700."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    path.chmod(0o755)
    return path


def site_file(prefix: Path, media: Path, app_ports: list[int], http_port: int, https_port: int):
    """The guide's site file with its placeholders replaced."""
    text = guide.nginx_site()
    text = guide.replace(
        text, f"/etc/letsencrypt/live/{NAME}/fullchain.pem", str(prefix / "fullchain.pem")
    )
    text = guide.replace(
        text, f"/etc/letsencrypt/live/{NAME}/privkey.pem", str(prefix / "privkey.pem")
    )
    text = guide.replace(text, "server 127.0.0.1:8000 ", f"server 127.0.0.1:{app_ports[0]} ")
    text = guide.replace(text, "# server 10.0.0.12:8000 ", f"server 127.0.0.1:{app_ports[1]} ")
    text = guide.replace(text, "/var/lib/lineup/media/", f"{media}/")
    text = guide.replace(text, "/var/log/nginx/", f"{prefix}/")
    text = guide.replace(text, "listen 80", f"listen 127.0.0.1:{http_port}")
    text = guide.replace(text, "listen 443", f"listen 127.0.0.1:{https_port}")
    assert "listen [::]:" in text
    return "\n".join(line for line in text.splitlines() if "listen [::]:" not in line) + "\n"


def make_certificate(prefix: Path) -> None:
    subprocess.run(
        [
            OPENSSL, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
            "-nodes", "-days", "2", "-subj", f"/CN={NAME}", "-addext", f"subjectAltName=DNS:{NAME}",
            "-keyout", str(prefix / "privkey.pem"), "-out", str(prefix / "fullchain.pem"),
        ],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip


def nginx(prefix: Path, *args: str) -> list[str]:
    return [NGINX, "-p", str(prefix), "-c", str(prefix / "nginx.conf"), *args]


@pytest.fixture(scope="module")
def site(django_db_setup, static_root, tmp_path_factory):
    if not SERVICES_READY:
        pytest.skip(SERVICES_REASON)
    if not (NGINX and OPENSSL):
        pytest.fail("nginx and openssl are needed: run `make test-deps` (Debian packages)")
    from django.db import connection

    prefix, media = readable_dir("lineup-nginx-"), readable_dir("lineup-media-")
    logs = tmp_path_factory.mktemp("deploy-guide")
    apps = []
    running = None
    try:
        # The guide's environment file, with this machine's database, cache and folders.
        env_file = guide.environment_file()
        assert env_file["SECURE_HSTS_PRELOAD"] == "0" and env_file["TRUSTED_PROXIES"] == "1"
        env_file.update(
            SECRET_KEY=secrets.token_urlsafe(50),
            DATABASE_URL=database_url(connection.settings_dict),
            REDIS_URL=os.environ["REDIS_URL"],
            MEDIA_ROOT=str(media),
            STATIC_ROOT=str(static_root),
        )
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
        for name in ("SECURE_SSL_REDIRECT", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE"):
            env.pop(name, None)
        env.update(env_file, DJANGO_SETTINGS_MODULE="config.settings", PYTHONUNBUFFERED="1")
        for n in range(2):  # two app servers, as two machines would run them
            apps.append(
                start_gunicorn(env, workers=1, log_path=logs / f"gunicorn-{n}.log", ready_host=NAME)
            )
        app_ports = [int(app.url.rsplit(":", 1)[1]) for app in apps]

        make_certificate(prefix)
        http_port, https_port = free_port(), free_port()
        (prefix / "sites-enabled").mkdir()
        (prefix / "sites-enabled" / "lineup").write_text(
            site_file(prefix, media, app_ports, http_port, https_port)
        )
        as_root = os.geteuid() == 0
        (prefix / "nginx.conf").write_text(
            DEBIAN_NGINX_CONF.format(user="user www-data;\n" if as_root else "", prefix=prefix)
        )
        check = subprocess.run(nginx(prefix, "-t"), capture_output=True, text=True, timeout=30)
        proc = subprocess.Popen(
            nginx(prefix, "-g", "daemon off;"),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,  # its error log is in the prefix
            start_new_session=True,
        )
        running = Site(
            http_port, https_port, prefix / "fullchain.pem", prefix, media, apps, proc, check
        )
        deadline = time.monotonic() + 20
        while running.get("/healthz").status != 200:
            assert proc.poll() is None, (prefix / "error.log").read_text()
            assert time.monotonic() < deadline, (prefix / "error.log").read_text()
            time.sleep(0.2)
        yield running
    finally:
        if running is not None:
            running.stop()
        for app in apps:
            app.stop()
        shutil.rmtree(prefix, ignore_errors=True)
        shutil.rmtree(media, ignore_errors=True)


def test_nginx_accepts_the_guide_blocks(site):
    check = site.check
    assert check.returncode == 0, check.stderr
    assert "syntax is ok" in check.stderr and "test is successful" in check.stderr
    if os.geteuid() == 0:  # otherwise nginx notes that "user" needs root
        assert "[warn]" not in check.stderr, check.stderr


def test_plain_http_is_redirected_to_https(site, conference):
    path = f"/{conference.event.slug}/schedule/?day=x"
    answer = site.get(path, tls=False)
    assert answer.status == 301, answer
    assert answer.headers["location"] == f"https://{NAME}{path}"
    assert "x-request-id" not in answer.headers  # nginx answered: Django never saw it


def test_pages_come_with_hsts_without_preload(site, conference):
    answer = site.get(f"/{conference.event.slug}/schedule/")
    assert answer.status == 200, answer
    assert conference.sessions[0].title in answer.text
    assert answer.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"


@pytest.mark.parametrize("export", ["schedule.json", "schedule.ics", "schedule.xml"])
def test_exports_are_compressed(site, conference, export):
    path = f"/{conference.event.slug}/{export}"
    plain = site.get(path)
    assert plain.status == 200 and len(plain.body) > 1024, plain
    assert "content-encoding" not in plain.headers
    packed = site.get(path, headers={"Accept-Encoding": "gzip"})
    assert packed.status == 200, packed
    assert packed.headers["content-encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers["vary"]
    assert gzip.decompress(packed.body) == plain.body
    assert len(packed.body) < len(plain.body) / 2


def test_api_answers_are_compressed(site, conference):
    path = f"/api/v1/events/{conference.event.slug}/sessions/"
    packed = site.get(path, headers={"Accept-Encoding": "gzip"})
    assert packed.status == 200, packed
    assert packed.headers["content-encoding"] == "gzip"
    assert conference.sessions[0].title in gzip.decompress(packed.body).decode()


def sign_in(
    site: Site, username: str, password: str, source: str = "127.0.0.1", headers=None
) -> Answer:
    form = site.get("/admin/login/", source=source, headers=headers)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)[1]
    body = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token, "username": username, "password": password}
    ).encode()
    answer = site.request(
        "POST",
        "/admin/login/",
        source=source,
        body=body,
        cookies=form.cookies,
        headers={
            **(headers or {}),
            "Origin": f"https://{NAME}",
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    answer.cookies = {**form.cookies, **answer.cookies}
    return answer


def multipart(fields: dict[str, str], name: str, filename: str, content: bytes):
    boundary = secrets.token_hex(16)
    out = io.BytesIO()
    for key, value in fields.items():
        part = f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'
        out.write(part.encode())
    out.write(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
        f'filename="{filename}"\r\nContent-Type: application/xml\r\n\r\n'.encode()
    )
    out.write(content)
    out.write(f"\r\n--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


def test_a_15_mb_import_reaches_django_and_a_larger_body_stops_at_nginx(site, conference):
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_superuser("importer", "i@example.org", "a long passphrase 1")
    signed_in = sign_in(site, "importer", "a long passphrase 1")
    assert signed_in.status == 302, signed_in.text[:500]
    cookies = signed_in.cookies
    url = f"/admin/schedule/session/import/{conference.event.pk}/"
    form = site.get(url, cookies=cookies)
    assert form.status == 200, form
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)[1]
    # Not a schedule: Django reads all 15 MB and says what is wrong with it.
    content = b"<schedule>" + b" " * (15 * 1024 * 1024) + b"<broken"
    body, content_type = multipart({"csrfmiddlewaretoken": token}, "file", "big.xml", content)
    headers = {"Origin": f"https://{NAME}", "Content-Type": content_type}
    answer = site.request("POST", url, body=body, cookies=cookies, headers=headers)
    assert answer.status == 400, (answer.status, answer.text[:300])
    assert "Nothing was imported" in answer.text
    assert "x-request-id" in answer.headers

    # Above the importer's 20 MB and the form around it: nginx's 413, Django never asked.
    # (A client that waits for "100 Continue", as curl does, is told before it sends.)
    answer = site.request(
        "POST",
        url,
        cookies=cookies,
        headers={
            **headers,
            "Content-Length": str(IMPORT_LIMIT + 2 * 2**20),  # 22 MB
            "Expect": "100-continue",
        },
    )
    assert answer.status == 413, answer
    assert "nginx" in answer.text and "x-request-id" not in answer.headers


def jpeg() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (300, 300), (200, 30, 30)).save(out, "JPEG")
    return out.getvalue()


def test_avatars_are_served_by_nginx_from_media(site, conference, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from speakers.images import process_avatar

    settings.MEDIA_ROOT = site.media  # where the app servers keep them
    speaker = conference.speaker
    speaker.set_avatar(process_avatar(SimpleUploadedFile("me.jpg", jpeg(), "image/jpeg")))
    speaker.save()
    page = site.get(f"/{conference.event.slug}/speakers/{speaker.slug}/")
    assert page.status == 200, page
    urls = set(re.findall(r'src="(/media/[^"]+)"', page.text))
    assert speaker.avatar.url in urls | {speaker.avatar_thumb.url}
    before = site.app_logs()
    for url in (speaker.avatar.url, speaker.avatar_thumb.url):
        answer = site.get(url)
        assert answer.status == 200, (url, answer)
        assert answer.body == (site.media / url.removeprefix("/media/")).read_bytes()
        assert answer.headers["content-type"] == "image/jpeg"
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["strict-transport-security"].startswith("max-age=31536000")
        assert "immutable" in answer.headers["cache-control"]
        assert "x-request-id" not in answer.headers  # not from Django
    assert site.get("/media/").status in (403, 404)  # no listing
    assert url not in site.app_logs().removeprefix(before)


@pytest.mark.parametrize(
    "how",
    [
        {"tls": False, "host": "evil.example"},
        {"tls": False, "host": "127.0.0.1"},
        {"tls": True, "host": "evil.example"},
        {"tls": True, "host": "evil.example", "sni": "evil.example"},
    ],
    ids=["http-other-host", "http-bare-ip", "https-other-host", "https-other-sni"],
)
def test_other_host_names_never_reach_django(site, conference, how):
    before = len(site.app_logs())
    answer = site.get(f"/{conference.event.slug}/schedule/", **how)
    # No answer at all (444, or the handshake refused); nginx ≥ 1.25 may answer a Host
    # that differs from the TLS name with its own 421.
    assert answer.status in (0, 421), answer
    assert "x-request-id" not in answer.headers
    time.sleep(0.2)
    logs = site.app_logs()
    assert "DisallowedHost" not in logs and "Invalid HTTP_HOST" not in logs
    assert f"/{conference.event.slug}/schedule/" not in logs[before:]


def test_the_login_limit_sees_the_visitor_address_that_nginx_saw(site, transactional_db):
    """TRUSTED_PROXIES=1: the address nginx took the connection from (127.0.0.2 here, a
    second loopback address), not nginx's own, nor what a visitor claims."""
    from axes.models import AccessAttempt
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_superuser("ada", "ada@example.org", "the right passphrase")
    statuses = [sign_in(site, "ada", "wrong", source="127.0.0.2").status for _ in range(5)]
    assert statuses[:4] == [200] * 4 and statuses[4] in (200, 429), statuses
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["127.0.0.2"]

    # Locked out at 127.0.0.2, even with the right password or a forged address ...
    locked = sign_in(site, "ada", "the right passphrase", source="127.0.0.2")
    assert locked.status == 429, locked
    forged = {"X-Forwarded-For": "198.51.100.9"}
    assert sign_in(site, "ada", "the right passphrase", "127.0.0.2", forged).status == 429
    # ... but not at another address.
    welcome = sign_in(site, "ada", "the right passphrase", source="127.0.0.3")
    assert welcome.status == 302 and "sessionid" in welcome.cookies, welcome
