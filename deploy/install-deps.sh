#!/usr/bin/env bash
# Installs the Debian packages aduan needs to build, run and test, when any is missing.
# Uses sudo when not root. Safe to run again: it does nothing when everything is there.
set -euo pipefail

packages=(
  build-essential cmake pkg-config clang libclang-rt-14-dev
  libzmq3-dev libczmq-dev libmsgpack-dev libpq-dev libmicrohttpd-dev libjansson-dev
  libsodium-dev libcmocka-dev libcurl4-openssl-dev libxml2-dev libvips-dev
  postgresql postgresql-contrib
  python3 python3-zmq python3-msgpack python3-aiosmtpd
  curl jq util-linux wrk
  chromium chromium-driver python3-selenium
  dpkg-dev lintian debootstrap
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node.js and npm (axe-core for the browser tests, the manifests' validators) may come from
# another source than Debian (NodeSource's nodejs bundles npm and conflicts with Debian's npm):
# Debian's are installed only when no node or npm is on the PATH at all.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  missing+=(nodejs npm)
fi
[ ${#missing[@]} -eq 0 ] && exit 0

echo "aduan: installing ${missing[*]}" >&2
sudo_cmd=()
[ "$(id -u)" = 0 ] || sudo_cmd=(sudo)
"${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
"${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
