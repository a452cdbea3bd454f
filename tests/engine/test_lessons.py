"""Every lesson on the real engine: its checks fail on a clean engine, pass after
`run --auto`, pass when a learner does the steps with other correct commands, and
`reset` returns the engine to exactly its state before."""

from __future__ import annotations

import json
import subprocess
import time

import pytest

from tests.conftest import ROOT, assert_canary_intact, engine_state, run_docklab
from tests.engine.lessonkit import LESSONS
from tests.handkit import images_left
from tutor.core.lessons import catalog, lessonfile

pytestmark = pytest.mark.engine
SECRETS = {catalog.lesson_id(p): lessonfile.load(p).secrets for p in catalog.files()}
STEPS = {catalog.lesson_id(p): len(lessonfile.load(p).steps) for p in catalog.files()}
SECRET = "my-secret-pw"
MYSQL = "docklab/mysql:stand-in"
SQL = (
    "CREATE DATABASE customer_data; CREATE TABLE customer_data.customers (id INT PRIMARY KEY, "
    "name VARCHAR(100)); INSERT INTO customer_data.customers VALUES (1, 'John Doe');"
)

# Other correct ways to do each step, as a learner might type them in their own shell.
ALTERNATIVES = {
    "data-loss": [
        f"docker container run --detach --name mydb --env MYSQL_ROOT_PASSWORD={SECRET} {MYSQL}",
        f'docker exec mydb mysql -uroot -p{SECRET} -e "{SQL}"',
        "docker exec mydb sh -c 'echo \"in the writable layer\" > /etc/note.txt' && docker restart mydb",
        "docker container rm --force mydb",
        f"docker container create --name mydb -e MYSQL_ROOT_PASSWORD={SECRET} {MYSQL} && docker start mydb",
        f"docker exec mydb mysql -uroot -p{SECRET} -e 'USE customer_data' || true",
        "docker volume ls --quiet --filter dangling=true",
        f"docker run -d --name mydb-rescue --mount type=volume,source={{old_volume}},target=/var/lib/mysql {MYSQL}",
        f"docker exec mydb-rescue mysql -uroot -p{SECRET} -e 'SELECT * FROM customer_data.customers'",
        f"docker volume create safe_db && docker container run --detach --name mydb-safe --env "
        f"MYSQL_ROOT_PASSWORD={SECRET} --mount source=safe_db,target=/var/lib/mysql {MYSQL}",
    ],
    "named-volumes": [
        "docker volume create --driver local mysql_data",
        f"docker run -d --name mydb -e MYSQL_ROOT_PASSWORD={SECRET} "
        f"--mount type=volume,source=mysql_data,target=/var/lib/mysql {MYSQL}",
        f'docker exec mydb mysql -uroot -p{SECRET} -e "{SQL}"',
        "docker container rm --force mydb",
        f"docker container create --name mydb -e MYSQL_ROOT_PASSWORD={SECRET} "
        f"--mount source=mysql_data,target=/var/lib/mysql {MYSQL} && docker container start mydb",
        f"docker exec mydb mysql -uroot -p{SECRET} -e 'SELECT * FROM customer_data.customers'",
        "docker volume inspect mysql_data",
        f"docker volume create orders_data && docker run -d --name orders-db -e MYSQL_ROOT_PASSWORD={SECRET} "
        f"--mount source=orders_data,target=/var/lib/mysql {MYSQL} && until docker exec orders-db mysqladmin ping "
        f"-h127.0.0.1 --protocol=tcp -uroot -p{SECRET} 2>/dev/null | grep -q alive; do sleep 1; done && "
        f"docker exec orders-db mysql -uroot -p{SECRET} -e 'CREATE DATABASE orders'",
    ],
}


