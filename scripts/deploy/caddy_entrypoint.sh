#!/bin/sh
# Caddy's entrypoint in compose.yaml: checks what the Caddyfile reads from the environment and
# prints one line naming the variable, instead of Caddy's "File to import not found".
# Then runs the command it was given (caddy run ...).
set -eu

fail() {
	echo "spiritstream: $1" >&2
	exit 1
}

case "${SPIRITSTREAM_TLS:-public}" in
public | internal) ;;
*) fail "SPIRITSTREAM_TLS must be \"public\" or \"internal\", got \"${SPIRITSTREAM_TLS}\"" ;;
esac

domain="${SPIRITSTREAM_DOMAIN:-localhost}"
case "$domain" in
*,[!\ ]*) fail "SPIRITSTREAM_DOMAIN: separate names with a comma and a space, e.g. \"spiritstream.lan, 192.168.1.10\" (got \"$domain\")" ;;
*[!A-Za-z0-9.:,\ \[\]*-]*) fail "SPIRITSTREAM_DOMAIN: names may hold only letters, digits, . - : * [ ] (no scheme or path), got \"$domain\"" ;;
esac

exec "$@"
