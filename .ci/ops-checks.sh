#!/usr/bin/env bash
# Validates the operations files with the real tools (issue 6): HAProxy's own config check and
# Prometheus' promtool for the scrape config and alert rules. Installs the Debian packages when the
# binaries are missing. Called from .ci/run; runs from any directory.
set -euo pipefail

cd "$(dirname "$0")/.."

missing=()
command -v haproxy >/dev/null 2>&1 || missing+=(haproxy)
command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
if ((${#missing[@]})); then
  echo "ops-checks: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  sudo_cmd=()
  [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  # --no-install-recommends: only the binaries are needed, not the services' companions.
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

echo "ops-checks: $(haproxy -v | head -n1)"
haproxy -c -f haproxy/haproxy.cfg

echo "ops-checks: $(promtool --version 2>&1 | head -n1)"
promtool check config ops/prometheus/prometheus.yml
promtool check rules ops/prometheus/alerts.yml

echo "ops-checks: all passed"