NGINX, BUSYBOX, UBUNTU = "docklab/nginx:stand-in", "docklab/busybox:stand-in", "docklab/ubuntu:stand-in"
ALPINE, PHP = "docklab/alpine:stand-in", "docklab/php-apache:stand-in"
COMPOSE = f"docker compose -f {ROOT}/labs/compose-volumes/compose.yaml"
LABEL = "label=docklab.lesson=managing-volumes"
PW = "Sup3r-s3cret-pw"
ALTERNATIVES.update(
    {
        "managing-volumes": [
            "docker volume create --driver local my-vol",
            "docker volume inspect --format '{{.Mountpoint}}' my-vol",
            "docker volume remove my-vol",
            "docker volume create --label docklab.lesson=managing-volumes old-data && docker container run --rm "
            f"--mount source=old-data,target=/data {BUSYBOX} sh -c 'head -c 5242880 /dev/zero > /data/blob'",
            f"docker volume prune --force --filter {LABEL}",
            f"docker volume prune -af --filter '{LABEL}'",
            "docker volume create --label docklab.lesson=managing-volumes tmp-vol && docker volume create --label "
            "docklab.lesson=managing-volumes --label keep=1 tmp-keep && echo y | docker volume prune -a "
            f"--filter {LABEL} --filter 'label!=keep'",
        ],
        "mount-syntax": [
            "docker volume create my-vol",
            f"docker container run --detach --volume my-vol:/app --name web-v {NGINX}",
            f"docker container run --name web-mount --detach --mount source=my-vol,target=/app {NGINX}",
            "docker exec web-mount sh -c 'printf \"my own words\\n\" > /app/mine.txt'",  # own text, own file
            f"docker container run --detach --name web-ro --volume my-vol:/data:ro {NGINX}",
            f"docker run -d --name reader --mount source=my-vol,destination=/data,ro {NGINX}",
        ],
        "mounting-over-data": [
            f"docker run -d --name web-fresh --mount type=volume,source=fresh-html,target=/usr/share/nginx/html {NGINX}",
            f"docker volume create own-html && docker run --rm --mount source=own-html,target=/x {BUSYBOX} "
            f"sh -c 'echo \"<h1>My own page</h1>\" > /x/index.html' && "
            f"docker run -d --name web-data --mount source=own-html,target=/usr/share/nginx/html {NGINX}",
            "docker run -d --name web-nocopy "
            f"--mount type=volume,source=nocopy-html,target=/usr/share/nginx/html,volume-nocopy {NGINX}",
            "docker exec web-fresh sh -c 'rm -rf /usr/share/nginx/html/*' && docker container rm --force web-fresh",
            f"docker container create --name web-refill --mount source=fresh-html,target=/usr/share/nginx/html {NGINX} "
            "&& docker start web-refill",
            f"docker volume create nginx-share && docker container create --name share-fill -v nginx-share:/usr/share/nginx "
            f"{NGINX} && docker rm share-fill",  # copy-up happens at create: the container never runs
        ],
        "anonymous-volumes": [
            f"docker container run --detach --name temp_container --volume /app/cache {UBUNTU} sleep 3600",
            "docker volume inspect {anon}",
            "docker stop -t 0 temp_container && docker container rm temp_container",
            f"docker run --rm --name temp_container2 -v /app/cache {UBUNTU} true",
            f"docker container run --rm --name temp_container4 --volume /app/cache {UBUNTU} true",
            f"docker container run -d --name temp_container3 --mount type=volume,destination=/app/cache {UBUNTU} sleep 3600",
            "docker volume remove {anon}",
            "docker volume create --label=docklab.lesson=anonymous-volumes",
            "echo y | docker volume prune --filter=label=docklab.lesson=anonymous-volumes",
            f"docker run --rm --name temp_container5 -v /app/cache --mount source=keep_me,target=/app/data {UBUNTU} true",
        ],
        "read-only": [
            "docker volume create my_readonly_volume && docker run --rm --mount source=my_readonly_volume,target=/app "
            f"{BUSYBOX} sh -c 'echo \"hello, read me\" > /app/greeting.txt'",
            f"docker container run --detach --name ro-v --volume my_readonly_volume:/app:ro {UBUNTU} sleep 3600",
            f"docker run -d --name ro-mount --mount source=my_readonly_volume,destination=/app,ro {UBUNTU} sleep 3600",
            f"docker run --rm --mount source=my_readonly_volume,target=/app {BUSYBOX} "
            "sh -c 'echo \"written elsewhere\" > /app/more.txt'",
            f"docker run -d --name ro-mixed --mount source=my_readonly_volume,target=/app,readonly "
            f"--mount source=rw_scratch,target=/scratch {UBUNTU} sleep 3600",
        ],
        "subpath": [
            f"docker volume create myvolume && docker run --rm -v myvolume:/v {ALPINE} sh -c "
            '\'mkdir /v/myfolder /v/otherfolder && echo "in myfolder" > /v/myfolder/hello.txt && '
            'echo "not for this container" > /v/otherfolder/private.txt\'',
            "docker container run -d --name subpath-demo "
            f"--mount type=volume,src=myvolume,dst=/app,volume-subpath=myfolder {ALPINE} sleep 3600",
            f"docker container create --name subpath-missing --mount src=myvolume,dst=/app,volume-subpath=nofolder "
            f"{ALPINE} sleep 3600 && (docker start subpath-missing || true)",
            "docker container run -d --name subpath-other "
            f"--mount type=volume,src=myvolume,dst=/other,volume-subpath=otherfolder,ro {ALPINE} sleep 3600",
        ],
        "volumes-from": [
            f"docker run -d --name php-app --mount source=shared_data,target=/var/www/html {PHP}",
            "docker exec php-app sh -c 'printf \"<p>page two</p>\\n\" > /var/www/html/index.html'",  # own words
            f"docker container run --detach --name web-server --volumes-from php-app:rw {NGINX}",
            f"docker run -d --name web-server-ro --volumes-from=php-app:ro {NGINX}",
            f"docker container run --detach --name page-server --volumes-from=php-app:ro {BUSYBOX} "
            "httpd -f -p 8080 -h /var/www/html",
            f"docker run -d --name site-reader --mount source=shared_data,target=/srv/site,readonly {BUSYBOX} sleep 3600",
        ],
        "compose-volumes": [
            f"WEB_IMAGE={NGINX} {COMPOSE} up --detach",
            f"{COMPOSE} exec -T web sh -c 'echo \"written before down\" > /usr/share/nginx/html/note.txt'",
            f"{COMPOSE} down",
            f"WEB_IMAGE={NGINX} {COMPOSE} up -d",
            f"docker container run --detach --name site-build {NGINX} && docker exec site-build sh -c "
            "'echo \"<h1>v2 of mine</h1>\" > /usr/share/nginx/html/index.html' && docker container commit site-build "
            f"mysite:v2 && WEB_IMAGE=mysite:v2 {COMPOSE} up --detach",
            f"WEB_IMAGE={NGINX} {COMPOSE} --project-name scratch up --detach && {COMPOSE} -p scratch down --volumes",
            "docker run --rm --mount source=compose-volumes_named_volume,target=/x mysite:v2 "
            "sh -c 'cat /usr/share/nginx/html/index.html > /x/v2.html'",
        ],
        "backup-restore": [
            f"docker volume create app_data && docker run --rm --mount source=app_data,target=/data {ALPINE} sh -c "
            "'mkdir /data/config && echo \"hello from app_data\" > /data/notes.txt && echo debug=true > /data/config/app.ini'",
            f"docker run --rm --mount source=app_data,target=/source,readonly --mount source=backup_store,target=/backup "
            f"{ALPINE} sh -c 'cd /source && tar cf /backup/app_data.tar .'",
            "docker volume create app_data_restored && docker run --rm -v backup_store:/backup -v app_data_restored:/target "
            f"{ALPINE} sh -c 'cd /target && tar xf /backup/app_data.tar'",
            f"docker run --rm -v app_data_restored:/data {ALPINE} cat /data/config/app.ini",
            f"docker run -d --name mydb --env MYSQL_ROOT_PASSWORD={SECRET} --mount source=mysql_data,target=/var/lib/mysql "
            f"{MYSQL}",
            f'docker exec mydb mysql -uroot -p{SECRET} -e "{SQL}"',
            "docker container stop mydb && docker run --rm --mount source=mysql_data,target=/source,readonly "
            f"-v backup_store:/backup {ALPINE} sh -c 'cd /source && tar cf /backup/mysql_data.tar .' && "
            "docker container start mydb",
            "docker exec mydb sh -c 'exec mysqldump -uroot -p\"$MYSQL_ROOT_PASSWORD\" customer_data' | "
            f"docker run --rm -i -v backup_store:/backup {ALPINE} sh -c 'cat > /backup/customers.sql'",
        ],
        "secrets": [
            f"docker container run --detach --name mydb-env --env MYSQL_ROOT_PASSWORD={PW} {MYSQL}",
            f"docker container run --detach --name mydb-dotenv --env-file {ROOT}/labs/secrets/.env {MYSQL}",
            f"docker volume create db_secrets && docker run --rm --mount source=db_secrets,target=/s {BUSYBOX} "
            f"sh -c 'echo -n {PW} > /s/mysql_root_password'",
            "docker run -d --name mydb-secret --env MYSQL_ROOT_PASSWORD_FILE=/run/secrets/mysql_root_password "
            f"--mount source=db_secrets,target=/run/secrets,readonly {MYSQL}",
            f"docker run --rm --mount source=db_secrets,target=/s {BUSYBOX} sh -c 'echo -n shop > /s/db_name' && "
            "docker run -d --name mydb-app --env MYSQL_ROOT_PASSWORD_FILE=/run/secrets/mysql_root_password "
            "--env MYSQL_DATABASE_FILE=/run/secrets/db_name "
            f"--mount source=db_secrets,target=/run/secrets,readonly {MYSQL}",
        ],
    }
)


