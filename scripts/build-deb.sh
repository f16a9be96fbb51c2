#!/usr/bin/env bash
# Builds the Debian package vpp-maglev_<version>_<arch>.deb with dpkg-deb, from the dist/ and the
# native addon of this tree (run `npm run build` first; `npm run package` does both). Output:
# build/deb/ (or the directory given as $1). Production node_modules come from `npm ci --omit=dev`
# in a staging copy, from the lockfile, so dev dependencies never reach the package.
#
# Layout: everything under /usr/lib/vpp-maglev, with the paths the code resolves relative to dist/
# kept as in the tree (dist/api → ../../proto, dist/shared → ../../build/Release, dist/web/ui);
# /usr/sbin/maglevd and maglevd-frontend, /usr/bin/maglevc and maglevt are symlinks to bin/*.js
# (Node resolves the link, so their `../dist/` imports work). maglev-vppsim, maglev-fleet and
# maglev-demo are development tools (a VPP simulator, a loopback backend fleet, the demo) and are
# left out, with their dist/ folders.
set -euo pipefail
umask 022
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
out=${1:-$root/build/deb}

die() {
  echo "build-deb: $*" >&2
  exit 1
}
for tool in dpkg-deb dpkg-shlibdeps npm node; do
  command -v "$tool" >/dev/null || die "$tool is missing (dpkg-shlibdeps is in Debian's dpkg-dev package)"
done
[ -f dist/daemon/maglevd.js ] && [ -f dist/web/ui/index.html ] || die "dist/ is not built: run npm run build (or npm run package)"
addon=build/Release/maglev_native.node
[ -f "$addon" ] || die "$addon is missing: run npm ci (or node native/build.mjs)"

name=vpp-maglev
version=${DEB_VERSION:-$(node -p 'require("./package.json").version')}
arch=$(dpkg --print-architecture)
maintainer=${DEB_MAINTAINER:-vpp-maglev maintainers <maintainers@vpp-maglev.invalid>}
bins_sbin=(maglevd maglevd-frontend)
bins_bin=(maglevc maglevt)

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
pkg=$stage/$name
lib=$pkg/usr/lib/$name
mkdir -p "$pkg/DEBIAN" "$lib/bin" "$lib/build/Release" "$pkg/usr/sbin" "$pkg/usr/bin" \
  "$pkg/usr/lib/systemd/system" "$pkg/etc/vpp-maglev" "$pkg/etc/default" \
  "$pkg/usr/share/doc/$name" "$pkg/usr/share/$name/prometheus" "$pkg/usr/share/$name/grafana"

echo "== production node_modules (npm ci --omit=dev)"
cp package.json package-lock.json "$lib/"
# --ignore-scripts: no production dependency needs its install script (protobufjs's only prints a
# version hint), and this package's own would rebuild the addon that is copied below.
(cd "$lib" && npm ci --omit=dev --ignore-scripts --prefer-offline --no-audit --no-fund --loglevel=error)
# The lockfile also lists every dev dependency; node_modules/.package-lock.json records what is shipped.
rm "$lib/package-lock.json"
find "$lib/node_modules" -name .bin -type d -prune -exec rm -rf {} +

echo "== dist/, bins, proto, addon"
# Source maps point at src/, which is not shipped.
tar -C "$root" --exclude='*.map' --exclude=dist/demo --exclude=dist/fleet --exclude=dist/vpp/sim -cf - dist proto | tar -C "$lib" -xf -
for b in "${bins_sbin[@]}" "${bins_bin[@]}"; do install -m 0755 "bin/$b.js" "$lib/bin/$b.js"; done
for b in "${bins_sbin[@]}"; do ln -s "../lib/$name/bin/$b.js" "$pkg/usr/sbin/$b"; done
for b in "${bins_bin[@]}"; do ln -s "../lib/$name/bin/$b.js" "$pkg/usr/bin/$b"; done
install -m 0644 "$addon" "$lib/build/Release/"
if command -v strip >/dev/null; then strip --strip-unneeded "$lib/build/Release/maglev_native.node"; fi

