#!/usr/bin/env bash
# Installs what the XMPP side of the benchmark needs beyond npm packages: Debian's ejabberd (with its SQLite
# driver) and Prosody
# (packages/bench/src/xmpp-servers.ts starts its own instances of them on loopback, with their own
# configs, as the ejabberd/prosody users). Idempotent. The system services the packages would start on
# their default ports (5222/5269/5280/5443, ...) are stopped and disabled, so only the benchmark's
# own instances ever run.
set -euo pipefail
apt_get="apt-get"
if [ "$(id -u)" -ne 0 ]; then apt_get="sudo -n apt-get"; fi
as_root() { if [ "$(id -u)" -ne 0 ]; then sudo -n "$@"; else "$@"; fi; }

missing=()
# erlang-p1-sqlite3 (only "Suggested" by ejabberd): the benchmark keeps ejabberd's accounts and archive in SQLite.
for package in ejabberd erlang-p1-sqlite3 prosody; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q '^install ok installed$'; then missing+=("$package"); fi
done
if [ ${#missing[@]} -gt 0 ]; then
  # The package lists may be missing (slim images) or stale: refresh them once before installing.
  $apt_get update -qq
  DEBIAN_FRONTEND=noninteractive $apt_get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Stop and disable the system services. Either init may be absent (containers): try each way, then
# fall back to the pidfiles.
for service in ejabberd prosody; do
  if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
    as_root systemctl disable --now "$service" >/dev/null 2>&1 || true
  fi
  if command -v service >/dev/null 2>&1; then as_root service "$service" stop >/dev/null 2>&1 || true; fi
  if command -v update-rc.d >/dev/null 2>&1; then as_root update-rc.d "$service" disable >/dev/null 2>&1 || true; fi
done
# Only the system instances, by their pidfiles.
for pidfile in /run/prosody/prosody.pid /var/run/prosody/prosody.pid /run/ejabberd/ejabberd.pid /var/run/ejabberd/ejabberd.pid; do
  if [ -s "$pidfile" ]; then as_root kill "$(cat "$pidfile")" 2>/dev/null || true; fi
done
# ejabberdctl must not be asked here: it would start Erlang's port mapper (epmd, 4369). Stop an epmd that
# has no live nodes (`epmd -kill` refuses otherwise), e.g. one left by the package's post-install.
if command -v epmd >/dev/null 2>&1 && epmd -names 2>/dev/null | grep -q '^epmd: up'; then
  if ! epmd -names 2>/dev/null | grep -q '^name '; then epmd -kill >/dev/null 2>&1 || true; fi
fi

# Check: nothing on the packages' default ports.
sleep 1
if ss -ltnp 2>/dev/null | grep -E ':(5222|5223|5269|5270|5280|5281|5443|1883|4369) ' ; then
  echo "install-bench-deps: something still listens on an XMPP default port (above)" >&2
  exit 1
fi
echo "ejabberd $(dpkg-query -W -f='${Version}' ejabberd), prosody $(dpkg-query -W -f='${Version}' prosody): installed, system services stopped"