def test_every_lesson_has_alternative_commands():
    assert set(ALTERNATIVES) == set(LESSONS)


@pytest.mark.parametrize("lesson", LESSONS)
def test_fails_clean_passes_after_auto_and_reset_restores(lesson, client, home, canary):
    """Also: the learner's own things (the canary) come through the lesson and its reset.
    The steps before the last are done by catching up to it (`--from`), the last by --auto:
    every step runs and passes, and the ones caught up are recorded so, never as --auto's."""
    before = engine_state(client)
    last = STEPS[lesson]
    try:
        clean = run_docklab("check", lesson, home=home)
        assert clean.returncode == 1, clean.stdout + clean.stderr
        assert "✗ FAIL" in clean.stdout

        auto = run_docklab("run", lesson, "--from", str(last), "--auto", home=home)
        assert auto.returncode == 0, auto.stdout + auto.stderr
        assert "✗ FAIL" not in auto.stdout and "passed" in auto.stdout
        assert (
            f"Caught up: steps 1 to {last - 1} done by docklab (recorded as caught up). Now step {last}." in auto.stdout
        )
        recorded = json.loads((home / "progress.json").read_text())["lessons"][lesson]["steps"]
        assert [n for n in range(1, last + 1) if recorded[str(n)].get("caught_up")] == list(range(1, last))
        secrets = (SECRET, *SECRETS[lesson])
        for line in (auto.stdout + auto.stderr).splitlines():  # the commands to type show it; nothing else
            assert line.startswith("$ ") or not any(s in line for s in secrets), line

        after = run_docklab("check", lesson, "--json", home=home)
        report = json.loads(after.stdout)
        assert after.returncode == 0 and report["passed"], after.stdout
        assert not any(s in after.stdout for s in secrets)
        for saved in home.rglob("*"):  # progress, ownership: nothing docklab keeps holds a secret
            if saved.is_file():
                assert not any(s in saved.read_text(errors="replace") for s in secrets), saved
    finally:
        reset = run_docklab("reset", lesson, home=home)
    assert reset.returncode == 0, reset.stdout + reset.stderr
    assert not images_left(client, lesson), reset.stdout  # reset removes the image the lesson made, too
    assert engine_state(client) == before
    assert_canary_intact(client, canary)
    # A complete earlier attempt, reset: a fresh learner's check proves nothing from its history.
    fresh = home.parent / "fresh-home"
    fresh.mkdir()
    again = run_docklab("check", lesson, home=fresh)
    assert again.returncode == 1 and "✓ DONE" not in again.stdout, again.stdout
    assert f"0/{STEPS[lesson]} steps passed" in again.stdout, again.stdout


