"""Every lesson done wrong by hand, the way learners really slip: a whole-lesson script run
as a plain shell script, never through docklab, then ONE `docklab check LESSON` at the
end, on a clean engine: a plausible wrong solution fails the right step with the right
sentence. The right ones, on an engine like a learner's, are in test_learner_path."""

from __future__ import annotations

import pytest

from tests.conftest import engine_state, run_docklab
from tests.engine.lessonkit import LESSONS
from tests.handkit import by_hand, clean_up

pytestmark = pytest.mark.engine

WRONG: dict[str, list[tuple[str, str, tuple[int, str]]]] = {
    "data-loss": [
        (
            "the safe database on an anonymous volume",
            """
            docker run -d --name mydb -e MYSQL_ROOT_PASSWORD=rootpassword mysql:9.2.0
            waitdb mydb rootpassword
            sql mydb rootpassword "$GUIDE_SQL"
            docker restart mydb
            waitdb mydb rootpassword
            old=$(docker inspect mydb --format '{{range .Mounts}}{{.Name}}{{end}}')
            docker rm -f mydb
            docker run -d --name mydb -e MYSQL_ROOT_PASSWORD=rootpassword mysql:9.2.0
            waitdb mydb rootpassword
            docker run -d --name mydb-rescue -v "$old":/var/lib/mysql mysql:9.2.0
            waitdb mydb-rescue rootpassword
            docker run -d --name mydb-safe -e MYSQL_ROOT_PASSWORD=rootpassword mysql:9.2.0
            waitdb mydb-safe rootpassword
            """,
            (10, "mydb-safe mounts volume customers at /var/lib/mysql"),
        ),
        (
            "`rm -fv` destroys the data",
            """
            docker run -d --name mydb -e MYSQL_ROOT_PASSWORD=rootpassword mysql:9.2.0
            waitdb mydb rootpassword
            sql mydb rootpassword "$GUIDE_SQL"
            docker rm -fv mydb
            docker run -d --name mydb -e MYSQL_ROOT_PASSWORD=rootpassword mysql:9.2.0
            waitdb mydb rootpassword
            """,
            (4, "the volume that your database container had at /var/lib/mysql before its removal still exists"),
        ),
    ],
    "named-volumes": [
        (
            "a new container without the volume",
            """
            docker volume create mysql_data
            docker run -d --name mydb -e MYSQL_ROOT_PASSWORD=rootpassword -v mysql_data:/var/lib/mysql mysql:9.2.0
            waitdb mydb rootpassword
            sql mydb rootpassword "$GUIDE_SQL"
            docker rm -f mydb
            docker run -d --name new_container -e MYSQL_ROOT_PASSWORD=rootpassword mysql:9.2.0
            waitdb new_container rootpassword
            """,
            (5, "container mydb is running"),
        ),
        (
            "the orders database with -v",
            """
            docker volume create mysql_data
            docker run -d --name mydb -e MYSQL_ROOT_PASSWORD=rootpassword -v mysql_data:/var/lib/mysql mysql:9.2.0
            waitdb mydb rootpassword
            sql mydb rootpassword "$GUIDE_SQL"
            docker rm -f mydb
            docker run -d --name mydb -e MYSQL_ROOT_PASSWORD=rootpassword -v mysql_data:/var/lib/mysql mysql:9.2.0
            waitdb mydb rootpassword
            docker run -d --name orders-db -e MYSQL_ROOT_PASSWORD=rootpassword -e MYSQL_DATABASE=orders \\
              -v orders_data:/var/lib/mysql mysql:9.2.0
            waitdb orders-db rootpassword
            """,
            (8, "orders-db mounts volume orders_data made with `--mount` at /var/lib/mysql"),
        ),
    ],
    "managing-volumes": [
        (
            "pruning with --all at once",
            """
            docker volume create my-vol && docker volume rm my-vol
            docker volume create --label docklab.lesson=managing-volumes old-data
            docker run --rm -v old-data:/data busybox dd if=/dev/zero of=/data/blob bs=1M count=5
            docker volume prune -af --filter label=docklab.lesson=managing-volumes
            """,
            (5, "a volume prune kept old-data"),
        ),
        (
            "the twin pruned too",
            """
            docker volume create my-vol && docker volume rm my-vol
            docker volume create --label docklab.lesson=managing-volumes old-data
            docker run --rm -v old-data:/data busybox dd if=/dev/zero of=/data/blob bs=1M count=5
            docker volume prune -f --filter label=docklab.lesson=managing-volumes
            docker volume prune -af --filter label=docklab.lesson=managing-volumes
            docker volume create --label docklab.lesson=managing-volumes tmp-vol
            docker volume create --label docklab.lesson=managing-volumes tmp-keep
            docker volume prune -af --filter label=docklab.lesson=managing-volumes
            """,
            (7, "a volume prune removed tmp-vol, kept tmp-keep"),
        ),
    ],
    "mount-syntax": [
        (
            "-v twice",
            """
            docker volume create my-vol
            docker run -d --name web-v -v my-vol:/app nginx:latest
            docker run -d --name web-mount -v my-vol:/app nginx:latest
            docker exec web-v sh -c 'echo "written by web-v" > /app/hello.txt'
            """,
            (3, "web-mount mounts volume my-vol writable made with `--mount` at /app"),
        ),
        (
            "read-only with -v where --mount was asked for",
            """
            docker volume create my-vol
            docker run -d --name web-v -v my-vol:/app nginx:latest
            docker run -d --name web-mount --mount type=volume,source=my-vol,target=/app nginx:latest
            docker exec web-v sh -c 'echo "written by web-v" > /app/hello.txt'
            docker run -d --name web-ro -v my-vol:/data:ro nginx:latest
            docker run -d --name reader -v my-vol:/data:ro nginx:latest
            """,
            (6, "reader mounts volume my-vol read-only made with `--mount` at /data"),
        ),
    ],
    "mounting-over-data": [
        (
            "nocopy where copy-up was wanted",
            """
            docker run -d --name web-fresh -v fresh-html:/usr/share/nginx/html:nocopy nginx
            """,
            (1, "volume fresh-html:/ has index.html, 50x.html"),
        ),
        (
            "a file of your own first: no copy-up",
            """
            docker volume create fresh-html
            docker run -d --name web-fresh -v fresh-html:/usr/share/nginx/html nginx
            docker volume create own-html
            docker run --rm -v own-html:/data busybox sh -c 'echo "<h1>My own page</h1>" > /data/index.html'
            docker run -d --name web-data -v own-html:/usr/share/nginx/html nginx
            docker run -d --name web-nocopy -v nocopy-html:/usr/share/nginx/html:nocopy nginx
            docker exec web-fresh sh -c 'rm /usr/share/nginx/html/*'
            docker rm -f web-fresh
            docker run -d --name web-refill -v fresh-html:/usr/share/nginx/html nginx
            docker volume create nginx-share
            docker run --rm -v nginx-share:/x busybox touch /x/.keep
            docker run --rm -v nginx-share:/usr/share/nginx nginx true
            """,
            (6, "volume nginx-share:/ has html"),
        ),
    ],
    "anonymous-volumes": [
        (
            "`rm -v` where `rm` was asked for",
            """
            docker run -d --name temp_container -v /app/cache ubuntu sleep infinity
            docker rm -f -v temp_container
            """,
            (
                3,
                "the volume that your first container with an anonymous volume had at /app/cache before its removal still exists",
            ),
        ),
        (
            "`rm` without -v at the end",
            """
            docker run -d --name temp_container -v /app/cache ubuntu sleep infinity
            anon=$(docker inspect temp_container --format '{{range .Mounts}}{{.Name}}{{end}}')
            docker rm -f temp_container
            docker run -d --name temp_container2 -v /app/cache ubuntu sleep infinity
            docker rm -f -v temp_container2
            docker run --rm --name temp_container4 -v /app/cache ubuntu true
            docker run -d --name temp_container3 --mount type=volume,target=/app/cache ubuntu sleep infinity
            docker volume rm "$anon"
            docker run -d --name temp_container5 -v /app/cache -v keep_me:/app/data ubuntu sleep infinity
            docker rm -f temp_container5
            """,
            (10, "the volume that container temp_container5 had at /app/cache before its removal went with it"),
        ),
    ],
    "read-only": [
        (
            "forgot :ro",
            """
            docker volume create my_readonly_volume
            docker run --rm -v my_readonly_volume:/app busybox sh -c 'echo "hello, read me" > /app/greeting.txt'
            docker run -d --name ro-v -v my_readonly_volume:/app ubuntu sleep infinity
            """,
            (2, "ro-v mounts volume my_readonly_volume read-only made with `-v` at /app"),
        ),
        (
            "both mounts read-only",
            """
            docker volume create my_readonly_volume
            docker run --rm -v my_readonly_volume:/app busybox sh -c 'echo "hello, read me" > /app/greeting.txt'
            docker run -d --name ro-v -v my_readonly_volume:/app:ro ubuntu sleep infinity
            docker run -d --name ro-mount --mount type=volume,source=my_readonly_volume,target=/app,readonly ubuntu sleep infinity
            docker run --rm -v my_readonly_volume:/app busybox sh -c 'echo "written elsewhere" > /app/more.txt'
            docker run -d --name ro-mixed -v my_readonly_volume:/app:ro -v scratch_rw:/scratch:ro ubuntu sleep infinity
            """,
            (5, "ro-mixed mounts volume writable at /scratch"),
        ),
    ],
    "subpath": [
        (
            "the whole volume",
            """
            docker volume create myvolume
            docker run --rm -v myvolume:/data alpine sh -c 'mkdir -p /data/myfolder /data/otherfolder && echo "in myfolder" > /data/myfolder/hello.txt'
            docker run -d --name subpath-demo -v myvolume:/app alpine sleep infinity
            """,
            (2, "subpath-demo mounts volume myvolume subpath myfolder at /app"),
        ),
        (
            "the other folder writable",
            """
            docker volume create myvolume
            docker run --rm -v myvolume:/data alpine sh -c 'mkdir -p /data/myfolder /data/otherfolder && echo "in myfolder" > /data/myfolder/hello.txt && echo "not for this container" > /data/otherfolder/private.txt'
            docker run -d --name subpath-demo --mount source=myvolume,destination=/app,volume-subpath=myfolder alpine sleep infinity
            docker run -d --name subpath-missing --mount source=myvolume,destination=/app,volume-subpath=nofolder alpine sleep infinity || true
            docker run -d --name subpath-other --mount source=myvolume,destination=/other,volume-subpath=otherfolder alpine sleep infinity
            """,
            (4, "subpath-other mounts volume myvolume read-only subpath otherfolder at /other"),
        ),
    ],
    "volumes-from": [
        (
            "forgot :ro",
            """
            docker run -d --name php-app --mount source=shared_data,target=/var/www/html php:apache
            docker exec php-app sh -c 'printf "<h1>Hello from php-app</h1>\\n" > /var/www/html/index.html'
            docker container run --detach --name web-server --volumes-from php-app:rw nginx
            docker run -d --name web-server-ro --volumes-from php-app nginx
            """,
            (4, "web-server-ro mounts volume shared_data read-only at /var/www/html"),
        ),
        (
            "--volumes-from cannot move the files",
            """
            docker run -d --name php-app -v shared_data:/var/www/html php:apache
            docker exec php-app sh -c 'echo "<h1>Hello from php-app</h1>" > /var/www/html/index.html'
            docker run -d --name web-server --volumes-from php-app nginx
            docker run -d --name web-server-ro --volumes-from php-app:ro nginx
            docker run -d --name page-server --volumes-from php-app:ro busybox httpd -f -p 8080 -h /var/www/html
            docker run -d --name site-reader --volumes-from php-app:ro busybox sleep infinity
            """,
            (6, "site-reader mounts volume shared_data read-only at /srv/site"),
        ),
    ],
    "compose-volumes": [
        (
            "`down -v` where `down` was asked for",
            """
            WEB_IMAGE=nginx:latest docker compose up -d
            docker compose exec -T web sh -c 'echo "written before down" > /usr/share/nginx/html/note.txt'
            docker compose down -v
            """,
            (3, "volume compose-volumes_named_volume has note.txt"),
        ),
        (
            "version 2 over the old page",
            """
            WEB_IMAGE=nginx:latest docker compose up -d
            docker compose exec -T web sh -c 'echo "written before down" > /usr/share/nginx/html/note.txt'
            docker compose down
            WEB_IMAGE=nginx:latest docker compose up -d
            docker run -d --name site-build nginx:latest
            docker exec site-build sh -c 'echo "<h1>version 2</h1>" > /usr/share/nginx/html/index.html'
            docker commit site-build mysite:v2
            WEB_IMAGE=mysite:v2 docker compose up -d
            WEB_IMAGE=nginx:latest docker compose -p scratch up -d
            docker compose -p scratch down -v
            docker run --rm -v compose-volumes_named_volume:/into mysite:v2 cp /usr/share/nginx/html/index.html /into/
            docker run --rm -v compose-volumes_named_volume:/into mysite:v2 cp /usr/share/nginx/html/index.html /into/v2.html
            """,
            (7, "volume compose-volumes_named_volume has index.html, which contains 'Welcome to nginx'"),
        ),
    ],
    "backup-restore": [
        (
            "restored one folder too deep",
            """
            docker volume create app_data
            docker run --rm -v app_data:/data alpine sh -c 'mkdir -p /data/config && echo "hello from app_data" > /data/notes.txt && echo debug=true > /data/config/app.ini'
            docker run --rm -v app_data:/source:ro -v backup_store:/backup alpine tar -cf /backup/app_data.tar -C /source .
            docker run --rm -v backup_store:/backup -v app_data_restored:/target alpine sh -c 'mkdir -p /target/source && cd /target/source && tar xf /backup/app_data.tar'
            """,
            (3, "volumes app_data and app_data_restored hold the same files"),
        ),
        (
            "a live tar where a dump was asked for",
            """
            docker volume create app_data
            docker run --rm -v app_data:/data alpine sh -c 'mkdir -p /data/config && echo "hello from app_data" > /data/notes.txt && echo debug=true > /data/config/app.ini'
            docker run --rm -v app_data:/source:ro -v backup_store:/backup alpine tar -cf /backup/app_data.tar -C /source .
            docker run --rm -v backup_store:/backup:ro -v app_data_restored:/target alpine tar -xf /backup/app_data.tar -C /target
            docker run -d --name mydb -e MYSQL_ROOT_PASSWORD=rootpassword -v mysql_data:/var/lib/mysql mysql:9.2.0
            waitdb mydb rootpassword
            sql mydb rootpassword "$GUIDE_SQL"
            docker stop mydb
            docker run --rm -v mysql_data:/source:ro -v backup_store:/backup alpine tar -cf /backup/mysql_data.tar -C /source .
            docker start mydb
            waitdb mydb rootpassword
            docker run --rm -v mysql_data:/source:ro -v backup_store:/backup alpine tar -cf /backup/customers.sql -C /source .
            """,
            (8, "volume backup_store has customers.sql, which is text"),
        ),
    ],
    "secrets": [
        (
            "the password still in a variable",
            """
            docker run -d --name mydb-env -e MYSQL_ROOT_PASSWORD=Sup3r-s3cret-pw mysql:9.2.0
            docker volume create db_secrets
            docker run --rm -v db_secrets:/run/secrets busybox sh -c 'printf %s "Sup3r-s3cret-pw" > /run/secrets/mysql_root_password'
            docker run -d --name mydb-secret -e MYSQL_ROOT_PASSWORD=Sup3r-s3cret-pw -v db_secrets:/run/secrets:ro mysql:9.2.0
            waitdb mydb-secret Sup3r-s3cret-pw
            """,
            (4, "MYSQL_ROOT_PASSWORD is not in mydb-secret's configuration"),
        ),
        (
            "the database's name in a variable",
            """
            docker run -d --name mydb-env -e MYSQL_ROOT_PASSWORD=Sup3r-s3cret-pw mysql:9.2.0
            docker run -d --name mydb-dotenv --env-file "$ROOT/labs/secrets/.env" mysql:9.2.0
            docker volume create db_secrets
            docker run --rm -v db_secrets:/run/secrets busybox sh -c 'printf %s "Sup3r-s3cret-pw" > /run/secrets/mysql_root_password'
            docker run -d --name mydb-secret -e MYSQL_ROOT_PASSWORD_FILE=/run/secrets/mysql_root_password -v db_secrets:/run/secrets:ro mysql:9.2.0
            docker run -d --name mydb-app -e MYSQL_ROOT_PASSWORD_FILE=/run/secrets/mysql_root_password -e MYSQL_DATABASE=shop -v db_secrets:/run/secrets:ro mysql:9.2.0
            waitdb mydb-app Sup3r-s3cret-pw
            """,
            (5, "MYSQL_DATABASE is not in mydb-app's configuration (docker inspect)"),
        ),
    ],
}

CASES = [(lesson, label) for lesson, solutions in WRONG.items() for label, _, _ in solutions]


def test_every_lesson_has_a_wrong_solution_by_hand():
    assert set(WRONG) == set(LESSONS)


@pytest.mark.parametrize("lesson,label", CASES)
def test_a_wrong_solution_typed_by_hand_fails_the_right_step(lesson, label, client, home):
    script, (step, claim) = next((s, e) for name, s, e in WRONG[lesson] if name == label)
    before = engine_state(client)
    run_docklab("reset", lesson, home=home)  # what came before this test is not this attempt
    try:
        done = by_hand(script)
        assert done.returncode == 0, done.stdout + done.stderr
        out = run_docklab("check", lesson, home=home)
        assert out.returncode == 1, out.stdout
        section = out.stdout.split(f"== Step {step}/")[1].split("== Step")[0]
        assert f"✗ FAIL  {claim}" in section, out.stdout
        assert "✓ DONE" not in section, out.stdout
    finally:
        clean_up(client, before, lesson, home)
    assert engine_state(client) == before
