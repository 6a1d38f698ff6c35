#!/usr/bin/env bash
# install-test-clients.sh - installs the real clients the integration tests drive (Debian bookworm, root).
# Idempotent: when every package is already installed it skips apt entirely and only prints versions.
# Never prints or writes mirror host names: apt output goes to a log with URLs and host names masked.
#
# Env knobs:
#   TEST_CLIENT_GROUPS="oci base browser"   groups to install (default: all, in GROUP_ORDER)
#   TEST_CLIENT_LOG=${TMPDIR:-/tmp}/install-test-clients.apt.log
set -euo pipefail

T0=$(date +%s%N)
elapsed() { local ms=$(( ($(date +%s%N) - T0) / 1000000 )); printf '%d.%01d' $((ms / 1000)) $(((ms % 1000) / 100)); }
step() { printf '=== [%6ss] %s\n' "$(elapsed)" "$*"; }

[ "$(id -u)" = 0 ] || { echo "install-test-clients.sh: run as root" >&2; exit 1; }
command -v dpkg-query >/dev/null && command -v apt-get >/dev/null \
  || { echo "install-test-clients.sh: needs a Debian system (apt-get, dpkg-query)" >&2; exit 1; }

# One apt transaction per group, so a failure names its group.
declare -A GROUPS_=(
  [base]="curl ca-certificates"
  [oci]="docker.io docker-registry apache2-utils podman skopeo buildah containerd"
  [browser]="chromium"
  [python]="twine python3-pip python3-venv python3-setuptools python3-wheel"
  [maven]="maven"
  [go]="golang-go"
  [apt]="apt dpkg-dev gpg"
  [yum]="dnf rpm"
)
GROUP_ORDER=(base oci browser python maven go apt yum)
read -r -a SELECTED <<< "${TEST_CLIENT_GROUPS:-${GROUP_ORDER[*]}}"
for g in "${SELECTED[@]}"; do
  [ -n "${GROUPS_[$g]:-}" ] || { echo "install-test-clients.sh: unknown group '$g' (known: ${GROUP_ORDER[*]})" >&2; exit 1; }
done

export DEBIAN_FRONTEND=noninteractive
APT_OPTS=(-o DPkg::Lock::Timeout=600 -q)
LOG=${TEST_CLIENT_LOG:-${TMPDIR:-/tmp}/install-test-clients.apt.log}

# Host names of the configured apt sources, collected at run time so they can be masked
# (they are only ever held in memory, never printed).
MASK_HOSTS=()
while read -r h; do [ -n "$h" ] && MASK_HOSTS+=("$h"); done < <(
  cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null \
    | grep -oE '[a-z+]+://[^/ ]+' | sed -E 's#^[a-z+]+://##; s#^[^@]*@##; s#:[0-9]+$##' | sort -u)

# Masks URLs, quoted host names ("Could not resolve 'x'"), apt list file names and the source hosts.
mask() {
  local expr='s#[a-z+]+://[^ ]+#<url>#g; s#[A-Za-z0-9.-]+_dists_#<lists>_dists_#g; s#(resolv[a-z]* )'"'"'[^'"'"']+'"'"'#\1<host>#g'
  local h
  for h in "${MASK_HOSTS[@]}"; do expr+="; s#${h//./\\.}#<host>#g"; done
  sed -E "$expr"
}
# Runs a command with its output masked into $LOG; on failure shows the masked tail.
logged() {
  set +e
  "$@" 2>&1 | mask >> "$LOG"
  local rc=${PIPESTATUS[0]}
  set -e
  if [ "$rc" != 0 ]; then tail -25 "$LOG" >&2; fi
  return "$rc"
}
is_installed() { [ "$(dpkg-query -W -f='${db:Status-Abbrev}' "$1" 2>/dev/null)" = "ii " ]; }

MISSING=()
for g in "${SELECTED[@]}"; do
  for p in ${GROUPS_[$g]}; do is_installed "$p" || MISSING+=("$p"); done
done

if [ "${#MISSING[@]}" = 0 ]; then
  step "all packages already installed (${SELECTED[*]}): skipping apt"
else
  : > "$LOG"
  step "missing: ${MISSING[*]}"
  step "apt-get update (log: $LOG)"
  logged apt-get "${APT_OPTS[@]}" update || { echo "apt-get update failed" >&2; exit 1; }
  for g in "${SELECTED[@]}"; do
    todo=()
    for p in ${GROUPS_[$g]}; do is_installed "$p" || todo+=("$p"); done
    [ "${#todo[@]}" = 0 ] && continue
    step "apt-get install ($g): ${todo[*]}"
    logged apt-get "${APT_OPTS[@]}" -y install --no-upgrade "${todo[@]}" \
      || { echo "apt group '$g' failed" >&2; exit 1; }
  done
fi

# The Container Registry hosts reach the emulator on this machine (test/integration/docker/gcr-hosts.test.ts,
# docs/gcr.md): one /etc/hosts line, added once.
GCR_HOSTS_LINE='127.0.0.1 gcr.io us.gcr.io eu.gcr.io asia.gcr.io'
if grep -qxF "$GCR_HOSTS_LINE" /etc/hosts 2>/dev/null; then
  step "/etc/hosts already maps the gcr.io hosts to 127.0.0.1"
elif printf '%s\n' "$GCR_HOSTS_LINE" >> /etc/hosts 2>/dev/null; then
  step "/etc/hosts: added '$GCR_HOSTS_LINE'"
else
  echo "cannot add '$GCR_HOSTS_LINE' to /etc/hosts (not root?): the gcr.io host tests will skip" >&2
fi

step "versions"
has_group() { local g; for g in "${SELECTED[@]}"; do [ "$g" = "$1" ] && return 0; done; return 1; }
v() {
  local out
  out=$( ("${@:2}") 2>&1 | sed 's/\x1b\[[0-9;]*m//g' | grep -v -e 'unexpected operator' | head -1 | mask) || true
  printf '  %-16s %s\n' "$1" "${out:-<not found>}"
}
pkgv() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || echo '<not installed>'; }
if has_group base; then
  v curl             curl --version
  v ca-certificates  pkgv ca-certificates
fi
if has_group oci; then
  v dockerd          dockerd --version
  v docker-cli       docker --version          # /usr/local/bin/docker (28.x) comes first on PATH when present
  if [ -x /usr/bin/docker ]; then v docker-cli-deb /usr/bin/docker --version; fi
  v containerd       containerd --version
  v ctr              ctr --version
  v docker-registry  docker-registry --version
  v htpasswd         pkgv apache2-utils
  v podman           podman --version
  v skopeo           skopeo --version
  v buildah          buildah --version
fi
if has_group browser; then
  v chromium         chromium --version
fi
if has_group python; then
  v twine            /usr/bin/twine --version
  v python3-deb      /usr/bin/python3 --version
  v pip-deb          /usr/bin/python3 -m pip --version
fi
if has_group maven; then
  v mvn              mvn -v
fi
if has_group go; then
  v go               go version
fi
if has_group apt; then
  v apt-get          apt-get --version
  v dpkg-deb         dpkg-deb --version
fi
if has_group yum; then
  v dnf              dnf --version
  v rpmbuild         rpmbuild --version
fi

printf 'install-test-clients.sh: total run time %s s\n' "$(elapsed)"
