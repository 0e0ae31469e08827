#!/usr/bin/env bash
# Page throughput of the project's main pages against the bare-Django ceiling, in one run, on one
# PostgreSQL database seeded at clinic volume: the reference measurement (gunicorn and wrk against bare.py), with
# its seed brought up to today's models and the newer pages added (infusion room, day and week grids,
# worklists, course page). Run from the project root: `bash bench/wrk/run.sh`. gunicorn is installed
# into .venv if missing. Prints one line per page: status, bytes, req/s, ratio.
# Env: N_PATIENTS (1500), SERIES (400), DUR (8s), CONNS (8), PORT (8190), REDIS_URL (unset: sessions
# in the database; set: the app runs with it, as a deployment with Redis would).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
DUR=${DUR:-8s}; CONNS=${CONNS:-8}; PORT=${PORT:-8190}; BPORT=$((PORT + 1))
# KEEP_DB=<name>: seed that database once and keep it (with its seed and key beside it in /tmp) for the
# next runs, which then only migrate and measure; without it a throwaway database is made and dropped.
db=${KEEP_DB:-perf_pages_$$}
keep=${KEEP_DB:+/tmp/bench-wrk-$KEEP_DB}
redis_url=${REDIS_URL:-}
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done; sleep 1
  [ -n "$keep" ] || psql -h 127.0.0.1 -U postgres -qc "drop database if exists $db" >/dev/null 2>&1 || true
  rm -rf "$work"; }
trap cleanup EXIT
command -v wrk >/dev/null || { echo "wrk missing (apt-get install wrk)"; exit 2; }
[ -x .venv/bin/gunicorn ] || .venv/bin/pip install -q gunicorn >/dev/null
export DATABASE_URL=postgres://postgres@127.0.0.1:5432/$db VAR_DIR=$work
unset REDIS_URL
if [ -n "$keep" ] && [ -s "$keep.json" ]; then
  # One key for seeding and serving: the seeded sessions are signed with it.
  SECRET_KEY=$(cat "$keep.key"); export SECRET_KEY
  DEBUG=True .venv/bin/python manage.py migrate --noinput >"$work/migrate.log" 2>&1
  seed=$(cat "$keep.json")
  echo "reusing $db: $seed"
else
  psql -h 127.0.0.1 -U postgres -qc "drop database if exists $db" >/dev/null
  psql -h 127.0.0.1 -U postgres -qc "create database $db" >/dev/null
  # One key for seeding and serving: the seeded sessions are signed with it.
  export SECRET_KEY="pages-$(head -c 96 /dev/urandom | base64 | tr -dc a-zA-Z0-9)"
  DEBUG=True .venv/bin/python manage.py migrate --noinput >"$work/migrate.log" 2>&1
  DEBUG=True .venv/bin/python manage.py seed_demo >"$work/seed_demo.log" 2>&1
  t0=$(date +%s)
  DEBUG=True .venv/bin/python manage.py shell <"$here/seed.py" >"$work/seed.log" 2>&1 || { tail -20 "$work/seed.log"; exit 1; }
  seed=$(grep '^SEED_JSON ' "$work/seed.log" | sed 's/^SEED_JSON //')
  echo "seeded in $(( $(date +%s) - t0 )) s: $seed"
  if [ -n "$keep" ]; then echo "$SECRET_KEY" >"$keep.key"; echo "$seed" >"$keep.json"; fi
fi
DEBUG=False ALLOWED_HOSTS=127.0.0.1 .venv/bin/python manage.py collectstatic --noinput >"$work/static.log" 2>&1
j() { python3 -c "import json,sys; d=json.loads(sys.argv[1]); print(eval(sys.argv[2], {}, d))" "$seed" "$1"; }
psql -h 127.0.0.1 -U postgres -d "$db" -qc "vacuum analyze" >/dev/null

DEBUG=False ALLOWED_HOSTS=127.0.0.1 REDIS_URL=$redis_url \
  SECURE_SSL_REDIRECT=False LOG_LEVEL=WARNING \
  .venv/bin/gunicorn clinic.wsgi -w 2 -b 127.0.0.1:$PORT --log-level warning >"$work/app.log" 2>&1 &
pids+=($!)
BARE_DB=$db .venv/bin/gunicorn --chdir "$here" bare:application -w 2 -b 127.0.0.1:$BPORT --log-level warning \
  >"$work/bare.log" 2>&1 &
pids+=($!)
trap 'tail -30 "$work/app.log"; cleanup' EXIT
for _ in $(seq 1 50); do curl -fs "http://127.0.0.1:$BPORT/hello/" >/dev/null && curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.3; done

coord=$(j 'sessions["coordinator"]'); clin=$(j 'sessions["clinician"]'); desk=$(j 'sessions["frontdesk"]')
nurse=$(j 'sessions["nurse"]')
case_id=$(j flagged_screening); pat=$(j clear_patient); day=$(j busy_day); course=$(j course_patient)
rate() { # url cookie -> req/s
  wrk -t2 -c"$CONNS" -d"$DUR" -H "Cookie: sessionid=$2" "$1" 2>&1 | awk '/Requests\/sec/ {print $2} /Non-2xx/ {print "NON2XX:" $NF > "/dev/stderr"}'
}
probe() { curl -s -o "$work/body" -w "%{http_code} %{size_download}" -H "Cookie: sessionid=$2" "$1"; }
base1=$(rate "http://127.0.0.1:$BPORT/table/" x)
pages=(
  "coordinator patient search|/intake/?q=Rivera|$coord"
  "clinician review queue|/intake/queue/|$clin"
  "clinician case page|/intake/queue/$case_id/|$clin"
  "front desk booking search|/infusions/book/?q=Nguyen|$desk"
  "front desk day view|/infusions/day/?date=$day|$desk"
  "front desk week view|/infusions/week/?date=$day|$desk"
  "front desk plan series|/infusions/book/$pat/|$desk"
  "nurse infusion room|/infusions/room/|$nurse"
  "front desk day grid|/infusions/grid/?date=$day|$desk"
  "front desk week grid|/infusions/grid/week/?date=$day|$desk"
  "front desk worklists|/infusions/worklists/|$desk"
  "clinician course page|/infusions/patients/$course/course/|$clin"
  "healthz|/healthz|x"
)
out=()
for p in "${pages[@]}"; do
  IFS='|' read -r name path cookie <<<"$p"
  st=$(probe "http://127.0.0.1:$PORT$path" "$cookie")
  r=$(rate "http://127.0.0.1:$PORT$path" "$cookie")
  out+=("$name|$path|$st|$r")
done
base2=$(rate "http://127.0.0.1:$BPORT/table/" x)
hello=$(rate "http://127.0.0.1:$BPORT/hello/" x)
python3 - "$base1" "$base2" "$hello" "${out[@]}" <<'EOF'
import sys
b1, b2, hello = float(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
base = (b1 + b2) / 2
print(f"ceiling: bare Django 50-row table {b1:.0f} / {b2:.0f} req/s, hello {hello:.0f} req/s")
worst = None
for row in sys.argv[4:]:
    name, path, st, r = row.split("|")
    r = float(r or 0)
    ratio = r / base
    code = st.split()[0]
    print(f"{name:28s} {code} {st.split()[1]:>7s} B {r:8.0f} req/s  {ratio:5.2f}x ceiling")
    if code == "200" and name != "healthz":
        worst = ratio if worst is None else min(worst, ratio)
print("pages: no page answered 200" if worst is None else f"pages: slowest page {worst:.2f}x the bare-Django 50-row ceiling")
EOF
