"""The backup and restore commands of docs/deploy.md (§9) and of the README, run as
written, as the accounts they name, against a PostgreSQL server laid out like Debian's
after the guide's §2 (scripts/with-postgres.sh with LINEUP_PG_SUPERUSER=postgres:
superuser ``postgres``, an ordinary role ``lineup`` owning the database ``lineup``).

From the commands only the placeholders change: the guide's folders become temporary
ones, ``sudo -u NAME`` becomes ``runuser -u NAME --`` (this test runs as root, and
runuser keeps the variables that point libpq at the private server), ``systemctl
stop/start lineup`` is this test stopping and starting gunicorn, and the restore's
example dump name is the day's. One exception, said out loud when it applies:
``manage.py`` runs as the current user when ``lineup`` cannot run this interpreter (a
Python under /root, as with pyenv).

The restored site must serve the same schedule (its frab JSON export, and the session
titles of its page) and the same avatars, and every table must belong to ``lineup``.
"""

import datetime as dt
import os
import pwd
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

import pytest

from tests.services import guide
from tests.services.conftest import SERVICES_READY, SERVICES_REASON, start_gunicorn

pytestmark = [pytest.mark.services]

BASE_DIR = guide.BASE_DIR
NAME = guide.SERVER_NAME

DATA_SCRIPT = r"""
import datetime as dt, io
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from events.models import Event, Room
from schedule.models import Session, SessionSpeaker
from speakers.images import process_avatar
from speakers.models import Speaker

event = Event.objects.create(slug="backupcon", name="Backup Con", is_published=True,
                             start_date=dt.date(2030, 5, 6), end_date=dt.date(2030, 5, 7))
room = Room.objects.create(event=event, name="Main hall")
start = dt.datetime(2030, 5, 6, 9, tzinfo=dt.UTC)
for n, colour in enumerate([(200, 30, 30), (30, 30, 200)]):
    picture = io.BytesIO()
    Image.new("RGB", (240, 240), colour).save(picture, "JPEG")
    speaker = Speaker(event=event, name=f"Speaker {n}", slug=f"speaker-{n}")
    speaker.set_avatar(process_avatar(SimpleUploadedFile("me.jpg", picture.getvalue(),
                                                         "image/jpeg")))
    speaker.save()
    session = Session.objects.create(
        event=event, room=room, title=f"Restored talk {n}", slug=f"restored-talk-{n}",
        status="published", starts_at=start + dt.timedelta(hours=n),
        ends_at=start + dt.timedelta(hours=n, minutes=45))
    SessionSpeaker.objects.create(session=session, speaker=speaker, position=0)
print("created")
"""


def can_run_as(user: str, program: str) -> bool:
    done = subprocess.run(
        ["runuser", "-u", user, "--", program, "-c", "import django"],
        cwd=BASE_DIR,
        capture_output=True,
        timeout=60,
    )
    return done.returncode == 0


