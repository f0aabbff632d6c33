#!/usr/bin/env bash
# Installs the Debian packages Phalanx needs, if they are missing (root uses apt-get, others sudo):
#   libsqlite3-dev  SQLite, linked by GRDB for the audit ledger
#   sqlite3         the SQLite shell, used by the CLI checks to tamper with ledgers
set -euo pipefail
missing=()
dpkg -s libsqlite3-dev >/dev/null 2>&1 || missing+=(libsqlite3-dev)
command -v sqlite3 >/dev/null || missing+=(sqlite3)
if [ ${#missing[@]} -gt 0 ]; then
    echo "installing ${missing[*]}" >&2
    if [ "$(id -u)" = 0 ]; then
        apt-get update -qq && apt-get install -y -qq "${missing[@]}"
    else
        sudo apt-get update -qq && sudo apt-get install -y -qq "${missing[@]}"
    fi
fi
