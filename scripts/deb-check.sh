#!/usr/bin/env bash
# Installs the vpp-maglev Debian package into THIS system, checks it from its installed paths, and
# purges it again: user, group, files, units, conffiles, /etc/default mode, the binaries, a real
# maglevd (probing its own metrics port) with maglevc and the dashboard against it, a reinstall,
# and what purge leaves behind. Meant for CI and throwaway machines: it runs only with CI=true or
# --install-into-this-system, as root, and refuses when vpp-maglev or a maglevd user already
# exists (purge would remove them).
#
#   scripts/deb-check.sh [--install-into-this-system] [path/to/vpp-maglev_X_arch.deb]
#
# Without a path it builds the package first (scripts/build-deb.sh; dist/ must be built).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

allowed=false
deb=
for arg in "$@"; do
  case "$arg" in
    --install-into-this-system) allowed=true ;;
    -*) echo "deb-check: unknown option $arg" >&2; exit 2 ;;
    *) deb=$arg ;;
  esac
done
[ "${CI:-}" = true ] && allowed=true
if [ "$allowed" != true ]; then
  echo "deb-check: this installs vpp-maglev into this system (a user, /etc, /usr) and purges it again." >&2
  echo "deb-check: run it on CI (CI=true) or pass --install-into-this-system on a throwaway machine." >&2
  exit 2
fi

fail() {
  echo "deb-check: FAIL: $*" >&2
  exit 1
}
step() { echo "-- $*"; }

[ "$(id -u)" = 0 ] || fail "must run as root (dpkg -i)"
for tool in dpkg systemd-analyze setpriv node; do
  command -v "$tool" >/dev/null || fail "$tool is missing (systemd-analyze: Debian's systemd package)"
done
status() { dpkg-query -W -f='${db:Status-Abbrev}' vpp-maglev 2>/dev/null | tr -d ' ' || true; }
[ -z "$(status)" ] || [ "$(status)" = un ] || fail "vpp-maglev is already installed here ($(status)); this check would purge it"
getent passwd maglevd >/dev/null && fail "a maglevd user exists that this check did not create; purge would delete it"

work=$(mktemp -d)
chmod 0755 "$work" # the daemons below run as maglevd and read their config here
made_vpp_group=false
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  if [ -n "$(status)" ] && [ "$(status)" != un ]; then dpkg --purge vpp-maglev >/dev/null 2>&1 || true; fi
  if [ "$made_vpp_group" = true ]; then groupdel vpp 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

if [ -z "$deb" ]; then
  bash "$root/scripts/build-deb.sh" "$work/deb"
  deb=$(ls "$work"/deb/vpp-maglev_*.deb)
fi
[ -f "$deb" ] || fail "no package at $deb"

# postinst adds maglevd to the vpp group only when it exists: make one for the check if VPP is absent.
if ! getent group vpp >/dev/null; then
  groupadd --system vpp
  made_vpp_group=true
fi

install_deb() {
  local node_pkg
  node_pkg=$(dpkg-query -W -f='${db:Status-Abbrev} ${Version}' nodejs 2>/dev/null || true)
  if [ "${node_pkg%% *}" = ii ] && dpkg --compare-versions "${node_pkg#* }" ge 20.19; then
    dpkg -i "$deb"
  else
    # Depends: nodejs (>= 20.19) is right for a real host, where Node comes from Debian 13 or
    # NodeSource. Here Node is not a dpkg package (e.g. a CI image's own build), so dpkg cannot
    # see it: check the node on PATH against the same bound, and let dpkg skip only that check.
    node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' ||
      fail "node $(node --version) is older than 20.19"
    echo "   (nodejs is not a dpkg package here: node $(node --version) from PATH, dpkg -i --force-depends)"
    dpkg -i --force-depends "$deb"
  fi
  [ "$(status)" = ii ] || fail "package status is $(status), not ii"
}
# The daemons run as maglevd. setpriv execs in place, so a background job's $! is the daemon.
as_maglevd=(setpriv --reuid=maglevd --regid=maglevd --init-groups --)

step "install $(basename "$deb")"
install_deb

