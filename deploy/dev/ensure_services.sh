#!/usr/bin/env bash
# Make sure PostgreSQL and Redis answer on 127.0.0.1 before the test suite runs.
# Started when installed but stopped; installed with apt-get when absent and we are root.
set -euo pipefail

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_port() {
  for _ in $(seq 1 60); do port_open "$1" && return 0; sleep 0.5; done
  echo "ensure_services: $2 did not come up on port $1" >&2
  return 1
}

apt_install() {
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
    echo "ensure_services: $* not installed; install it (apt-get install $*) or run as root" >&2
    exit 1
  fi
  if [ -z "${APT_UPDATED:-}" ]; then apt-get update -qq; APT_UPDATED=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

ensure_postgres() {
  port_open 5432 && return 0
  local fresh=""
  if ! command -v pg_ctlcluster >/dev/null || [ -z "$(ls /etc/postgresql 2>/dev/null)" ]; then
    apt_install postgresql
    fresh=1
  fi
  local version
  version=$(ls /etc/postgresql | sort -V | tail -1)
  if [ -n "$fresh" ]; then
    # A cluster we just installed for tests: trust local TCP connections, as CI's does.
    local hba="/etc/postgresql/$version/main/pg_hba.conf"
    sed -i -E 's/^(host\s+all\s+all\s+(127\.0\.0\.1\/32|::1\/128)\s+)\S+/\1trust/' "$hba"
  fi
  pg_ctlcluster --skip-systemctl-redirect "$version" main start || pg_ctlcluster "$version" main start
  wait_port 5432 PostgreSQL
}

ensure_redis() {
  port_open 6379 && return 0
  command -v redis-server >/dev/null || apt_install redis-server
  mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir "${TMPDIR:-/tmp}" --logfile "${TMPDIR:-/tmp}/petrosa-redis.log"
  wait_port 6379 Redis
}

ensure_nats() {
  port_open 4222 && return 0
  command -v nats-server >/dev/null || apt_install nats-server
  local store="${TMPDIR:-/tmp}/petrosa-nats"
  mkdir -p "$store"
  nats-server -a 127.0.0.1 -p 4222 -js -sd "$store" -l "${TMPDIR:-/tmp}/petrosa-nats.log" &
  disown || true
  wait_port 4222 NATS
}

ensure_postgres
ensure_redis
ensure_nats
echo "ensure_services: PostgreSQL, Redis and NATS (JetStream) are up"
