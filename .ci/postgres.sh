# shellcheck shell=bash
# Start a throwaway PostgreSQL cluster on 127.0.0.1 for the records tests.
#
#   . .ci/postgres.sh          # sourced: starts it, exports BACLOFEN_CDS_TEST_DATABASE_URL,
#                              # and stops it (and deletes it) when the calling shell exits
#
# initdb refuses to run as root, so the cluster runs as the `postgres` user (root is needed
# to switch to it; as a non-root user the cluster simply runs as that user). Installs the
# Debian package when PostgreSQL is absent and apt-get is available.
# Port: BACLOFEN_CDS_PG_PORT, else the first free one from 54329 (several checkouts on one
# machine can each run their own).

_bcds_pg_fail() { echo "postgres.sh: $*" >&2; return 1; }

_bcds_pg_start() {
    local port="${BACLOFEN_CDS_PG_PORT:-}"
    if [ -z "$port" ]; then
        port=54329
        while (: <"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
            port=$((port + 1))
            [ "$port" -lt 54400 ] || { _bcds_pg_fail "no free port in 54329-54399"; return 1; }
        done
    fi
    if ! ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1; then
        command -v apt-get >/dev/null 2>&1 || { _bcds_pg_fail "PostgreSQL is not installed"; return 1; }
        echo "postgres.sh: installing PostgreSQL (apt-get)" >&2
        apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive \
            apt-get install -y -qq postgresql >/dev/null || { _bcds_pg_fail "apt-get install postgresql failed"; return 1; }
    fi
    BCDS_PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
    BCDS_PGROOT=$(mktemp -d /tmp/pgci.XXXXXX)
    local run_as=()
    if [ "$(id -u)" = "0" ]; then
        chown postgres:postgres "$BCDS_PGROOT"
        run_as=(su postgres -s /bin/sh -c)
    else
        run_as=(sh -c)
    fi
    BCDS_PG_RUN_AS=("${run_as[@]}")
    "${run_as[@]}" "$BCDS_PGBIN/initdb -D $BCDS_PGROOT/data -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >$BCDS_PGROOT/initdb.log 2>&1" \
        || { cat "$BCDS_PGROOT/initdb.log" >&2; _bcds_pg_fail "initdb failed"; return 1; }
    "${run_as[@]}" "$BCDS_PGBIN/pg_ctl -D $BCDS_PGROOT/data -l $BCDS_PGROOT/server.log -w -o '-c listen_addresses=127.0.0.1 -p $port -k $BCDS_PGROOT -c fsync=off' start >/dev/null" \
        || { cat "$BCDS_PGROOT/server.log" >&2; _bcds_pg_fail "the server did not start (port $port in use?)"; return 1; }
    export BACLOFEN_CDS_TEST_DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:$port/postgres"
    echo "postgres.sh: PostgreSQL running on 127.0.0.1:$port ($BCDS_PGROOT)" >&2
}

bcds_pg_stop() {
    [ -n "${BCDS_PGROOT:-}" ] || return 0
    "${BCDS_PG_RUN_AS[@]}" "$BCDS_PGBIN/pg_ctl -D $BCDS_PGROOT/data -m fast -w stop >/dev/null 2>&1" || true
    rm -rf "$BCDS_PGROOT"
    unset BCDS_PGROOT BACLOFEN_CDS_TEST_DATABASE_URL
}

if _bcds_pg_start; then
    # Chain onto an EXIT trap the caller may already have.
    _bcds_prev_trap=$(trap -p EXIT | sed -e "s/^trap -- '//" -e "s/' EXIT\$//")
    # shellcheck disable=SC2064
    trap "bcds_pg_stop${_bcds_prev_trap:+; $_bcds_prev_trap}" EXIT
else
    bcds_pg_stop
    return 1 2>/dev/null || exit 1
fi