step "files, user and permissions"
for f in /usr/sbin/maglevd /usr/sbin/maglevd-frontend /usr/bin/maglevc /usr/bin/maglevt \
  /usr/lib/vpp-maglev/build/Release/maglev_native.node /usr/lib/vpp-maglev/proto/maglev.proto \
  /usr/lib/vpp-maglev/dist/web/ui/index.html /usr/lib/systemd/system/maglevd.service \
  /usr/lib/systemd/system/maglevd-frontend.service /etc/vpp-maglev/maglev.yaml /etc/default/vpp-maglev \
  /usr/share/vpp-maglev/prometheus/maglev-alerts.yml /usr/share/vpp-maglev/grafana/maglev-dashboard.json; do
  [ -e "$f" ] || fail "$f is missing"
done
for dev in vpp-maglev/node_modules/typescript vpp-maglev/node_modules/tap vpp-maglev/node_modules/vite vpp-maglev/dist/vpp/sim; do
  [ ! -e "/usr/lib/$dev" ] || fail "/usr/lib/$dev is in the package"
done
getent passwd maglevd | grep -q ':/nonexistent:/usr/sbin/nologin$' || fail "maglevd user: $(getent passwd maglevd)"
groups=" $(id -nG maglevd) "
[[ "$groups" == *" maglevd "* && "$groups" == *" vpp "* ]] || fail "maglevd groups are:$groups"
[ "$(stat -c '%a %U %G' /etc/default/vpp-maglev)" = "640 root maglevd" ] || fail "/etc/default/vpp-maglev is $(stat -c '%a %U %G' /etc/default/vpp-maglev)"
[ "$(dpkg-query -W -f='${Conffiles}' vpp-maglev | awk '{print $1}' | sort | tr '\n' ' ')" = "/etc/default/vpp-maglev /etc/vpp-maglev/maglev.yaml " ] ||
  fail "conffiles: $(dpkg-query -W -f='${Conffiles}' vpp-maglev)"

step "binaries from PATH"
version=$(dpkg-query -W -f='${Version}' vpp-maglev)
for b in maglevd maglevd-frontend maglevc maglevt; do
  v=$(PATH=/usr/sbin:/usr/bin:$PATH "$b" --version)
  [[ "$v" == "$b $version "* ]] || fail "$b --version printed: $v"
  echo "   $v"
done
out=$("${as_maglevd[@]}" /usr/sbin/maglevd --check --config /etc/vpp-maglev/maglev.yaml) || fail "maglevd --check of the shipped config failed: $out"
[ "$out" = "config ok: /etc/vpp-maglev/maglev.yaml" ] || fail "maglevd --check printed: $out"
echo "   $out"

step "systemd-analyze verify"
verify=$(systemd-analyze verify --man=no /usr/lib/systemd/system/maglevd.service /usr/lib/systemd/system/maglevd-frontend.service 2>&1) ||
  fail "systemd-analyze verify: $verify"
[ -z "$verify" ] || fail "systemd-analyze verify warned: $verify"

step "run the installed maglevd as maglevd, with maglevc and the dashboard against it"
# A loopback-only config: one backend health-checked over TCP against maglevd's own metrics port
# (a free port picked by the kernel just before), so a probe worker and the addon run for real.
port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
cat >"$work/maglev.yaml" <<EOF
maglev:
  vpp:
    lb: { ipv4-src-address: 127.0.0.1 }
  healthchecks:
    self-tcp: { type: tcp, port: $port, interval: 200ms, rise: 1, fall: 1 }
  backends:
    self: { address: 127.0.0.1, healthcheck: self-tcp }
  frontends:
    fe:
      address: 127.0.9.9
      protocol: tcp
      port: 80
      pools:
        - name: p
          backends: { self: {} }
EOF
chmod 0644 "$work/maglev.yaml"
"${as_maglevd[@]}" /usr/sbin/maglevd --config "$work/maglev.yaml" --grpc-addr 127.0.0.1:0 \
  --metrics-addr "127.0.0.1:$port" --vpp-api-addr '' >"$work/maglevd.log" 2>&1 &