echo "== units, /etc, docs, monitoring"
install -m 0644 packaging/maglevd.service packaging/maglevd-frontend.service "$pkg/usr/lib/systemd/system/"
install -m 0644 packaging/vpp-maglev.default "$pkg/etc/default/vpp-maglev"
{
  echo "# /etc/vpp-maglev/maglev.yaml, installed by the $name package (its examples/maglev.yaml)."
  echo "# Every address below is a documentation address (192.0.2.0/24, 198.51.100.0/24, 2001:db8::/32):"
  echo "# put in your VIPs and backends, check with \`maglevd --check --config /etc/vpp-maglev/maglev.yaml\`,"
  echo "# then \`systemctl enable --now maglevd\`. The package never starts maglevd by itself."
  echo "#"
  cat examples/maglev.yaml
} >"$pkg/etc/vpp-maglev/maglev.yaml"
install -m 0644 docs/*.md "$pkg/usr/share/doc/$name/"
install -m 0644 examples/maglev.yaml "$pkg/usr/share/doc/$name/maglev.yaml.example"
cat >"$pkg/usr/share/doc/$name/copyright" <<EOF
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: $name

Files: *
License: $(node -p 'require("./package.json").license')
 On Debian systems, the full text of the Apache License 2.0 is in
 /usr/share/common-licenses/Apache-2.0. The bundled node_modules carry their own licenses,
 in each module's folder under /usr/lib/$name/node_modules.
EOF
install -m 0644 packaging/prometheus/maglev-alerts.yml "$pkg/usr/share/$name/prometheus/"
install -m 0644 packaging/grafana/maglev-dashboard.json "$pkg/usr/share/$name/grafana/"

echo "== DEBIAN/"
# The addon's shared-library needs (libc6), as dpkg-shlibdeps computes them for any ELF file;
# it wants a debian/control to read, so give it a minimal one in the staging dir.
mkdir -p "$stage/debian"
printf 'Source: %s\n\nPackage: %s\nArchitecture: any\n' "$name" "$name" >"$stage/debian/control"
shlibs=$(cd "$stage" && dpkg-shlibdeps -O "$lib/build/Release/maglev_native.node" 2>/dev/null | sed -n 's/^shlibs:Depends=//p')
[ -n "$shlibs" ] || die "dpkg-shlibdeps found no library dependencies for the addon"
installed_size=$(du -sk --exclude=DEBIAN "$pkg" | cut -f1)
cat >"$pkg/DEBIAN/control" <<EOF
Package: $name
Version: $version
Architecture: $arch
Maintainer: $maintainer
Installed-Size: $installed_size
Depends: nodejs (>= 20.19), adduser, init-system-helpers, $shlibs
Suggests: vpp, vpp-plugin-core, prometheus
Section: net
Priority: optional
Description: health-checking control plane for the VPP lb (Maglev) plugin
 maglevd probes backends (http, https, tcp, tcp+tls, icmp) from worker threads inside a
 health-check network namespace, runs a rise/fall state machine per backend, computes
 per-frontend effective weights with priority-pool failover and programs VPP's lb plugin
 over its binary API. It serves a gRPC API and Prometheus /metrics.
 .
 Also included: maglevc (the CLI), maglevd-frontend (the web dashboard) and maglevt (a VIP
 tester), systemd units for both daemons, Prometheus alert rules and a Grafana dashboard.
EOF
printf '/etc/vpp-maglev/maglev.yaml\n/etc/default/vpp-maglev\n' >"$pkg/DEBIAN/conffiles"
install -m 0755 packaging/deb/postinst packaging/deb/prerm packaging/deb/postrm "$pkg/DEBIAN/"
(cd "$pkg" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | LC_ALL=C sort -z | xargs -0 md5sum) >"$pkg/DEBIAN/md5sums"

mkdir -p "$out"
deb=$out/${name}_${version}_${arch}.deb
dpkg-deb --root-owner-group -Zxz --build "$pkg" "$deb" >/dev/null
echo "build-deb: $deb ($(du -h "$deb" | cut -f1), installed $((installed_size / 1024)) MiB)"
