#!/usr/bin/env bash
# Fuzz the REST API over its own OpenAPI schema with schemathesis: no 5xx, and
# every documented response matches the schema. Runs against gunicorn on a
# throwaway SQLite database seeded with demo data; exits non-zero on failure.
#
#   scripts/schemathesis.sh                 # as a desk officer, then as a citizen
#   ST_USERS=citizen1 ST_EXAMPLES=50 scripts/schemathesis.sh
#
# Extra schemathesis flags can be given as arguments.
set -euo pipefail
cd "$(dirname "$0")/.."

ROOT=$(pwd)
PY=.venv/bin/python
ST_USERS=${ST_USERS:-ubnd_p_tt.desk citizen1}
ST_EXAMPLES=${ST_EXAMPLES:-20}
WORK=$(mktemp -d -t motcua-schemathesis-XXXXXX)
SERVER_PID=""

cleanup() {
  if [[ -n "$SERVER_PID" ]]; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# ST_DATABASE_URL runs it on another (throwaway) database, e.g. PostgreSQL.
export DATABASE_URL="${ST_DATABASE_URL:-sqlite:///$WORK/db.sqlite3}"
export DJANGO_MEDIA_ROOT="$WORK/media"
export DJANGO_DEBUG=false DJANGO_SECRET_KEY=schemathesis-only-secret DJANGO_SECURE_SSL_REDIRECT=false
export DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost
export DJANGO_LOG_LEVEL=ERROR
# Exercise the endpoints, not the throttle.
export API_THROTTLE_AUTH=100000/minute API_THROTTLE_VERIFY=100000/minute

echo "== migrate and seed ($WORK)"
$PY manage.py migrate --noinput -v 0
$PY manage.py seed_demo --dossiers 20 --no-documents -v 0 >/dev/null

PORT=$($PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
echo "== gunicorn on 127.0.0.1:$PORT"
.venv/bin/gunicorn config.wsgi:application -b "127.0.0.1:$PORT" -w 2 --log-level warning &
SERVER_PID=$!

for user in $ST_USERS; do
  token=$($PY manage.py shell --no-imports -c "
from rest_framework.authtoken.models import Token
from accounts.models import User
print(Token.objects.get_or_create(user=User.objects.get(username='$user'))[0].key)
")
  echo "== schemathesis as $user, $ST_EXAMPLES examples per operation"
  # From the scratch folder, so schemathesis' own cache (.schemathesis/) stays out of the repository.
  (cd "$WORK" && "$ROOT/.venv/bin/schemathesis" run "http://127.0.0.1:$PORT/api/schema/" \
    --wait-for-schema 60 \
    --checks not_a_server_error,response_schema_conformance \
    -H "Authorization: Token $token" \
    --max-examples "$ST_EXAMPLES" \
    --seed "${ST_SEED:-1}" \
    --phases examples,coverage,fuzzing \
    --request-timeout 30 \
    --no-color \
    "$@")
done