pids+=($!)
# Waits until a log line with the given msg appears and prints its addr.
listen_addr() {
  local log=$1 msg=$2 addr=
  for _ in $(seq 1 150); do
    addr=$(sed -n "s/.*\"addr\":\"\\([^\"]*\\)\".*\"msg\":\"$msg\".*/\\1/p" "$log" | head -1)
    [ -n "$addr" ] && break
    sleep 0.1
  done
  [ -n "$addr" ] || fail "no $msg in $log: $(tail -5 "$log")"
  echo "$addr"
}
grpc=$(listen_addr "$work/maglevd.log" grpc-listen)
metrics() { node -e 'fetch(process.argv[1]).then(async r=>{process.stdout.write(await r.text()); process.exit(r.ok?0:1)},()=>process.exit(1))' "http://127.0.0.1:$port$1"; }
scrape=
for _ in $(seq 1 100); do
  scrape=$(metrics /metrics || true)
  [[ "$scrape" == *'maglev_probe_total{backend="self",type="tcp",result="success"'* ]] && break
  sleep 0.1
done
[[ "$scrape" == *'maglev_probe_total{backend="self",type="tcp",result="success"'* ]] || fail "no successful probe recorded: $(tail -5 "$work/maglevd.log")"
[[ "$scrape" == *'maglev_backend_state{backend="self",state="up"} 1'* ]] || fail "backend self is not up"
out=$(maglevc --server "$grpc" show frontends) || fail "maglevc show frontends: $out"
[[ "$out" == *fe*127.0.9.9*up* ]] || fail "maglevc show frontends printed: $out"
echo "   maglevc: $(echo "$out" | tail -1)"

"${as_maglevd[@]}" /usr/sbin/maglevd-frontend -server "$grpc" -listen 127.0.0.1:0 >"$work/frontend.log" 2>&1 &
pids+=($!)
web=$(listen_addr "$work/frontend.log" http-listen)
page=$(node -e 'fetch(process.argv[1]).then(async r=>{process.stdout.write(r.status+" "+await r.text())})' "http://$web/view/")
[[ "$page" == "200 "*"<html"* ]] || fail "dashboard /view/ answered: ${page:0:200}"
echo "   dashboard: /view/ 200 from $web"
for pid in "${pids[@]}"; do kill "$pid"; wait "$pid" || true; done
pids=()
[ -z "$(ps -u maglevd -o pid=)" ] || fail "processes of maglevd still run: $(ps -u maglevd -o pid=,cmd=)"

step "reinstall (postinst runs again on an existing user and stat override)"
install_deb >/dev/null
[ "$(stat -c '%a %U %G' /etc/default/vpp-maglev)" = "640 root maglevd" ] || fail "reinstall changed /etc/default/vpp-maglev"
# An operator's `systemctl enable`: purge must remove the link.
systemctl enable maglevd.service >/dev/null 2>&1 || fail "systemctl enable maglevd"
[ -L /etc/systemd/system/multi-user.target.wants/maglevd.service ] || fail "systemctl enable made no link"

step "purge"
dpkg --purge vpp-maglev
[ -z "$(status)" ] || [ "$(status)" = un ] || fail "after purge the package status is $(status)"
! getent passwd maglevd >/dev/null || fail "purge left the maglevd user"
! getent group maglevd >/dev/null || fail "purge left the maglevd group"
! dpkg-statoverride --list /etc/default/vpp-maglev >/dev/null || fail "purge left the stat override"
for f in /usr/lib/vpp-maglev /etc/vpp-maglev /etc/default/vpp-maglev /usr/sbin/maglevd /usr/sbin/maglevd-frontend \
  /usr/bin/maglevc /usr/bin/maglevt /usr/lib/systemd/system/maglevd.service /usr/lib/systemd/system/maglevd-frontend.service \
  /usr/share/vpp-maglev /usr/share/doc/vpp-maglev /etc/systemd/system/multi-user.target.wants/maglevd.service; do
  [ ! -e "$f" ] && [ ! -L "$f" ] || fail "purge left $f"
done
echo "deb-check: OK ($(basename "$deb"))"