class Machine:
    """The folders of the guide on this machine, and how its commands are run here."""

    def __init__(self, root: Path, pg_env: dict[str, str], env_file: Path):
        self.root = root
        self.pg_env = pg_env
        self.env_file = env_file
        self.paths = {
            "/var/backups/lineup": str(root / "backups"),
            "/var/lib/lineup/media": str(root / "media"),
            "/etc/lineup/env": str(env_file),
            "/srv/lineup/app": str(BASE_DIR),
        }
        self.manage_as_lineup = can_run_as("lineup", sys.executable)
        self.transcript: list[str] = []

    def translate(self, commands: str, dump_example: str = "") -> str:
        """The commands as written, with this machine's names."""
        for old, new in self.paths.items():
            if old in commands:
                commands = commands.replace(old, new)
        if dump_example:
            commands = guide.replace(commands, dump_example, "lineup-$(date +%F).dump")
        lines = []
        for line in commands.replace("\\\n", " ").splitlines():
            if re.match(r"\s*(#|$)", line):
                continue
            if "systemctl" in line:
                continue  # the test stops and starts gunicorn itself
            if "manage.py" in line and not self.manage_as_lineup:
                line = line.replace("sudo -u lineup ", "")
            line = re.sub(r"\bsudo -u (\w+) ", r"runuser -u \1 -- ", line)
            line = re.sub(r"\bsudo ", "", line)
            lines.append(line)
        return "\n".join(lines)

    def run(self, commands: str, dump_example: str = "") -> str:
        script = self.translate(commands, dump_example)
        done = subprocess.run(
            ["bash", "-euo", "pipefail", "-x", "-c", script],
            cwd=self.root,
            env={**os.environ, **self.pg_env},
            capture_output=True,
            text=True,
            timeout=300,
        )
        self.transcript.append(f"$ {script}\n{done.stdout}{done.stderr}")
        assert done.returncode == 0, "\n".join(self.transcript)[-6000:]
        return done.stdout

    def psql(self, sql: str) -> str:
        done = subprocess.run(
            ["runuser", "-u", "postgres", "--", "psql", "-At", "-d", "lineup", "-c", sql],
            env={**os.environ, **self.pg_env},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()


@pytest.fixture
def debian_postgres(tmp_path):
    """A private PostgreSQL server laid out as the guide's §2 leaves Debian's."""
    url_file = tmp_path / "database-url"
    log = (tmp_path / "with-postgres.log").open("wb")
    proc = subprocess.Popen(
        [
            "bash",
            "scripts/with-postgres.sh",
            "bash",
            "-c",
            f'echo "$DATABASE_URL" > {url_file}; read',
        ],
        cwd=BASE_DIR,
        env={**os.environ, "LINEUP_PG_SUPERUSER": "postgres", "LINEUP_PG_PORT": "54331"},
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    deadline = time.monotonic() + 120
    while not url_file.exists() or not url_file.read_text().strip():
        assert proc.poll() is None, (tmp_path / "with-postgres.log").read_text()
        assert time.monotonic() < deadline, "the private PostgreSQL server did not start"
        time.sleep(0.2)
    yield url_file.read_text().strip()
    proc.stdin.close()  # `read` returns: the script stops and deletes the server
    proc.wait(timeout=60)
    log.close()


def snapshot(server, media: Path) -> dict:
    """What the site serves: its schedule export, session titles and avatars."""
    client = server.client("backup")
    host = {"Host": NAME}
    export = client.get("/backupcon/schedule.json", headers=host)
    assert export.status == 200, export
    page = client.get("/backupcon/schedule/", headers=host)
    assert page.status == 200, page
    avatars = {}
    for n in range(2):
        speaker = client.get(f"/backupcon/speakers/speaker-{n}/", headers=host)
        assert speaker.status == 200, speaker
        for url in re.findall(r'src="(/media/[^"]+)"', speaker.text):
            avatars[url] = (media / url.removeprefix("/media/")).read_bytes()
    assert len(avatars) >= 2, "no avatars on the speaker pages"
    return {
        "export": export.body,
        "titles": sorted(set(re.findall(r"Restored talk \d", page.text))),
        "avatars": avatars,
    }


def test_the_backup_and_restore_commands_work_as_written(debian_postgres, static_root, tmp_path):
    if not SERVICES_READY:
        pytest.skip(SERVICES_REASON)
    if os.geteuid() != 0 or not shutil.which("runuser") or not shutil.which("rsync"):
        pytest.skip("runs commands as postgres and lineup: needs root, runuser and rsync")
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        pytest.skip("no postgres account (Debian package postgresql)")
    try:
        pwd.getpwnam("lineup")
    except KeyError:  # the guide's §1 creates it
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", "lineup"],
            check=True,
            timeout=30,
        )

    root = Path(tempfile.mkdtemp(prefix="lineup-backup-"))
    root.chmod(0o755)
    try:
        run_backup_and_restore(root, debian_postgres, static_root, tmp_path)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def run_backup_and_restore(root: Path, database_url: str, static_root: Path, logs: Path):
    socket_dir, port = re.match(r"postgres://lineup@([^:/]+):(\d+)/", database_url).groups()
    pg_env = {"PGHOST": urllib.parse.unquote(socket_dir), "PGPORT": port}

    # The guide's environment file (§4), this machine's values where it names its own.
    variables = guide.environment_file()
    variables.update(
        SECRET_KEY="backup-test-" + "k" * 50,
        DATABASE_URL=database_url,
        REDIS_URL="",
        MEDIA_ROOT=str(root / "media"),
        STATIC_ROOT=str(static_root),
    )
    env_file = root / "env"
    env_file.write_text("".join(f"{k}={v}\n" for k, v in variables.items()))
    shutil.chown(env_file, "root", "lineup")
    env_file.chmod(0o640)
    machine = Machine(root, pg_env, env_file)
    # §1: the media folder, owned by lineup.
    machine.run("sudo install -d -m 0755 -o lineup -g lineup /var/lib/lineup/media")

    server_env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    for name in ("SECURE_SSL_REDIRECT", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE"):
        server_env.pop(name, None)
    server_env.update(variables, DJANGO_SETTINGS_MODULE="config.settings", **pg_env)

    def start(tag: str):
        return start_gunicorn(
            server_env, workers=1, log_path=logs / f"gunicorn-{tag}.log", ready_host=NAME
        )

    # A site with a schedule and avatars.
    # (the form of every manage.py command in the guide, §4)
    manage = (
        "cd /srv/lineup/app\n"
        "sudo -u lineup sh -ac '. /etc/lineup/env; exec .venv/bin/python manage.py {}'"
    )
    assert manage.format("migrate") in guide.GUIDE.read_text()
    machine.run(manage.format("migrate --noinput"))
    created = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", DATA_SCRIPT],
        cwd=BASE_DIR, env=server_env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert "created" in created.stdout, created.stderr[-3000:]
    # Uploads are made by the app's account (gunicorn runs as lineup).
    subprocess.run(["chown", "-R", "lineup:lineup", str(root / "media")], check=True, timeout=30)

    server = start("before")
    try:
        before = snapshot(server, root / "media")
    finally:
        server.stop()
    assert before["titles"] == ["Restored talk 0", "Restored talk 1"]

    deploy = guide.GUIDE.read_text()
    readme = guide.README.read_text()
    guide_blocks = guide.code_blocks(guide.section(deploy, "## 9. Backups"), "sh")
    readme_blocks = guide.code_blocks(guide.section(readme, "## Backups"), "sh")
    folder, backup, media_backup, restore, after_restore = guide_blocks[:5]
    assert "pg_dump" in backup and "rsync" in media_backup and "pg_restore" in restore
    assert "migrate" in after_restore and "cache.clear()" in after_restore
    readme_backup, readme_restore, readme_media = readme_blocks[:3]
    assert "pg_dump" in readme_backup and "pg_restore" in readme_restore
    media_to_backup, media_back = [
        line for line in readme_media.splitlines() if line.startswith("sudo rsync")
    ]

    for label, steps in [
        ("docs/deploy.md §9", [(folder, ""), (backup, ""), (media_backup, "")]),
        ("README.md", [(readme_backup, ""), (media_to_backup, "")]),
    ]:
        for commands, _ in steps:
            machine.run(commands)
        # Disaster: the data is gone, the media too.
        machine.psql("select 1")
        subprocess.run(
            ["runuser", "-u", "postgres", "--", "dropdb", "lineup"],
            env={**os.environ, **pg_env}, check=True, timeout=60,
        )  # fmt: skip
        shutil.rmtree(root / "media" / "avatars")
        if label.startswith("docs"):
            machine.run(restore, dump_example="lineup-2030-05-06.dump")
            machine.run(after_restore)
        else:
            machine.run(readme_restore)
            machine.run(media_back)
            machine.run(manage.format("migrate --noinput"))
        owners = machine.psql(
            "select distinct tableowner from pg_tables where schemaname = 'public'"
        )
        assert owners == "lineup", (label, owners)
        server = start("guide" if label.startswith("docs") else "readme")
        try:
            after = snapshot(server, root / "media")
        finally:
            server.stop()
        assert after == before, label
        today = dt.date.today().isoformat()
        if label.startswith("docs"):
            assert (root / "backups" / f"lineup-{today}.dump").exists()
