#!/bin/sh
# Starts the machine's PostgreSQL cluster when it is installed but down, for the tests that need
# it (the PostgreSQL suite, migrations on PostgreSQL, the multi-process tests). Where there is
# no PostgreSQL at all those tests skip, and say so.
if ! command -v pg_isready >/dev/null 2>&1; then
    echo "PostgreSQL is not installed: its tests will be skipped."
    exit 0
fi
if pg_isready -h 127.0.0.1 -p 5432 -q; then
    exit 0
fi
if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
    echo "Starting PostgreSQL..."
    if [ "$(id -u)" = "0" ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start || true
    for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && exit 0; sleep 1; done
fi
echo "PostgreSQL is not running on 127.0.0.1:5432: its tests will be skipped."
