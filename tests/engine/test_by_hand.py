"""Every lesson done by hand, the way learners really work: a whole-lesson solution run
as a plain shell script, never through docklab, in the learner's own names and
password, then ONE `docklab check LESSON` at the end. A correct solution must pass
every step; a plausible wrong one must fail the right step with the right sentence.

The scripts are the guide's own commands wherever the guide has the scenario (its
names, its password `rootpassword`), and other correct syntax. Image names are the
real ones; the offline image map turns them into the local stand-ins, as docklab
does for the commands it shows."""

from __future__ import annotations

import os
import subprocess
import textwrap

import pytest

from tests.conftest import ROOT, engine_state, run_docklab
from tests.engine.test_lessons import images_left
from tutor.core.engine.images import load_map

pytestmark = pytest.mark.engine

PRELUDE = r"""
set -euo pipefail
# A learner waits for MySQL to answer before typing SQL; so does this script.
waitdb() { for _ in $(seq 120); do
  docker exec "$1" mysqladmin ping -h127.0.0.1 --protocol=tcp -uroot -p"$2" 2>/dev/null | grep -q alive && return 0
  sleep 1; done; echo "MySQL in $1 never answered" >&2; docker logs "$1" >&2; return 1; }
sql() { docker exec "$1" mysql -uroot -p"$2" -e "$3"; }
GUIDE_SQL="CREATE DATABASE customer_data; USE customer_data; CREATE TABLE customers (id INT, name VARCHAR(100));
INSERT INTO customers VALUES (1, 'John Doe'); SELECT * FROM customers;"
cd "$ROOT/labs/compose-volumes"   # only the compose lesson needs it; the others do not care
"""
IMAGES = ("mysql:9.2.0", "nginx:latest", "nginx", "busybox", "ubuntu", "alpine", "alpine:latest", "php:apache")
ALL = None  # every step passes

