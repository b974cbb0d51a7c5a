#!/usr/bin/env bash
# The Debian package test (CI runs it from .ci/run, stage "debian package"): builds the package with
# CPack, runs lintian on it (no errors), then installs it with apt into a throwaway root (a chroot
# of the debian:bookworm minbase that tests/container/base-image.sh makes, with systemd added) and
# checks there: the units with `systemd-analyze verify`, every program's --help, that
# /etc/aduan/aduan.env names every setting the programs read, what postinst made (the user, the
# secrets and their modes), `aduan-admin init` against Debian's PostgreSQL in the root (twice: the
# second finds everything done), an upgrade (the same package again: postinst migrates), `remove`
# keeping the configuration and `purge` leaving no /etc/aduan and no user.
#
# Root, Debian 12, network to the Debian mirror. Removes the root afterwards, also on failure.
#   tests/package/run.sh [BUILD_DIR]   (default: a build-package folder, configured without tests)
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
# The whole run under one time limit (ADUAN_PACKAGE_TIMEOUT seconds, default 900): SIGTERM, then the
# EXIT trap below unmounts and removes the root.
if [ -z "${ADUAN_PACKAGE_TIMED:-}" ]; then
  ADUAN_PACKAGE_TIMED=1 exec timeout --kill-after=120 "${ADUAN_PACKAGE_TIMEOUT:-900}" bash "$0" "$@"
fi
build=${1:-$top/build-package}
started=$SECONDS
step() { echo "package test: $* (at $((SECONDS - started)) s)" >&2; }
fail() { echo "package test: FAILED: $*" >&2; exit 1; }

packages=(lintian dpkg-dev debootstrap podman)   # dpkg-shlibdeps is in dpkg-dev; systemd goes into the root only
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

step "building the package in $build"
[ -f "$build/CMakeCache.txt" ] || cmake -S "$top" -B "$build" -DADUAN_TESTS=OFF >/dev/null
cmake --build "$build" -j "$(nproc)" >/dev/null
rm -f "$build"/aduan_*.deb
(cd "$build" && cpack -G DEB >/dev/null)
deb=$(ls "$build"/aduan_*.deb)

step "lintian $(basename "$deb")"
lintian --fail-on error --suppress-tags no-manual-page "$deb" || fail "lintian reports errors"

# The throwaway root: the base image's files, unpacked.
export CONTAINERS_CONF=$top/tests/container/containers.conf
"$top/tests/container/base-image.sh"
root=$(mktemp -d /var/tmp/aduan-package-root.XXXXXX)
chmod 755 "$root"   # the root's / : mktemp's 0700 would lock every user but root out of everything
mounted=()
pg_started=
cleanup() {
  [ -z "$pg_started" ] || in_root pg_ctlcluster "$pg_version" main stop >/dev/null 2>&1 || true
  for ((i=${#mounted[@]}-1; i>=0; i--)); do umount -l "${mounted[$i]}" 2>/dev/null || true; done
  rm -rf --one-file-system "$root"
}
trap cleanup EXIT
trap 'exit 143' TERM INT
container=$(podman create docker.io/library/debian:bookworm)
podman export "$container" | tar -C "$root" -x
podman rm "$container" >/dev/null
cp /etc/resolv.conf "$root/etc/resolv.conf"
for fs in proc dev; do
  mount --bind "/$fs" "$root/$fs" && mounted+=("$root/$fs")
done
# No service starts inside the root (policy-rc.d), and maintainer scripts see no running systemd.
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d" && chmod 755 "$root/usr/sbin/policy-rc.d"
in_root() { chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive "$@"; }

step "installing the package and systemd into the root with apt"
cp "$deb" "$root/tmp/"
in_root apt-get update -qq >/dev/null
in_root apt-get install -y -qq --no-install-recommends systemd "/tmp/$(basename "$deb")" >"$root.apt.log" 2>&1 \
  || { tail -n 30 "$root.apt.log" >&2; rm -f "$root.apt.log"; fail "apt could not install the package"; }
rm -f "$root.apt.log"

step "systemd-analyze verify of the units"
units=(aduan.target)
for name in gateway intake verify route notify stats federate; do units+=("aduan-$name.service"); done
# It exits 0 on unknown keys and bad values (it only says it ignores them): any output is a failure.
verify=$(in_root systemd-analyze verify "${units[@]/#//lib/systemd/system/}" 2>&1) || fail "systemd-analyze verify: $verify"
[ -z "$verify" ] || fail "systemd-analyze verify: $verify"

step "every program's --help"
programs=$(dpkg-deb -c "$deb" | grep -o 'usr/bin/aduan-[a-z]*$')
for program in $programs; do
  out=$(in_root "/$program" --help) || fail "/$program --help exits non-zero"
  grep -qi "usage" <<<"$out" || fail "/$program --help prints no usage"
done

step "aduan.env names every setting"
env_file=$root/etc/aduan/aduan.env
for program in $programs; do
  for setting in $(in_root "/$program" --help | grep -oE '^  ADUAN_[A-Z0-9_]+' | sort -u); do
    case "$setting" in
      ADUAN_ADMIN_ADDR|ADUAN_CURVE_SECRET) grep -q "^#.*$setting" "$env_file" ;;   # set by each unit
      ADUAN_*_DB_URL) grep -q "^ADUAN_$setting\|$setting" "$env_file" || grep -q "^$setting=" "$root/etc/aduan/secrets.env" ;;
      *) grep -qE "^#?$setting=" "$env_file" ;;
    esac || fail "$setting (read by /$program) is not in /etc/aduan/aduan.env"
  done
