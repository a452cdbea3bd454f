#!/bin/sh
# Like the real image's entrypoint: run the server in the foreground, or any other
# command given (`docker run IMAGE ls ...`). busybox httpd as PID 1 would ignore
# SIGTERM/SIGQUIT, so `docker stop` and `docker compose down` would wait 10 s.
if [ "$1" = httpd ]; then
  "$@" & pid=$!
  trap 'kill "$pid"; wait "$pid"; exit 0' TERM QUIT INT WINCH
  wait "$pid"
  exit $?
fi
exec "$@"
