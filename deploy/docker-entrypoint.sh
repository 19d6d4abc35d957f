#!/bin/sh
# One image, several roles. Each container starts with an empty metrics directory:
# samples of processes from a previous container are gone with their processes.
set -eu
rm -rf "${PROMETHEUS_MULTIPROC_DIR:?}" && mkdir -p "$PROMETHEUS_MULTIPROC_DIR"

role="${1:-web}"
[ "$#" -gt 0 ] && shift
case "$role" in
  web)      exec python manage.py serve --host 0.0.0.0 --port "${PORT:-8000}" "$@" ;;
  worker)   exec celery -A petrosa worker -Q "${CELERY_QUEUES:-signals,execution}" \
              --concurrency "${CELERY_CONCURRENCY:-2}" --without-gossip --without-mingle "$@" ;;
  beat)     exec celery -A petrosa beat --schedule /tmp/celerybeat-schedule "$@" ;;
  consumer) exec python manage.py consume_signals "$@" ;;
  migrate)  exec python manage.py migrate --noinput "$@" ;;
  *)        exec "$role" "$@" ;;
esac