done

step "what postinst made"
in_root getent passwd aduan >/dev/null || fail "no user aduan"
for f in /etc/aduan/aduan.env /etc/aduan/secrets.env /etc/aduan/secrets/idempotency.secret /etc/aduan/secrets/delivery-id.key; do
  mode=$(in_root stat -c '%a %U %G' "$f")   # names as the root knows them
  [ "$mode" = "640 root aduan" ] || fail "$f is $mode, not 640 root aduan"
done
[ "$(wc -c <"$root/etc/aduan/secrets/idempotency.secret")" = 64 ] || fail "idempotency secret is not 64 hex digits"
[ "$(grep -c '^ADUAN_[A-Z]*_DB_URL=postgresql://aduan_[a-z]*:[0-9a-f]\{64\}@localhost/aduan$' "$root/etc/aduan/secrets.env")" = 7 ] \
  || fail "secrets.env does not hold seven role URLs with passwords"
[ "$(in_root stat -c '%a %U %G' /etc/aduan/upstreams)" = "750 root aduan" ] || fail "no empty /etc/aduan/upstreams for aduan-federate"

step "aduan-admin init with Debian's PostgreSQL in the root, twice"
in_root apt-get install -y -qq --no-install-recommends postgresql >"$root.apt.log" 2>&1 \
  || { tail -n 30 "$root.apt.log" >&2; rm -f "$root.apt.log"; fail "apt could not install postgresql"; }
rm -f "$root.apt.log"
pg_version=$(ls "$root/etc/postgresql")
# The root's /dev is the host's, whose /dev/shm postgres may not write: no POSIX shared memory.
echo "dynamic_shared_memory_type = mmap" >"$root/etc/postgresql/$pg_version/main/conf.d/aduan-test.conf"
in_root pg_ctlcluster "$pg_version" main start || fail "PostgreSQL does not start in the root"
pg_started=1
in_root aduan-admin init || fail "aduan-admin init"
again=$(in_root aduan-admin init) || fail "a second aduan-admin init"
grep -q "there already" <<<"$again" && grep -q "made already" <<<"$again" || fail "the second init did not find its work done: $again"
for name in gateway intake verify route notify stats federate; do
  [ "$(in_root stat -c '%a %G' "/etc/aduan/keys/$name.cert_secret")" = "640 aduan" ] || fail "key of $name is not 0640 for the group aduan"
done
# Each service's role signs in over TCP with the password of its URL in secrets.env.
for name in gateway intake verify route notify stats federate; do
  url=$(grep "^ADUAN_${name^^}_DB_URL=" "$root/etc/aduan/secrets.env" | cut -d= -f2-)
  in_root runuser -u aduan -- psql -Atqc 'SELECT current_user' "$url" | grep -qx "aduan_$name" || fail "aduan_$name cannot connect"
done
[ "$(in_root runuser -u postgres -- psql -Atqc "SELECT role FROM staff WHERE username = 'admin'" aduan)" = national_admin ] \
  || fail "no first admin"

step "aduan-federate with the package's settings and no upstream starts and idles"
# As its unit runs it: the settings files, its role and key; still running after 3 s (timeout: 124).
status=0
out=$(in_root runuser -u aduan -- sh -c 'set -a; . /etc/aduan/secrets.env; . /etc/aduan/aduan.env
  ADUAN_DB_URL=$ADUAN_FEDERATE_DB_URL ADUAN_CURVE_SECRET=/etc/aduan/keys/federate.cert_secret exec timeout 3 /usr/bin/aduan-federate' 2>&1) || status=$?
[ "$status" = 124 ] && grep -q "forwarding to upstream" <<<"$out" || fail "aduan-federate did not keep running (status $status): $out"

step "upgrade (the same package again) keeps the generated secrets and migrates"
before=$(md5sum "$root/etc/aduan/secrets.env" "$root/etc/aduan/secrets/idempotency.secret")
upgrade=$(in_root dpkg -i "/tmp/$(basename "$deb")" 2>&1) || fail "dpkg -i over the installed package: $upgrade"
grep -q "database migrated to schema version" <<<"$upgrade" || fail "postinst did not migrate on upgrade: $upgrade"
[ "$(md5sum "$root/etc/aduan/secrets.env" "$root/etc/aduan/secrets/idempotency.secret")" = "$before" ] \
  || fail "an upgrade changed the secrets"

step "remove keeps the configuration, purge removes it and the user"
in_root dpkg -r aduan >/dev/null || fail "dpkg -r"
[ -f "$root/etc/aduan/aduan.env" ] && [ -f "$root/etc/aduan/secrets.env" ] || fail "remove deleted the configuration"
in_root getent passwd aduan >/dev/null || fail "remove deleted the user"
[ ! -e "$root/usr/bin/aduan-gateway" ] || fail "remove left the programs"
in_root dpkg -P aduan >/dev/null || fail "dpkg -P"
[ ! -e "$root/etc/aduan" ] || fail "purge left /etc/aduan: $(ls -A "$root/etc/aduan")"
! in_root getent passwd aduan >/dev/null || fail "purge left the user aduan"

step "passed"