def wait_for_step(lesson: str, step: int, home, limit: float = 120) -> subprocess.CompletedProcess:
    """A learner re-checking until the database has started."""
    deadline = time.monotonic() + limit
    while True:
        out = run_docklab("check", lesson, "--step", str(step), home=home)
        if out.returncode == 0 or time.monotonic() > deadline:
            return out
        time.sleep(1)


def as_learner(lesson: str, command: str, home) -> str:
    """Run a command in a shell of our own, as a learner would, with remembered facts
    (`{old_volume}`) filled in; return it as run."""
    saved = home / "progress.json"
    facts = json.loads(saved.read_text())["lessons"].get(lesson, {}).get("facts", {}) if saved.exists() else {}
    for name, value in facts.items():
        command = command.replace("{" + name + "}", value)
    subprocess.run(["bash", "-c", command], check=True, capture_output=True, timeout=120)
    return command


@pytest.mark.parametrize("lesson", LESSONS)
def test_other_correct_commands_pass_too(lesson, client, home):
    before = engine_state(client)
    try:
        opened = run_docklab("run", lesson, home=home, stdin="q\n")  # plain mode: starts tracking, then stop
        assert opened.returncode == 1 and "Stopped at step 1" in opened.stdout, opened.stdout + opened.stderr
        for number, command in enumerate(ALTERNATIVES[lesson], start=1):
            command = as_learner(lesson, command, home)
            out = wait_for_step(lesson, number, home)
            assert out.returncode == 0, f"step {number} after `{command}`:\n{out.stdout}{out.stderr}"
        final = run_docklab("check", lesson, home=home)
        assert final.returncode == 0, final.stdout + final.stderr
    finally:
        reset = run_docklab("reset", lesson, home=home)
    assert reset.returncode == 0, reset.stdout + reset.stderr
    assert not images_left(client, lesson), reset.stdout  # reset removes the image the lesson made, too
    assert engine_state(client) == before


