"""Every lesson the way learners really work, on an engine like theirs: it already holds a
running MySQL of the learner's own, a web server, volumes made before the lesson, and the
leftovers of the two lessons done before it, never reset. Each lesson is typed by hand
three ways, each checked ONCE at the end with `docklab check LESSON`:

  (a) the guide's own commands (its names, its password), begun with `docklab start`;
  (b) other correct syntax with names and a password of the typist's own, never begun
      in docklab: check infers where the attempt began and must count nothing older;
  (c) one plausible slip, begun with `docklab start`: the slip alone fails the right
      step with a sentence; then its correction, without cleaning up the slip, passes.

The lessons run in ORDER, so that each finds the leftovers of the two before it (chosen so
that their names do not clash: a learner who did `data-loss` cannot reuse `mydb` without
removing it). Run alone (`-k`), a lesson makes its two predecessors' leftovers first."""

from __future__ import annotations

import time
import uuid

import pytest

from tests.conftest import engine_state, run_docklab
from tests.engine.lessonkit import LESSONS
from tests.handkit import by_hand, clean_up, made_since, new_since, remove
from tutor.core.engine.images import load_map

pytestmark = [pytest.mark.engine, pytest.mark.slow]

ALL = None
PATHS: dict[str, dict] = {
    "data-loss": {
        "guide": """
            docker run -d \\
             --name mydb \\
             -e MYSQL_ROOT_PASSWORD=rootpassword \\
             mysql:9.2.0
            waitdb mydb rootpassword
            sql mydb rootpassword "$GUIDE_SQL"
            docker exec mydb sh -c 'echo "a note of mine" > /etc/note.txt'
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
            docker run -d --name mydb-rescue -v "$old":/var/lib/mysql mysql:9.2.0
            waitdb mydb-rescue rootpassword
            sql mydb-rescue rootpassword "SELECT * FROM customer_data.customers"
            docker run -d --name mydb-safe -e MYSQL_ROOT_PASSWORD=rootpassword -v customers:/var/lib/mysql mysql:9.2.0
            waitdb mydb-safe rootpassword
            """,
        "own": """
            docker container run --detach --env MYSQL_ROOT_PASSWORD=pw-one --name first-db mysql:9.2.0
            waitdb first-db pw-one
            sql first-db pw-one "$GUIDE_SQL"
            docker exec first-db sh -c 'date > /etc/note.txt'
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
            docker volume create kept_db
            docker container run --detach --name safe-one --env MYSQL_ROOT_PASSWORD=pw-one \\
              --mount source=kept_db,target=/var/lib/mysql mysql:9.2.0
            waitdb safe-one pw-one
            """,
        # MySQL started without a password exits at once; the retry keeps it and goes on with other names
        "slip": """
            docker run -d --name mydb mysql:9.2.0
            sleep 3
            """,
        "fails": (1, "container mydb is running"),
        "retry": """
            docker run -d --name mydb2 -e MYSQL_ROOT_PASSWORD=rootpassword mysql:9.2.0
            waitdb mydb2 rootpassword
            sql mydb2 rootpassword "$GUIDE_SQL"
            docker exec mydb2 sh -c 'echo "written before the stop" > /etc/note.txt'
            docker restart mydb2
            waitdb mydb2 rootpassword
            old=$(docker inspect mydb2 --format '{{range .Mounts}}{{.Name}}{{end}}')
            docker rm -f mydb2
            docker run -d --name mydb3 -e MYSQL_ROOT_PASSWORD=rootpassword mysql:9.2.0
            waitdb mydb3 rootpassword
            docker run -d --name mydb-rescue -v "$old":/var/lib/mysql mysql:9.2.0
            waitdb mydb-rescue rootpassword
            docker run -d --name mydb-safe -e MYSQL_ROOT_PASSWORD=rootpassword -v customers:/var/lib/mysql mysql:9.2.0
            waitdb mydb-safe rootpassword
            """,
    },
    "named-volumes": {
        "guide": """
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
        "own": """
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
        # a mistyped path: the volume is mounted where MySQL does not look; removed and redone
        "slip": """
            docker volume create mysql_data
            docker run -d --name mydb -e MYSQL_ROOT_PASSWORD=rootpassword -v mysql_data:/var/lib/myslq mysql:9.2.0
            waitdb mydb rootpassword
            """,
        "fails": (2, "mydb mounts volume mysql_data at /var/lib/mysql"),
        "retry": """
            docker rm -f mydb
            docker run -d --name mydb -e MYSQL_ROOT_PASSWORD=rootpassword -v mysql_data:/var/lib/mysql mysql:9.2.0
            waitdb mydb rootpassword
            sql mydb rootpassword "$GUIDE_SQL"
            docker rm -f mydb
            docker run -d --name mydb -e MYSQL_ROOT_PASSWORD=rootpassword -v mysql_data:/var/lib/mysql mysql:9.2.0
            waitdb mydb rootpassword
            docker run -d --name orders-db -e MYSQL_ROOT_PASSWORD=rootpassword -e MYSQL_DATABASE=orders \\
              --mount type=volume,source=orders_data,target=/var/lib/mysql mysql:9.2.0
            waitdb orders-db rootpassword
            """,
    },
    "managing-volumes": {
        "guide": """
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
        "own": """
            docker volume create --driver local crm_files
            docker volume inspect --format '{{.Mountpoint}}' crm_files
            docker volume remove crm_files
            docker volume create --label docklab.lesson=managing-volumes junk
            docker container run --rm --mount source=junk,target=/data busybox \\
              sh -c 'head -c 5242880 /dev/zero > /data/blob'
            docker volume prune --force --filter label=docklab.lesson=managing-volumes
            docker volume prune -af --filter 'label=docklab.lesson=managing-volumes'
            docker volume create --label docklab.lesson=managing-volumes --driver local tmp-vol
            docker volume create --label docklab.lesson=managing-volumes --label keep=1 tmp-keep
            docker volume prune --all --force --filter label=docklab.lesson=managing-volumes --filter 'label!=keep'
            """,
        # a typo in the volume's name: the removal fails; the retry removes the right one
        "slip": """
            docker volume create my-vol
            docker volume inspect my-vol
            docker volume rm my-vl || true
            """,
        "fails": (3, "volume my-vol was removed"),
        "retry": """
            docker volume rm my-vol
            docker volume create --label docklab.lesson=managing-volumes old-data
            docker run --rm -v old-data:/data busybox dd if=/dev/zero of=/data/blob bs=1M count=5
            docker volume prune -f --filter label=docklab.lesson=managing-volumes
            docker volume prune -af --filter label=docklab.lesson=managing-volumes
            docker volume create --label docklab.lesson=managing-volumes --label docklab.drop=yes tmp-vol
            docker volume create --label docklab.lesson=managing-volumes tmp-keep
            docker volume prune -af --filter label=docklab.lesson=managing-volumes --filter label=docklab.drop=yes
            """,
    },
    "mount-syntax": {
        "guide": """
            docker volume create my-vol
            docker run -d --name my-container -v my-vol:/app nginx:latest
            # the guide's second command reuses the name; a learner picks another
            docker run -d --name my-container-2 --mount type=volume,source=my-vol,target=/app nginx:latest
            docker exec my-container sh -c 'echo "written by web-v" > /app/hello.txt'
            docker exec my-container-2 cat /app/hello.txt
            docker run -d --name ro-v -v my-vol:/data:ro nginx:latest
            docker run -d --name ro-mount --mount type=volume,src=my-vol,dst=/data,readonly nginx:latest
            """,
        "own": """
            docker volume create site
            docker container run --name by-v --detach --volume site:/app nginx
            docker container run --detach --mount source=site,destination=/app --name by-mount nginx
            docker container exec by-v sh -c 'echo "notes of my own" > /app/notes.md'
            docker container run --detach --volume site:/data:ro --name by-v-ro nginx
            docker container run --detach --mount source=site,destination=/data,ro=true --name by-mount-ro nginx
            """,
        # mounted at a mistyped path; removed and redone
        "slip": """
            docker volume create my-vol
            docker run -d --name web-v -v my-vol:/ap nginx:latest
            """,
        "fails": (2, "web-v mounts volume my-vol writable made with `-v` at /app"),
        "retry": """
            docker rm -f web-v
            docker run -d --name web-v -v my-vol:/app nginx:latest
            docker run -d --name web-mount --mount type=volume,source=my-vol,target=/app nginx:latest
            docker exec web-v sh -c 'echo "written by web-v" > /app/hello.txt'
            docker run -d --name web-ro -v my-vol:/data:ro nginx:latest
            docker run -d --name reader --mount type=volume,source=my-vol,target=/data,readonly nginx:latest
            """,
    },
    "mounting-over-data": {
        "guide": """
            docker volume create fresh-html
            docker run -d --name web-fresh -v fresh-html:/usr/share/nginx/html nginx
            docker volume create own-html
            docker run --rm -v own-html:/data busybox sh -c 'echo "<h1>My own page</h1>" > /data/index.html'
            docker run -d --name web-data -v own-html:/usr/share/nginx/html nginx
            docker run -d --name web-nocopy -v nocopy-html:/usr/share/nginx/html:nocopy nginx
            docker exec web-fresh sh -c 'rm /usr/share/nginx/html/*'
            docker rm -f web-fresh
            docker run -d --name web-refill -v fresh-html:/usr/share/nginx/html nginx
            docker run --rm -v nginx-share:/usr/share/nginx nginx true
            """,
        "own": """
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
        # nocopy where copy-up was wanted; the retry keeps that container and makes another on the still-empty volume
        "slip": """
            docker run -d --name web-fresh -v fresh-html:/usr/share/nginx/html:nocopy nginx
            """,
        "fails": (1, "volume fresh-html:/ has index.html, 50x.html"),
        "retry": """
            docker run -d --name web-fresh-2 -v fresh-html:/usr/share/nginx/html nginx
            docker volume create own-html
            docker run --rm -v own-html:/data busybox sh -c 'echo "<h1>Mine</h1>" > /data/index.html'
            docker run -d --name web-data -v own-html:/usr/share/nginx/html nginx
            docker run -d --name web-nocopy -v nocopy-html:/usr/share/nginx/html:nocopy nginx
            docker exec web-fresh-2 sh -c 'rm /usr/share/nginx/html/*'
            docker rm -f web-fresh web-fresh-2
            docker run -d --name web-refill -v fresh-html:/usr/share/nginx/html nginx
            docker run --rm -v nginx-share:/usr/share/nginx nginx true
            """,
    },
    "anonymous-volumes": {
        "guide": """
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
        "own": """
            docker container run --detach --volume /app/cache --name cache1 ubuntu sleep 3600
            anon=$(docker container inspect --format '{{range .Mounts}}{{.Name}}{{end}}' cache1)
            docker stop -t 0 cache1 && docker container rm cache1
            docker run --rm --name cache2 -v /app/cache ubuntu true
            docker container run --rm --name temp_container4 --volume /app/cache ubuntu true
            docker container run -d --name cache3 --mount type=volume,destination=/app/cache ubuntu sleep 3600
            docker volume remove "$anon"
            docker volume create --label=docklab.lesson=anonymous-volumes >/dev/null
            echo y | docker volume prune --filter=label=docklab.lesson=anonymous-volumes
            docker container run --rm --name temp_container5 --volume /app/cache \\
              --mount source=keep_me,target=/app/data ubuntu true
            """,
        # the review's slip: the challenge's container removed without -v, then done again right
        "slip": """
            docker run -d --name temp_container -v /app/cache ubuntu sleep infinity
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
            docker rm -f temp_container5
            """,
        "fails": (10, "the volume that container temp_container5 had at /app/cache before its removal went with it"),
        "retry": """
            docker run -d --name temp_container5 -v /app/cache -v keep_me:/app/data ubuntu sleep infinity \\
              && docker rm -f -v temp_container5
            """,
    },
    "read-only": {
        "guide": """
            docker volume create my_readonly_volume
            docker run --rm -v my_readonly_volume:/app busybox sh -c 'echo "my settings" > /app/settings.conf'
            # the guide's `docker run -it` keeps a shell open; -d with -t keeps it open without one
            docker run -dit \\
             --name readonly_container \\
             -v my_readonly_volume:/app:ro \\
             alpine:latest
            docker exec readonly_container touch /app/new.txt || true
            docker run -d --name ro-mount --mount type=volume,source=my_readonly_volume,target=/app,readonly ubuntu sleep infinity
            docker run --rm -v my_readonly_volume:/app busybox sh -c 'printf "a second file\\n" > /app/second.conf'
            docker run -d --name ro-mixed --mount source=my_readonly_volume,target=/app,readonly \\
              --mount source=notes,target=/scratch ubuntu sleep infinity
            """,
        "own": """
            docker volume create configs
            docker run --rm --mount source=configs,target=/c busybox sh -c 'echo "port=80" > /c/app.ini'
            docker container run --detach --name cfg-ro --volume configs:/app:ro ubuntu:latest sleep 3600
            docker container run --detach --name cfg-mount --mount source=configs,target=/app,readonly ubuntu sleep 3600
            docker run --rm --mount source=configs,target=/c busybox sh -c 'echo "debug=1" > /c/extra.ini'
            docker container run --detach --name ro-mixed --volume configs:/app:ro \\
              --mount source=work,target=/scratch ubuntu:latest sleep 3600
            """,
        # the review's slip, with names of the typist's own: :ro forgotten on reader-v, which is
        # kept; the retry makes reader-v2 right, and the challenge's writable volume (made later)
        # leaves two new volumes: both roles have two candidates, one choice meets each step
        "slip": """
            docker volume create shelf
            docker run --rm -v shelf:/app busybox sh -c 'echo "hello, read me" > /app/greeting.txt'
            docker run -d --name reader-v -v shelf:/app ubuntu sleep infinity
            """,
        "fails": (2, "reader-v mounts volume shelf read-only made with `-v` at /app"),
        "retry": """
            docker run -d --name reader-v2 -v shelf:/app:ro ubuntu sleep infinity
            docker run -d --name reader-mnt --mount type=volume,source=shelf,target=/app,readonly ubuntu sleep infinity
            docker run --rm -v shelf:/app busybox sh -c 'echo "written elsewhere" > /app/more.txt'
            docker run -d --name reader-mix -v shelf:/app:ro -v scratchpad:/scratch ubuntu sleep infinity
            """,
    },
    "subpath": {
        "guide": """
            docker volume create myvolume
            docker run --rm -v myvolume:/data alpine sh -c 'mkdir -p /data/myfolder /data/otherfolder && echo "mine" > /data/myfolder/hello.txt && echo "secret stuff" > /data/otherfolder/private.txt'
            docker run -d \\
             --name subdir_container \\
             --mount source=myvolume,destination=/app,volume-subpath=myfolder \\
             ubuntu
            docker run -d --name subpath-missing --mount source=myvolume,destination=/app,volume-subpath=nofolder alpine sleep infinity || true
            docker container run --detach --name subpath-other \\
              --mount type=volume,src=myvolume,dst=/other,volume-subpath=otherfolder,readonly=true alpine sleep 3600
            """,
        "own": """
            docker volume create projects
            docker run --rm --mount source=projects,target=/p alpine sh -c \\
              'mkdir /p/myfolder /p/otherfolder && echo one > /p/myfolder/a.txt && echo two > /p/otherfolder/b.txt'
            docker container run -d --name only-mine \\
              --mount type=volume,source=projects,target=/app,volume-subpath=myfolder alpine:latest sleep 3600
            docker container create --name nowhere --mount source=projects,target=/app,volume-subpath=nofolder alpine sleep 3600
            docker start nowhere || true
            docker container run -d --name only-other \\
              --mount source=projects,target=/other,volume-subpath=otherfolder,ro alpine sleep 3600
            """,
        # a typo in the subfolder: that container never starts; the retry makes another
        "slip": """
            docker volume create myvolume
            docker run --rm -v myvolume:/data alpine sh -c 'mkdir -p /data/myfolder /data/otherfolder && echo "in myfolder" > /data/myfolder/hello.txt && echo "other" > /data/otherfolder/private.txt'
            docker run -d --name subpath-demo --mount source=myvolume,destination=/app,volume-subpath=myfoldr alpine sleep infinity || true
            """,
        "fails": (2, "subpath-demo mounts volume myvolume subpath myfolder at /app"),
        "retry": """
            docker run -d --name subpath-demo-2 --mount source=myvolume,destination=/app,volume-subpath=myfolder alpine sleep infinity
            docker run -d --name subpath-missing --mount source=myvolume,destination=/app,volume-subpath=nofolder alpine sleep infinity || true
            docker run -d --name subpath-other --mount source=myvolume,destination=/other,volume-subpath=otherfolder,readonly alpine sleep infinity
            """,
    },
    "volumes-from": {
        "guide": """
            docker run -d --name php-app -v shared_data:/var/www/html php:apache
            docker exec php-app sh -c 'echo "<h1>Hello from php-app</h1>" > /var/www/html/index.html'
            docker run -d --name web-server --volumes-from php-app nginx
            docker run -d --name web-server-ro --volumes-from php-app:ro nginx
            docker run -d --name page-server --volumes-from php-app:ro busybox httpd -f -p 8080 -h /var/www/html
            docker exec page-server wget -qO- http://localhost:8080/
            docker run -d --name site-reader --mount source=shared_data,target=/srv/site,readonly busybox sleep infinity
            """,
        "own": """
            docker container run --detach --mount source=site_files,target=/var/www/html --name cms php:apache
            docker container exec cms sh -c 'echo "<p>my own page</p>" > /var/www/html/index.html'
            docker container run --detach --volumes-from cms:rw --name front nginx
            docker container run --detach --volumes-from=cms:ro --name front-ro nginx
            docker container run --detach --volumes-from cms:ro --name static busybox httpd -f -h /var/www/html
            docker container run --detach --name site-reader --volume site_files:/srv/site:ro busybox sleep 3600
            """,
        # :ro forgotten; the retry keeps that server and makes a read-only one beside it
        "slip": """
            docker run -d --name php-app --mount source=shared_data,target=/var/www/html php:apache
            docker exec php-app sh -c 'printf "<h1>Hello from php-app</h1>\\n" > /var/www/html/index.html'
            docker container run --detach --name web-server --volumes-from php-app:rw nginx
            docker run -d --name web-server-ro --volumes-from php-app nginx
            """,
        "fails": (4, "web-server-ro mounts volume shared_data read-only at /var/www/html"),
        "retry": """
            docker run -d --name web-server-ro2 --volumes-from php-app:ro nginx
            docker run -d --name page-server --volumes-from php-app:ro busybox httpd -f -p 9000 -h /var/www/html
            docker run -d --name site-reader -v shared_data:/srv/site:ro busybox sleep infinity
            """,
    },
    "compose-volumes": {
        "guide": """
            WEB_IMAGE=nginx:latest docker compose up -d
            docker volume ls
            docker compose exec -T web sh -c 'echo "written before down" > /usr/share/nginx/html/note.txt'
            docker compose down
            WEB_IMAGE=nginx:latest docker compose up -d
            docker compose exec -T web cat /usr/share/nginx/html/note.txt
            docker run -d --name site-build nginx:latest
            docker exec site-build sh -c 'echo "<h1>version 2</h1>" > /usr/share/nginx/html/index.html'
            docker commit site-build mysite:v2
            WEB_IMAGE=mysite:v2 docker compose up -d
            WEB_IMAGE=nginx:latest docker compose -p scratch up -d
            docker compose -p scratch down -v
            docker cp site-build:/usr/share/nginx/html/index.html /tmp/docklab-test-v2.html
            docker compose cp /tmp/docklab-test-v2.html web:/usr/share/nginx/html/v2.html
            """,
        "own": """
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
            docker run --rm -v myshop_named_volume:/into mysite:v2 cp /usr/share/nginx/html/index.html /into/v2.html
            """,
        # `down -v` where `down` was asked for: the note is gone; the retry writes it again and goes on
        "slip": """
            WEB_IMAGE=nginx:latest docker compose up -d
            docker compose exec -T web sh -c 'echo "written before down" > /usr/share/nginx/html/note.txt'
            docker compose down -v
            """,
        "fails": (3, "volume compose-volumes_named_volume has note.txt"),
        "retry": """
            WEB_IMAGE=nginx:latest docker compose up -d
            docker compose exec -T web sh -c 'echo "written again" > /usr/share/nginx/html/note.txt'
            docker compose down
            WEB_IMAGE=nginx:latest docker compose up -d
            docker run -d --name site-build nginx:latest
            docker exec site-build sh -c 'echo "<h1>version 2</h1>" > /usr/share/nginx/html/index.html'
            docker commit site-build mysite:v2
            WEB_IMAGE=mysite:v2 docker compose up -d
            WEB_IMAGE=nginx:latest docker compose -p scratch up -d
            docker compose -p scratch down -v
            docker run --rm -v compose-volumes_named_volume:/into mysite:v2 cp /usr/share/nginx/html/index.html /into/v2.html
            """,
    },
    "backup-restore": {
        "guide": """
            docker volume create app_data
            docker run --rm -v app_data:/data alpine sh -c 'mkdir -p /data/config && echo "hello from app_data" > /data/notes.txt && echo "debug=true" > /data/config/app.ini && chmod 600 /data/config/app.ini'
            docker run --rm -v app_data:/source:ro -v backup_store:/backup alpine tar -cf /backup/app_data.tar -C /source .
            docker run --rm -v backup_store:/backup:ro -v app_data_restored:/target alpine tar -xf /backup/app_data.tar -C /target
            docker run --rm -v app_data_restored:/data alpine cat /data/notes.txt
            docker run -d --name mydb -e MYSQL_ROOT_PASSWORD=rootpassword -v mysql_data:/var/lib/mysql mysql:9.2.0
            waitdb mydb rootpassword
            sql mydb rootpassword "$GUIDE_SQL"
            docker stop mydb
            docker run --rm -v mysql_data:/source:ro -v backup_store:/backup alpine tar -cf /backup/mysql_data.tar -C /source .
            docker start mydb
            waitdb mydb rootpassword
            docker exec mydb sh -c 'MYSQL_PWD="$MYSQL_ROOT_PASSWORD" exec mysqldump -uroot --databases customer_data' |
              docker run --rm -i -v backup_store:/backup alpine sh -c 'cat > /backup/customers.sql'
            """,
        "own": """
            docker volume create appvol
            docker run --rm --mount source=appvol,target=/data alpine sh -c \\
              'mkdir /data/etc && echo "my notes" > /data/readme.md && echo verbose=1 > /data/etc/settings.cfg'
            docker run --rm --mount source=appvol,target=/source,readonly --mount source=backups,target=/backup \\
              alpine sh -c 'cd /source && tar cf /backup/appvol-2026.tar .'
            docker volume create appvol2
            docker run --rm -v backups:/backup -v appvol2:/target alpine sh -c 'cd /target && tar xf /backup/appvol-2026.tar'
            docker run --rm -v appvol2:/data alpine cat /data/etc/settings.cfg
            docker run -d --name shopdb -e MYSQL_ROOT_PASSWORD=My-0wn-pw \\
              --mount source=shop_mysql,target=/var/lib/mysql mysql:9.2.0
            waitdb shopdb My-0wn-pw
            sql shopdb My-0wn-pw "$GUIDE_SQL"
            docker stop shopdb
            docker run --rm -v shop_mysql:/source:ro -v backups:/backup alpine tar -cf /backup/db-files.tar -C /source .
            docker start shopdb
            waitdb shopdb My-0wn-pw
            docker exec shopdb sh -c 'MYSQL_PWD="$MYSQL_ROOT_PASSWORD" exec mysqldump -uroot customer_data' |
              docker run --rm -i -v backups:/backup alpine sh -c 'cat > /backup/customers.sql'
            """,
        # restored one folder too deep; the retry restores into a new volume, right
        "slip": """
            docker volume create app_data
            docker run --rm -v app_data:/data alpine sh -c 'mkdir -p /data/config && echo "hello" > /data/notes.txt && echo debug=true > /data/config/app.ini'
            docker run --rm -v app_data:/source:ro -v backup_store:/backup alpine tar -cf /backup/app_data.tar -C /source .
            docker run --rm -v backup_store:/backup -v app_data_restored:/target alpine sh -c 'mkdir -p /target/source && cd /target/source && tar xf /backup/app_data.tar'
            """,
        "fails": (3, "volumes app_data and app_data_restored hold the same files"),
        "retry": """
            docker run --rm -v backup_store:/backup:ro -v app_data_restored2:/target alpine tar -xf /backup/app_data.tar -C /target
            docker run -d --name mydb -e MYSQL_ROOT_PASSWORD=rootpassword -v mysql_data:/var/lib/mysql mysql:9.2.0
            waitdb mydb rootpassword
            sql mydb rootpassword "$GUIDE_SQL"
            docker stop mydb
            docker run --rm -v mysql_data:/source:ro -v backup_store:/backup alpine tar -cf /backup/mysql_data.tar -C /source .
            docker start mydb
            waitdb mydb rootpassword
            docker exec mydb sh -c 'MYSQL_PWD="$MYSQL_ROOT_PASSWORD" exec mysqldump -uroot --databases customer_data' |
              docker run --rm -i -v backup_store:/backup alpine sh -c 'cat > /backup/customers.sql'
            """,
    },
    "secrets": {
        "guide": """
            docker run -d --name mydb-env -e MYSQL_ROOT_PASSWORD=Sup3r-s3cret-pw mysql:9.2.0
            docker inspect mydb-env --format '{{json .Config.Env}}'
            docker run -d --name mydb-dotenv --env-file "$ROOT/labs/secrets/.env" mysql:9.2.0
            docker volume create db_secrets
            docker run --rm -v db_secrets:/run/secrets busybox sh -c 'umask 077 && printf %s "Sup3r-s3cret-pw" > /run/secrets/mysql_root_password'
            docker run -d --name mydb-secret -e MYSQL_ROOT_PASSWORD_FILE=/run/secrets/mysql_root_password -v db_secrets:/run/secrets:ro mysql:9.2.0
            docker run --rm -v db_secrets:/run/secrets busybox sh -c 'printf shop > /run/secrets/mysql_database'
            docker run -d --name mydb-app -e MYSQL_ROOT_PASSWORD_FILE=/run/secrets/mysql_root_password -e MYSQL_DATABASE_FILE=/run/secrets/mysql_database -v db_secrets:/run/secrets:ro mysql:9.2.0
            waitdb mydb-env Sup3r-s3cret-pw
            waitdb mydb-dotenv Sup3r-s3cret-pw
            waitdb mydb-secret Sup3r-s3cret-pw
            waitdb mydb-app Sup3r-s3cret-pw
            """,
        "own": """
            docker container run --detach --name env-db --env MYSQL_ROOT_PASSWORD=An0ther-pw mysql:9.2.0
            docker run -d --name file-env-db --env-file "$ROOT/labs/secrets/.env" mysql:9.2.0
            docker volume create vault
            docker run --rm --mount source=vault,target=/s busybox sh -c 'echo -n An0ther-pw > /s/root.pw'
            docker run -d --name file-db --env MYSQL_ROOT_PASSWORD_FILE=/run/secrets/root.pw \\
              --mount source=vault,target=/run/secrets,readonly mysql:9.2.0
            docker run --rm --mount source=vault,target=/s busybox sh -c 'echo -n shop > /s/dbname'
            docker run -d --name mydb-app --env MYSQL_ROOT_PASSWORD_FILE=/run/secrets/root.pw \\
              --env MYSQL_DATABASE_FILE=/run/secrets/dbname --mount source=vault,target=/run/secrets,readonly mysql:9.2.0
            waitdb env-db An0ther-pw
            waitdb file-env-db Sup3r-s3cret-pw
            waitdb file-db An0ther-pw
            waitdb mydb-app An0ther-pw
            """,
        # the password still in a variable beside the file; the retry keeps it and makes another
        "slip": """
            docker run -d --name mydb-env -e MYSQL_ROOT_PASSWORD=Sup3r-s3cret-pw mysql:9.2.0
            docker run -d --name mydb-dotenv --env-file "$ROOT/labs/secrets/.env" mysql:9.2.0
            docker volume create db_secrets
            docker run --rm -v db_secrets:/run/secrets busybox sh -c 'printf %s "Sup3r-s3cret-pw" > /run/secrets/mysql_root_password'
            docker run -d --name mydb-secret -e MYSQL_ROOT_PASSWORD=Sup3r-s3cret-pw -v db_secrets:/run/secrets:ro mysql:9.2.0
            waitdb mydb-env Sup3r-s3cret-pw
            waitdb mydb-dotenv Sup3r-s3cret-pw
            waitdb mydb-secret Sup3r-s3cret-pw
            """,
        "fails": (4, "MYSQL_ROOT_PASSWORD is not in mydb-secret's configuration"),
        "retry": """
            docker run -d --name mydb-secret2 -e MYSQL_ROOT_PASSWORD_FILE=/run/secrets/mysql_root_password -v db_secrets:/run/secrets:ro mysql:9.2.0
            docker run --rm -v db_secrets:/run/secrets busybox sh -c 'printf shop > /run/secrets/mysql_database'
            docker run -d --name mydb-app -e MYSQL_ROOT_PASSWORD_FILE=/run/secrets/mysql_root_password -e MYSQL_DATABASE_FILE=/run/secrets/mysql_database -v db_secrets:/run/secrets:ro mysql:9.2.0
            waitdb mydb-secret2 Sup3r-s3cret-pw
            waitdb mydb-app Sup3r-s3cret-pw
            """,
    },
}

# Each lesson finds the leftovers of the two before it (the first two, those of the last two).
ORDER = [
    "volumes-from",
    "secrets",
    "data-loss",
    "managing-volumes",
    "mounting-over-data",
    "named-volumes",
    "mount-syntax",
    "anonymous-volumes",
    "backup-restore",
    "read-only",
    "subpath",
    "compose-volumes",
]

# The learner's own things, made before any lesson: none of them may take a role.
CROWD = """
docker volume create {p}-notes
docker volume create {p}-old
docker run -d --name {p}-db -e MYSQL_ROOT_PASSWORD={p}-pw -v {p}-dbdata:/var/lib/mysql mysql:9.2.0
docker run -d --name {p}-db-restore -e MYSQL_ROOT_PASSWORD={p}-pw -v {p}-dbold:/var/lib/mysql mysql:9.2.0
docker run -d --name {p}-web -v {p}-site:/usr/share/nginx/html nginx
docker create --name {p}-tmp -v /cache busybox && docker rm {p}-tmp
waitdb {p}-db {p}-pw
"""


class Leftovers:
    """What each lesson's (c) path left on the shared engine, kept for the two lessons after it."""

    def __init__(self, client):
        self.client = client
        self.made: dict[str, dict[str, set[str]]] = {}

    def keep(self, lesson: str, before: dict) -> None:
        self.made[lesson] = new_since(self.client, before)

    def ready_for(self, lesson: str) -> list[str]:
        """The two lessons before this one have left their things (run alone: made now, by
        the guide's commands); older leftovers are cleared. Returns those two."""
        at = ORDER.index(lesson)
        wanted = [ORDER[at - 2], ORDER[at - 1]]
        for old in [x for x in self.made if x not in wanted]:
            remove(self.client, self.made.pop(old), old)
        for other in wanted:
            if other not in self.made:
                before = engine_state(self.client)
                done = by_hand(PATHS[other]["guide"])
                assert done.returncode == 0, done.stdout + done.stderr
                self.keep(other, before)
        return wanted

    def clear(self) -> None:
        for lesson in list(self.made):
            remove(self.client, self.made.pop(lesson), lesson)


@pytest.fixture(scope="module")
def crowded(client):
    """The learner's own things, then the lessons' leftovers as the module goes."""
    p = f"mine-{uuid.uuid4().hex[:6]}"
    before = engine_state(client)
    done = by_hand(CROWD.format(p=p))
    assert done.returncode == 0, done.stdout + done.stderr
    own = new_since(client, before)
    leftovers = Leftovers(client)
    try:
        yield leftovers
    finally:
        leftovers.clear()
        remove(client, own)
    assert engine_state(client) == before


def check(lesson: str, home) -> tuple[int, str]:
    out = run_docklab("check", lesson, home=home)
    return out.returncode, out.stdout + out.stderr


def section(report: str, step: int) -> str:
    return report.split(f"== Step {step}/")[1].split("== Step")[0]


def test_every_lesson_has_a_path():
    assert set(PATHS) == set(LESSONS) == set(ORDER)


@pytest.mark.parametrize("lesson", ORDER)
def test_a_learners_own_path_on_a_crowded_engine(lesson, crowded, client, tmp_path):
    others = crowded.ready_for(lesson)
    path = PATHS[lesson]
    for way in ("guide", "own"):
        home = tmp_path / way
        home.mkdir()
        before = engine_state(client)
        try:
            if way == "guide":
                started = run_docklab("start", lesson, home=home)
                assert started.returncode == 0, started.stdout + started.stderr
                assert "== Step 1/" in started.stdout and f"docklab check {lesson}" in started.stdout
            done = by_hand(path[way])
            assert done.returncode == 0, f"{way}: " + done.stdout + done.stderr
            code, report = check(lesson, home)
            assert code == 0, f"{way} (after {', '.join(others)}):\n{report}"
            assert "remember " not in report  # sentences, never the lesson file's own words for a fact
            if way == "own":  # never begun in docklab: the check says where it took the start
                assert report.startswith(f"No start recorded (`docklab start {lesson}` before step 1"), report
        finally:
            made_since(client, before, lesson)

    home = tmp_path / "slip"
    home.mkdir()
    before = engine_state(client)
    try:
        started = run_docklab("start", lesson, home=home)
        assert started.returncode == 0, started.stdout + started.stderr
        done = by_hand(path["slip"])
        assert done.returncode == 0, "slip: " + done.stdout + done.stderr
        code, report = check(lesson, home)
        step, claim = path["fails"]
        assert code == 1, report
        assert f"✗ FAIL  {claim}" in section(report, step), report  # the slip alone fails, and says how
        done = by_hand(path["retry"])
        assert done.returncode == 0, "retry: " + done.stdout + done.stderr
        code, report = check(lesson, home)
        assert code == 0, f"the retry, the slip left in place:\n{report}"
    finally:
        crowded.keep(lesson, before)  # for the next two lessons


def test_checks_go_on_finding_where_the_attempt_began_after_the_engine_forgot_it(client, tmp_path):
    """The engine keeps only its last 256 events. A learner checks, runs other commands
    (here fifty `docker exec`s, 150 events), checks again, and so on: their first commands
    leave the engine's memory. docklab kept what each check read, so every check still
    takes the attempt's start where the first did."""
    lesson = "volumes-from"
    run_docklab("reset", lesson, home=tmp_path)  # what earlier tests made here is not this attempt's
    before = engine_state(client)
    began = time.time()
    try:
        done = by_hand(PATHS[lesson]["own"])
        assert done.returncode == 0, done.stdout + done.stderr
        code, first = check(lesson, tmp_path)
        start = first.splitlines()[0]
        assert code == 0 and "judged from" in start, first
        box = client.containers.run(
            load_map("offline").resolve("busybox"), ["sleep", "300"], detach=True, name=f"tst-{uuid.uuid4().hex[:8]}"
        )
        try:
            for _ in range(3):
                for _ in range(50):
                    box.exec_run(["true"])
                code, again = check(lesson, tmp_path)
                assert code == 0 and again.splitlines()[0] == start, again
        finally:
            box.remove(force=True)
        held = client.api.events(since=int(began) - 1, until=int(time.time()) + 1, decode=True)
        assert min(e["timeNano"] for e in held) > began * 1e9  # the engine itself has forgotten the start
    finally:
        clean_up(client, before, lesson, tmp_path)


def checked_by_hand(client, home, lesson: str, script: str) -> str:
    """`docklab check LESSON`, once, after the script by hand, never begun in docklab: reset
    first (what earlier tests made, removed since, stays in the engine's history and is not
    this attempt's), and what the script made removed after."""
    run_docklab("reset", lesson, home=home)
    before = engine_state(client)
    try:
        done = by_hand(script)
        assert done.returncode == 0, done.stdout + done.stderr
        return check(lesson, home)[1]
    finally:
        clean_up(client, before, lesson, home)


def test_a_slip_kept_and_its_retry_read_back_at_the_first_volumes_place_start_where_it_began(client, tmp_path):
    """backup-restore in the learner's own shell and names, never begun in docklab: a restore
    one folder too deep kept, the retry into a second volume, read back at /data. Both the
    first volume and the retry now fit step 1 (mounted at /data), and starting from the retry
    finds as many roles as from the first; the first still holds what plays the others (the
    slip and the retry both restored), so the attempt starts there and steps 1-4 pass."""
    p = f"tst{uuid.uuid4().hex[:6]}"
    report = checked_by_hand(
        client,
        tmp_path,
        "backup-restore",
        f"""
        docker volume create {p}files
        docker run --rm -v {p}files:/data alpine sh -c 'mkdir -p /data/conf && echo notes > /data/notes.md'
        docker run --rm -v {p}files:/source:ro -v {p}backups:/backup alpine tar -cf /backup/f.tar -C /source .
        docker run --rm -v {p}backups:/backup:ro -v {p}restore:/target alpine sh -c \\
          'mkdir -p /target/source && tar -xf /backup/f.tar -C /target/source'
        docker run --rm -v {p}backups:/backup:ro -v {p}restore2:/target alpine tar -xf /backup/f.tar -C /target
        docker run --rm -v {p}restore2:/data alpine cat /data/notes.md
        """,
    )
    assert f"when volume {p}files was made" in report.splitlines()[0], report
    for step in (1, 2, 3, 4):
        assert "✗ FAIL" not in section(report, step), report


def test_an_older_attempt_and_a_retry_of_step_1_start_at_the_retry(client, tmp_path):
    """backup-restore by hand: a first attempt (a volume filled, backed up), then a retry
    begun with a new volume, not backed up yet. Either could start the attempt and each
    finds as many roles; the retry is the latest, so the attempt starts there and its
    step 2 is not done by the first attempt's backup."""
    p = f"tst{uuid.uuid4().hex[:6]}"
    report = checked_by_hand(
        client,
        tmp_path,
        "backup-restore",
        f"""
        docker volume create {p}a
        docker run --rm -v {p}a:/data alpine sh -c 'echo one > /data/notes.md'
        docker run --rm -v {p}a:/source:ro -v {p}b:/backup alpine tar -cf /backup/a.tar -C /source .
        sleep 1
        docker volume create {p}a2
        docker run --rm -v {p}a2:/data alpine sh -c 'echo two > /data/notes.md'
        """,
    )
    assert f"when volume {p}a2 was made" in report.splitlines()[0], report
    assert "✗ FAIL" not in section(report, 1) and "✗ FAIL" in section(report, 2), report
