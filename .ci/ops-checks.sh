#!/usr/bin/env bash
# Validates the operations files with the real tools (issue 6): HAProxy's own config check plus a
# short run of the proxy (routing rules, /metrics refused, rate limit), and Prometheus' promtool for
# the scrape config, the alert rules and their unit tests. Installs the Debian packages when the
# binaries are missing. Called from .ci/run; runs from any directory.
set -euo pipefail

cd "$(dirname "$0")/.."

missing=()
command -v haproxy >/dev/null 2>&1 || missing+=(haproxy)
# Debian's prometheus package: promtool for the checks below, prometheus itself for PrometheusAlertsTest.
{ command -v promtool && command -v prometheus; } >/dev/null 2>&1 || missing+=(prometheus)
command -v curl >/dev/null 2>&1 || missing+=(curl)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
if ((${#missing[@]})); then
  echo "ops-checks: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  sudo_cmd=()
  [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  # --no-install-recommends: only the binaries are needed, not the services' companions.
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

echo "ops-checks: $(haproxy -v | sed -n 1p)"
work=$(mktemp -d)
cleanup() {
  if [[ -s $work/haproxy.pid ]]; then kill "$(cat "$work/haproxy.pid")" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
# The certificate comes from the Secret gtvision-tls in the cluster; a throwaway one stands in here.
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/tls.pem.key" -out "$work/tls.pem" -days 1 \
  -subj /CN=localhost -addext subjectAltName=DNS:localhost 2>/dev/null
sed -e "s#/etc/haproxy/tls/tls.pem#$work/tls.pem#" haproxy/haproxy.cfg > "$work/checked.cfg"
# The servers' namespace; in the cluster the Deployment haproxy sets it to its own.
export GTV_NAMESPACE=gtvision
haproxy -c -f "$work/checked.cfg"

# Run the real configuration for a moment, moved to loopback ports (80 -> 20080, 443 -> 20443,
# 8404 -> 28404, ...) so it needs no privileges and no free well-known ports. Backends do not resolve
# here, so routed requests get 503; what is checked is what the frontend answers itself
# (HaproxyEdgeTest runs it against a backend).
sed -E -e 's/^([[:space:]]+bind) :80$/\1 127.0.0.1:20080/' \
       -e 's/^([[:space:]]+bind) :443 /\1 127.0.0.1:20443 /' \
       -e 's/^([[:space:]]+bind) :([0-9]{4})$/\1 127.0.0.1:2\2/' "$work/checked.cfg" > "$work/haproxy.cfg"
# -n: the configured maxconn needs more file descriptors than CI containers allow.
haproxy -n 1000 -f "$work/haproxy.cfg" -p "$work/haproxy.pid" -D 2>"$work/haproxy.log" \
  || { cat "$work/haproxy.log"; exit 1; }
status() { curl -sk --path-as-is -o /dev/null -w '%{http_code}' --max-time 5 "$1"; }
expect() {
  local got
  got=$(status "$2")
  [[ $got == "$1" ]] || { echo "ops-checks: $2 answered $got, expected $1"; exit 1; }
}
for _ in 1 2 3 4 5 6 7 8 9 10; do [[ $(status http://127.0.0.1:28404/stats) == 200 ]] && break; sleep 0.5; done
expect 200 http://127.0.0.1:28404/stats
expect 403 https://127.0.0.1:20443/metrics
expect 403 https://127.0.0.1:20443/%6detrics
expect 403 http://127.0.0.1:20080/api/../metrics
expect 403 https://127.0.0.1:20443/api/auth/mediamtx
expect 301 http://127.0.0.1:20080/api/cameras
expect 503 https://127.0.0.1:20443/api/cameras
# 100 requests per minute on /api per client: request 101 within the minute is refused.
for _ in $(seq 2 100); do status https://127.0.0.1:20443/api/cameras >/dev/null; done
expect 429 https://127.0.0.1:20443/%61pi/cameras
# /api/ingest has its own, larger budget.
expect 503 https://127.0.0.1:20443/api/ingest/detections
echo "ops-checks: haproxy routing smoke test passed"

echo "ops-checks: $(promtool --version 2>&1 | head -n1)"
promtool check config ops/prometheus/prometheus.yml
promtool check rules ops/prometheus/alerts.yml
# When each alert fires (and stays silent), on synthetic series.
promtool test rules ops/prometheus/alerts.test.yml

echo "ops-checks: all passed"