# The world a popular claim describes, made real on the engine: for each lesson, the
# step whose check teaches against the claim, a command that leaves the engine as the
# claim says it would be, and the check that must then fail.
WRONG_WORLDS = {
    "managing-volumes": (
        5,
        f"docker volume prune -af --filter {LABEL}",  # "prune removes every unused volume"
        "a volume prune kept old-data",
    ),
    "mount-syntax": (
        3,
        f"docker run -d --name web-mount --mount type=tmpfs,target=/app {NGINX}",
        "web-mount mounts volume my-vol",
    ),  # "--mount is a different kind of mount"
    "mount-syntax/-v": (
        3,
        f"docker run -d --name web-mount -v my-vol:/app {NGINX}",  # the other syntax
        "web-mount mounts volume my-vol writable made with `--mount` at /app",
    ),
    "mounting-over-data": (
        1,
        f"docker run -d --name web-fresh -v fresh-html:/usr/share/nginx/html:nocopy {NGINX}",
        "volume fresh-html:/ has index.html",
    ),  # "a volume hides the image"
    "anonymous-volumes": (
        3,
        "docker rm -f -v temp_container",  # "docker rm removes the container's volumes"
        "the volume that your first container with an anonymous volume had at /app/cache before its removal still exists",
    ),
    "read-only": (
        2,
        f"docker run -d --name ro-v -v my_readonly_volume:/app {UBUNTU} sleep 3600",
        "`touch /app/new.txt 2>&1` in ro-v contains 'Read-only file system'",
    ),
    "subpath": (
        2,
        f"docker run -d --name subpath-demo -v myvolume:/app {ALPINE} sleep 3600",  # an engine < 26
        "subpath-demo mounts volume myvolume subpath myfolder at /app",
    ),
    "volumes-from": (
        4,
        f"docker run -d --name web-server-ro --volumes-from php-app {NGINX}",
        "web-server-ro mounts volume shared_data read-only",
    ),
    "compose-volumes": (
        3,
        f"{COMPOSE} down -v",  # "docker compose down deletes the data"
        "volume compose-volumes_named_volume has note.txt",
    ),
    "backup-restore": (
        3,
        f"docker run --rm -v backup_store:/backup -v app_data_restored:/target {ALPINE} sh -c "
        "'mkdir -p /target/source && cp /backup/app_data.tar /target/source/'",
        "volumes app_data and app_data_restored hold the same files",
    ),
    "secrets": (
        4,
        f"docker run -d --name mydb-secret -e MYSQL_ROOT_PASSWORD={PW} -v db_secrets:/run/secrets:ro {MYSQL}",
        "MYSQL_ROOT_PASSWORD is not in mydb-secret's configuration",
    ),
}


@pytest.mark.parametrize("lesson", sorted(WRONG_WORLDS))
def test_the_check_against_the_popular_claim_fails_in_the_claims_world(lesson, client, home):
    step, wrong, claim = WRONG_WORLDS[lesson]
    lesson = lesson.split("/")[0]
    before = engine_state(client)
    try:
        assert run_docklab("run", lesson, home=home, stdin="q\n").returncode == 1
        for number, command in enumerate(ALTERNATIVES[lesson][: step - 1], start=1):
            as_learner(lesson, command, home)
            assert wait_for_step(lesson, number, home).returncode == 0
        as_learner(lesson, wrong, home)
        out = run_docklab("check", lesson, "--step", str(step), home=home)
        assert out.returncode == 1, out.stdout
        assert f"✗ FAIL  {claim}" in out.stdout, out.stdout
    finally:
        reset = run_docklab("reset", lesson, home=home)
    assert reset.returncode == 0, reset.stdout + reset.stderr
    assert engine_state(client) == before
