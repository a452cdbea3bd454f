#!/bin/bash
# Mirrors the official mysql image's entrypoint where lessons depend on it.
set -eo pipefail

log() { echo "$(date -u +%FT%TZ) [Entrypoint]: $*"; }
die() { log "ERROR: $*" >&2; exit 1; }

# VAR or VAR_FILE (never both), as the official image accepts.
file_env() {
  local var="$1" file_var="${1}_FILE" def="${2:-}"
  if [ -n "${!var:-}" ] && [ -n "${!file_var:-}" ]; then die "both $var and $file_var are set (but are exclusive)"; fi
  local val="$def"
  if [ -n "${!var:-}" ]; then val="${!var}"; elif [ -n "${!file_var:-}" ]; then val="$(< "${!file_var}")"; fi
  export "$var"="$val"; unset "$file_var"
}

sql() { mariadb --protocol=socket -uroot --socket=/run/mysqld/init.sock "$@"; }

if [ "${1:0:1}" = '-' ]; then set -- mysqld "$@"; fi
if [ "$1" = mysqld ] || [ "$1" = mariadbd ]; then
  shift; set -- mariadbd "$@"
  DATADIR=/var/lib/mysql
  mkdir -p "$DATADIR" /run/mysqld && chown mysql:mysql "$DATADIR" /run/mysqld
  if [ ! -d "$DATADIR/mysql" ]; then
    file_env MYSQL_ROOT_PASSWORD; file_env MYSQL_DATABASE; file_env MYSQL_USER; file_env MYSQL_PASSWORD
    if [ -z "$MYSQL_ROOT_PASSWORD" ] && [ -z "${MYSQL_ALLOW_EMPTY_PASSWORD:-}" ] && [ -z "${MYSQL_RANDOM_ROOT_PASSWORD:-}" ]; then
      die "Database is uninitialized and password option is not specified
    You need to specify one of the following as an environment variable:
    - MYSQL_ROOT_PASSWORD
    - MYSQL_ALLOW_EMPTY_PASSWORD
    - MYSQL_RANDOM_ROOT_PASSWORD"
    fi
    if [ -n "${MYSQL_RANDOM_ROOT_PASSWORD:-}" ]; then
      MYSQL_ROOT_PASSWORD="$(head -c 24 /dev/urandom | base64 | tr -d '/+=' | head -c 24)"
      log "GENERATED ROOT PASSWORD: $MYSQL_ROOT_PASSWORD"
    fi
    log "Initializing database files"
    mariadb-install-db --user=mysql --datadir="$DATADIR" --auth-root-authentication-method=normal \
      --skip-test-db --skip-name-resolve >/dev/null
    log "Starting temporary server"
    mariadbd --user=mysql --datadir="$DATADIR" --skip-networking --socket=/run/mysqld/init.sock &
    pid=$!
    for _ in $(seq 1 60); do sql -e 'SELECT 1' >/dev/null 2>&1 && break; sleep 0.5; done
    sql -e 'SELECT 1' >/dev/null || die "temporary server did not start"
    # Only root@localhost (socket) and root@'%' (TCP) keep a login, both with the password.
    sql -N -e "SELECT CONCAT(QUOTE(user),'@',QUOTE(host)) FROM mysql.global_priv
               WHERE NOT (user='root' AND host='localhost') AND user <> 'mariadb.sys'" |
      while read -r who; do sql -e "DROP USER $who"; done
    pw=${MYSQL_ROOT_PASSWORD//\\/\\\\}; pw=${pw//\'/\\\'}
    sql <<SQL
ALTER USER 'root'@'localhost' IDENTIFIED BY '$pw';
CREATE USER 'root'@'%' IDENTIFIED BY '$pw';
GRANT ALL ON *.* TO 'root'@'%' WITH GRANT OPTION;
FLUSH PRIVILEGES;
SQL
    if [ -n "$MYSQL_DATABASE" ]; then
      sql -p"$MYSQL_ROOT_PASSWORD" -e "CREATE DATABASE IF NOT EXISTS \`$MYSQL_DATABASE\`"
      if [ -n "$MYSQL_USER" ] && [ -n "$MYSQL_PASSWORD" ]; then
        sql -p"$MYSQL_ROOT_PASSWORD" -e "CREATE USER '$MYSQL_USER'@'%' IDENTIFIED BY '$MYSQL_PASSWORD';
          GRANT ALL ON \`$MYSQL_DATABASE\`.* TO '$MYSQL_USER'@'%'"
      fi
    fi
    kill "$pid"; wait "$pid" || true
    log "MySQL init process done. Ready for start up."
  fi
  exec "$@" --user=mysql --datadir="$DATADIR"
fi
exec "$@"