SOLUTIONS: dict[str, list[tuple[str, str, tuple[int, str] | None]]] = {
    "data-loss": [
        (
            "the guide's commands",
            """
            docker run -d \\
             --name mydb \\
             -e MYSQL_ROOT_PASSWORD=rootpassword \\
             mysql:9.2.0
            waitdb mydb rootpassword
            sql mydb rootpassword "$GUIDE_SQL"
            docker exec mydb sh -c 'echo "in the writable layer" > /etc/note.txt'
            docker stop mydb
            docker start mydb
            waitdb mydb rootpassword
            old=$(docker inspect mydb --format '{{range .Mounts}}{{.Name}}{{end}}')
            docker rm -f mydb
            docker run -d \\
             --name mydb \\
             -e MYSQL_ROOT_PASSWORD=rootpassword \\
             mysql:9.2.0
            waitdb mydb rootpassword
            ! sql mydb rootpassword "USE customer_data;"
            docker volume ls --filter dangling=true
            docker run -d --name rescue -v "$old":/var/lib/mysql mysql:9.2.0
            waitdb rescue rootpassword
            sql rescue rootpassword "SELECT * FROM customer_data.customers"
            docker volume create safe
            docker run -d --name mydb-safe -e MYSQL_ROOT_PASSWORD=rootpassword --mount source=safe,target=/var/lib/mysql mysql:9.2.0
            waitdb mydb-safe rootpassword
            """,
            ALL,
        ),
        (
            "other names and syntax",
            """
            docker container run --detach --env MYSQL_ROOT_PASSWORD=pw-one --name first-db mysql:9.2.0
            waitdb first-db pw-one
            sql first-db pw-one "$GUIDE_SQL"
            docker exec first-db sh -c 'echo "in the writable layer" > /etc/note.txt'
            docker container restart first-db
            waitdb first-db pw-one
            old=$(docker container inspect --format '{{range .Mounts}}{{.Name}}{{end}}' first-db)
            docker container rm --force first-db
            docker container create --name second-db --env MYSQL_ROOT_PASSWORD=pw-one mysql:9.2.0
            docker container start second-db
            waitdb second-db pw-one
            docker container run --detach --name saved \\
              --mount type=volume,source="$old",target=/var/lib/mysql mysql:9.2.0
            waitdb saved pw-one
            docker container run --detach --name mydb-safe --env MYSQL_ROOT_PASSWORD=pw-one -v kept_db:/var/lib/mysql mysql:9.2.0
            waitdb mydb-safe pw-one
            """,
            ALL,
        ),
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
            "the guide's commands",
            """
            docker volume create mysql_data
            docker run -d \\
             --name mydb \\
             -e MYSQL_ROOT_PASSWORD=rootpassword \\
             -v mysql_data:/var/lib/mysql \\
             mysql:9.2.0
            waitdb mydb rootpassword
            sql mydb rootpassword "$GUIDE_SQL"
            docker volume ls
            docker volume inspect mysql_data
            docker rm -f mydb
            docker run -d --name new_container -e MYSQL_ROOT_PASSWORD=rootpassword -v mysql_data:/var/lib/mysql mysql:9.2.0
            waitdb new_container rootpassword
            sql new_container rootpassword "SELECT * FROM customer_data.customers"
            docker inspect new_container --format '{{json .Mounts}}'
            docker run -d --name orders-db -e MYSQL_ROOT_PASSWORD=rootpassword \\
              --mount type=volume,src=orders_data,dst=/var/lib/mysql mysql:9.2.0
            waitdb orders-db rootpassword
            sql orders-db rootpassword "CREATE DATABASE orders"
            """,
            ALL,
        ),
        (
            "other names and syntax",
            """
            docker volume create --driver local shop-data
            docker container run --detach --name shop-db --env MYSQL_ROOT_PASSWORD=s3cret \\
              --mount type=volume,source=shop-data,target=/var/lib/mysql mysql:9.2.0
            waitdb shop-db s3cret
            sql shop-db s3cret "$GUIDE_SQL"
            docker container rm --force shop-db
            docker container create --name shop-db-2 --env MYSQL_ROOT_PASSWORD=s3cret \\
              --mount source=shop-data,target=/var/lib/mysql mysql:9.2.0
            docker container start shop-db-2
            waitdb shop-db-2 s3cret
            docker container run --detach --name orders-db --env MYSQL_ROOT_PASSWORD=s3cret --env MYSQL_DATABASE=orders \\
              --mount source=orders_data,target=/var/lib/mysql mysql:9.2.0
            waitdb orders-db s3cret
            """,
            ALL,
        ),
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
            "the guide's commands",
            """
            docker volume create my-vol
            docker volume ls
            docker volume inspect my-vol
            docker volume rm my-vol
            docker volume create --label docklab.lesson=managing-volumes old-data
            docker run --rm -v old-data:/data busybox dd if=/dev/zero of=/data/blob bs=1M count=5
            echo y | docker volume prune --filter label=docklab.lesson=managing-volumes
            echo y | docker volume prune --all --filter label=docklab.lesson=managing-volumes
            docker volume create --label docklab.lesson=managing-volumes --label docklab.drop=yes tmp-vol
            docker volume create --label docklab.lesson=managing-volumes tmp-keep
            echo y | docker volume prune -a --filter label=docklab.lesson=managing-volumes --filter label=docklab.drop=yes
            """,
            ALL,
        ),
        (
            "other names and syntax",
            """
            docker volume create --driver local scratch
            docker volume inspect --format '{{.Mountpoint}}' scratch
            docker volume remove scratch
            docker volume create --label docklab.lesson=managing-volumes junk
            docker container run --rm --mount source=junk,target=/data busybox \\
              sh -c 'head -c 5242880 /dev/zero > /data/blob'
            docker volume prune --force --filter label=docklab.lesson=managing-volumes
            docker volume prune -af --filter 'label=docklab.lesson=managing-volumes'
            docker volume create --label docklab.lesson=managing-volumes --driver local tmp-vol
            docker volume create --label docklab.lesson=managing-volumes --label keep=1 tmp-keep
            docker volume prune --all --force --filter label=docklab.lesson=managing-volumes --filter 'label!=keep'
            """,
            ALL,
        ),
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
            "the guide's commands",
            """
            docker volume create my-vol
            docker run -d --name my-container -v my-vol:/app nginx:latest
            # the guide's second command reuses the name; a learner picks another
            docker run -d --name my-container-2 --mount type=volume,source=my-vol,target=/app nginx:latest
            docker exec my-container sh -c 'echo "written by web-v" > /app/hello.txt'
            docker run -d --name ro-v -v my-vol:/data:ro nginx:latest
            docker run -d --name ro-mount --mount type=volume,src=my-vol,dst=/data,readonly nginx:latest
            """,
            ALL,
        ),
        (
            "other syntax",
            """
            docker volume create site
            docker container run --name by-v --detach --volume site:/app nginx:latest
            docker container run --detach --mount source=site,destination=/app --name by-mount nginx:latest
            docker container exec by-v sh -c 'echo "notes of my own" > /app/notes.md'
            docker container run --detach --volume site:/data:ro --name by-v-ro nginx:latest
            docker container run --detach --mount source=site,destination=/data,ro=true --name by-mount-ro nginx:latest
            """,
            ALL,
        ),
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
            "other names and syntax",
            """
            docker run -d --name site1 --mount type=volume,source=html-a,target=/usr/share/nginx/html nginx
            docker volume create html-b
            docker run --rm --mount source=html-b,target=/x busybox sh -c 'echo "<p>a page of mine</p>" > /x/index.html'
            docker run -d --name site2 --mount source=html-b,target=/usr/share/nginx/html nginx
            docker run -d --name site3 \\
              --mount type=volume,source=html-c,target=/usr/share/nginx/html,volume-nocopy nginx
            docker exec site1 sh -c 'rm -rf /usr/share/nginx/html/*'
            docker container rm --force site1
            docker container create --name site4 --mount source=html-a,target=/usr/share/nginx/html nginx
            docker start site4
            docker run --rm --mount source=nginx-share,target=/usr/share/nginx nginx ls /usr/share/nginx/html
            """,
            ALL,
        ),
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
            "the guide's commands",
            """
            docker run -d \\
             --name temp_container \\
             -v /app/cache \\
             ubuntu
            docker inspect temp_container | grep Mounts -A 5
            anon=$(docker inspect temp_container --format '{{range .Mounts}}{{.Name}}{{end}}')
            docker rm -f temp_container
            docker run -d --name temp_container2 -v /app/cache ubuntu sleep infinity
            docker rm -f -v temp_container2
            docker run --rm --name temp_container4 -v /app/cache ubuntu true
            docker run -d --name temp_container3 --mount type=volume,target=/app/cache ubuntu sleep infinity
            docker volume rm "$anon"
            docker volume create --label docklab.lesson=anonymous-volumes
            docker volume prune --force --filter label=docklab.lesson=anonymous-volumes
            docker run -d --name temp_container5 -v /app/cache -v keep_me:/app/data ubuntu sleep infinity
            docker rm -fv temp_container5
            """,
            ALL,
        ),
        (
            "other names and syntax",
            """
            docker container run --detach --volume /app/cache --name cache1 ubuntu sleep 3600
            anon=$(docker container inspect --format '{{range .Mounts}}{{.Name}}{{end}}' cache1)
            docker stop -t 0 cache1 && docker container rm cache1
            docker run --rm --name cache2 -v /app/cache ubuntu true
            docker container run --rm --name temp_container4 --volume /app/cache ubuntu true
            docker container run -d --name cache3 --mount type=volume,destination=/app/cache ubuntu sleep 3600
            docker volume remove "$anon"
            docker volume create --label=docklab.lesson=anonymous-volumes >/dev/null
            echo y | docker volume prune --filter=label=docklab.lesson=anonymous-volumes
            docker container run --rm --name temp_container5 --volume /app/cache --mount source=keep_me,target=/app/data ubuntu true
            """,
            ALL,
        ),
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
            "the guide's commands",
            """
            docker volume create my_readonly_volume
            # the lesson's file names, the learner's own words in them
            docker run --rm -v my_readonly_volume:/app busybox sh -c 'echo "my settings" > /app/greeting.txt'
            # the guide's `docker run -it` keeps a shell open; -d with -t keeps it open without one
            docker run -dit \\
             --name readonly_container \\
             -v my_readonly_volume:/app:ro \\
             alpine:latest
            docker run -d --name ro-mount --mount type=volume,source=my_readonly_volume,target=/app,readonly ubuntu sleep infinity
            docker run --rm -v my_readonly_volume:/app busybox sh -c 'printf "a second file\\n" > /app/more.txt'
            docker run -d --name ro-mixed --mount source=my_readonly_volume,target=/app,readonly \\
              --mount source=notes,target=/scratch ubuntu sleep infinity
            """,
            ALL,
        ),
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
            "the guide's commands",
            """
            docker volume create myvolume
            # the lesson's folders and file names, the learner's own words in them
            docker run --rm -v myvolume:/data alpine sh -c 'mkdir -p /data/myfolder /data/otherfolder && echo "mine" > /data/myfolder/hello.txt && echo "secret stuff" > /data/otherfolder/private.txt'
            docker run -d \\
             --name subdir_container \\
             --mount source=myvolume,destination=/app,volume-subpath=myfolder \\
             ubuntu
            docker run -d --name subpath-missing --mount source=myvolume,destination=/app,volume-subpath=nofolder alpine sleep infinity || true
            docker container run --detach --name subpath-other \\
              --mount type=volume,src=myvolume,dst=/other,volume-subpath=otherfolder,readonly=true alpine sleep 3600
            """,
            ALL,
        ),
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
            "the guide's commands",
            """
            docker run -d --name php-app -v shared_data:/var/www/html php:apache
            docker exec php-app sh -c 'echo "<h1>Hello from php-app</h1>" > /var/www/html/index.html'
            docker run -d --name web-server --volumes-from php-app nginx
            docker run -d --name web-server-ro --volumes-from php-app:ro nginx
            docker run -d --name page-server --volumes-from php-app:ro busybox httpd -f -p 8080 -h /var/www/html
            docker exec page-server wget -qO- http://localhost:8080/
            docker run -d --name site-reader --mount source=shared_data,target=/srv/site,readonly busybox sleep infinity
            """,
            ALL,
        ),
        (
            "other names and syntax",
            """
            docker container run --detach --mount source=site_files,target=/var/www/html --name cms php:apache
            docker container exec cms sh -c 'echo "<p>my own page</p>" > /var/www/html/index.html'
            docker container run --detach --volumes-from cms:rw --name front nginx
            docker container run --detach --volumes-from=cms:ro --name front-ro nginx
            docker container run --detach --volumes-from cms:ro --name static busybox httpd -f -p 8080 -h /var/www/html
            docker container run --detach --name site-reader --volume site_files:/srv/site:ro busybox sleep 3600
            """,
            ALL,
        ),
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
            "a project of another name (-p)",
            """
            WEB_IMAGE=nginx:latest docker compose -p myshop up -d
            docker compose -p myshop exec -T web sh -c 'echo "keep me" > /usr/share/nginx/html/note.txt'
            docker compose -p myshop down
            WEB_IMAGE=nginx:latest docker compose -p myshop up -d
            docker run -d --name site-build nginx:latest
            docker exec site-build sh -c 'echo "<h1>the new site</h1>" > /usr/share/nginx/html/index.html'
            docker commit site-build mysite:v2
            WEB_IMAGE=mysite:v2 docker compose -p myshop up -d
            WEB_IMAGE=nginx:latest docker compose -p scratch up -d
            docker compose -p scratch down -v
            docker run --rm -v myshop_named_volume:/into mysite:v2 cp /usr/share/nginx/html/index.html /into/
            """,
            ALL,
        ),
        (
            "COMPOSE_PROJECT_NAME",
            """
            export COMPOSE_PROJECT_NAME=fromenv
            WEB_IMAGE=nginx:latest docker compose up --detach
            docker compose exec -T web sh -c 'echo "written before down" > /usr/share/nginx/html/note.txt'
            docker compose down
            WEB_IMAGE=nginx:latest docker compose up --detach
            docker container create --name site-build nginx:latest
            docker container start site-build
            docker container exec site-build sh -c 'echo "<h1>version 2</h1>" > /usr/share/nginx/html/index.html'
            docker container commit site-build mysite:v2
            WEB_IMAGE=mysite:v2 docker compose up --detach
            WEB_IMAGE=nginx:latest COMPOSE_PROJECT_NAME=scratch docker compose up -d
            COMPOSE_PROJECT_NAME=scratch docker compose down --volumes
            docker run --rm --mount source=fromenv_named_volume,target=/x mysite:v2 \\
              sh -c 'cat /usr/share/nginx/html/index.html > /x/index.html'
            """,
            ALL,
        ),
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
            "version 2 by emptying the volume",
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
            docker compose down -v
            WEB_IMAGE=mysite:v2 docker compose up -d
            """,
            (7, "volume compose-volumes_named_volume has note.txt"),
        ),
    ],
    "backup-restore": [
        (
            "other names and syntax",
            """
            docker volume create appvol
            docker run --rm --mount source=appvol,target=/data alpine sh -c \\
              'mkdir /data/config && echo "my notes" > /data/notes.txt && echo verbose=1 > /data/config/app.ini'
            docker run --rm --mount source=appvol,target=/source,readonly --mount source=backups,target=/backup \\
              alpine sh -c 'cd /source && tar cf /backup/app_data.tar .'
            docker volume create appvol2
            docker run --rm -v backups:/backup -v appvol2:/target alpine sh -c 'cd /target && tar xf /backup/app_data.tar'
            docker run --rm -v appvol2:/data alpine cat /data/config/app.ini
            docker run -d --name shopdb -e MYSQL_ROOT_PASSWORD=rootpassword --mount source=shop_mysql,target=/var/lib/mysql mysql:9.2.0
            waitdb shopdb rootpassword
            sql shopdb rootpassword "$GUIDE_SQL"
            docker stop shopdb
            docker run --rm -v shop_mysql:/source:ro -v backups:/backup alpine tar -cf /backup/mysql_data.tar -C /source .
            docker start shopdb
            waitdb shopdb rootpassword
            docker exec shopdb sh -c 'exec mysqldump -uroot -p"$MYSQL_ROOT_PASSWORD" --databases customer_data' |
              docker run --rm -i -v backups:/backup alpine sh -c 'cat > /backup/customers.sql'
            """,
            ALL,
        ),
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
            "other names and syntax",
            """
            docker container run --detach --name env-db --env MYSQL_ROOT_PASSWORD=An0ther-pw mysql:9.2.0
            docker volume create vault
            docker run --rm --mount source=vault,target=/s busybox sh -c 'echo -n An0ther-pw > /s/mysql_root_password'
            docker run -d --name file-db --env MYSQL_ROOT_PASSWORD_FILE=/run/secrets/mysql_root_password \\
              --mount source=vault,target=/run/secrets,readonly mysql:9.2.0
            waitdb env-db An0ther-pw
            waitdb file-db An0ther-pw
            docker run -d --name mydb-dotenv --env-file "$ROOT/labs/secrets/.env" mysql:9.2.0
            docker run --rm --mount source=vault,target=/s busybox sh -c 'echo -n shop > /s/dbname'
            docker run -d --name mydb-app --env MYSQL_ROOT_PASSWORD_FILE=/run/secrets/mysql_root_password \\
              --env MYSQL_DATABASE_FILE=/run/secrets/dbname --mount source=vault,target=/run/secrets,readonly mysql:9.2.0
            waitdb mydb-app An0ther-pw
            waitdb mydb-dotenv Sup3r-s3cret-pw
            """,
            ALL,
        ),
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

CASES = [(lesson, label) for lesson, solutions in SOLUTIONS.items() for label, _, _ in solutions]


def by_hand(script: str) -> subprocess.CompletedProcess:
    """The solution in a plain bash, as a learner types it: no docklab anywhere."""
    text = load_map("offline").apply(textwrap.dedent(script), IMAGES)
    return subprocess.run(
        ["bash", "-c", PRELUDE + text],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "ROOT": str(ROOT)},
    )


def clean_up(client, before: dict, lesson: str, home) -> None:
    """Remove what the script made (this engine is the tests'), then reset the lesson, so
    that the next solution's check counts nothing of this one's history."""
    after = engine_state(client)
    for cid in set(after["containers"]) - set(before["containers"]):
        client.api.remove_container(cid, force=True)
    for name in set(after["volumes"]) - set(before["volumes"]):
        client.api.remove_volume(name, force=True)
    for name in set(after["networks"]) - set(before["networks"]):
        client.api.remove_network(name)
    run_docklab("reset", lesson, home=home)
    for tag in images_left(client, lesson):  # made by hand, outside any lesson docklab began: the test's to remove
        client.images.remove(tag, force=True)


def test_every_lesson_has_a_solution_by_hand_and_a_wrong_one():
    from tests.engine.test_lessons import LESSONS

    assert set(SOLUTIONS) == set(LESSONS)
    for lesson, solutions in SOLUTIONS.items():
        assert any(expect is ALL for _, _, expect in solutions), lesson
        assert any(expect is not ALL for _, _, expect in solutions), lesson


@pytest.mark.parametrize("lesson,label", CASES)
def test_a_solution_typed_by_hand_is_judged_once_at_the_end(lesson, label, client, home):
    script, expect = next((s, e) for name, s, e in SOLUTIONS[lesson] if name == label)
    before = engine_state(client)
    run_docklab("reset", lesson, home=home)  # what came before this test is not this attempt
    try:
        done = by_hand(script)
        assert done.returncode == 0, done.stdout + done.stderr
        out = run_docklab("check", lesson, home=home)
        if expect is ALL:
            assert out.returncode == 0, out.stdout + out.stderr
        else:
            step, claim = expect
            assert out.returncode == 1, out.stdout
            section = out.stdout.split(f"== Step {step}/")[1].split("== Step")[0]
            assert f"✗ FAIL  {claim}" in section, out.stdout
            assert "✓ DONE" not in section, out.stdout
    finally:
        clean_up(client, before, lesson, home)
    assert engine_state(client) == before
