#!/usr/bin/env bash
# Makes the debian:bookworm base image locally when it is missing, for machines that cannot pull
# from a registry: debootstrap (minbase) from the Debian mirror apt already uses, then podman import.
# The same image is also tagged debian:bookworm-slim, the runtime stage's base.
#   tests/container/base-image.sh
set -euo pipefail

want=docker.io/library/debian:bookworm
slim=docker.io/library/debian:bookworm-slim
if podman image exists "$want"; then
  podman image exists "$slim" || podman tag "$want" "$slim"
  exit 0
fi

# The mirror apt is configured with (deb822 or one-line sources), else the default one.
mirror=$(grep -hoE '^(URIs:|deb) +https?://[^ ]+' /etc/apt/sources.list /etc/apt/sources.list.d/* 2>/dev/null \
           | grep -v security | head -n 1 | awk '{print $2}' || true)
mirror=${mirror:-http://deb.debian.org/debian}

root=$(mktemp -d /var/tmp/aduan-debootstrap.XXXXXX)
trap 'rm -rf "$root"' EXIT
echo "base-image: debootstrap bookworm from $mirror" >&2
debootstrap --variant=minbase bookworm "$root" "$mirror" >"$root.log" 2>&1 \
  || { tail -n 20 "$root.log" >&2; rm -f "$root.log"; exit 1; }
rm -f "$root.log"
# What the official image leaves out: apt lists, caches, logs.
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/log/*.log
tar -C "$root" -c . | podman import --change 'CMD ["bash"]' - "$want" >/dev/null
podman tag "$want" "$slim"
echo "base-image: $want ready" >&2
