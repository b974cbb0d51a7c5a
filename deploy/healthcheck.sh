#!/bin/bash
# The image's HEALTHCHECK: GET /healthz on the admin port of the service this container runs
# (ADUAN_ADMIN_ADDR, else the service's default port), with bash alone — the image has no curl.
set -euo pipefail

default_port() {
  case "$1" in
    aduan-gateway) echo 9180 ;; aduan-intake) echo 9181 ;; aduan-verify) echo 9182 ;;
    aduan-route) echo 9183 ;; aduan-notify) echo 9184 ;; aduan-stats) echo 9186 ;; aduan-federate) echo 9187 ;;
    *) return 1 ;;   # a tool (aduan-admin, aduan-tail) has no admin port: nothing to check
  esac
}

program=$(tr '\0' '\n' </proc/1/cmdline | head -n 1)
program=${program##*/}
if [ -n "${ADUAN_ADMIN_ADDR:-}" ]; then
  port=${ADUAN_ADMIN_ADDR##*:}
else
  port=$(default_port "$program") || exit 0
fi

exec 3<>"/dev/tcp/127.0.0.1/$port"
printf 'GET /healthz HTTP/1.0\r\nHost: localhost\r\n\r\n' >&3
read -r -t 3 _ status _ <&3
[ "$status" = 200 ]
