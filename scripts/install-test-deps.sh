#!/usr/bin/env bash
# Installs what the NAT lab and the TURN tests need from Debian packages, only where it is missing:
# coturn (turnserver), nftables (nft), iproute2 (ip). Needs root; without root it says so and exits 0, and the tests
# that need these tools skip with a loud message of their own.
set -euo pipefail
missing=()
command -v turnserver >/dev/null 2>&1 || missing+=(coturn)
command -v nft >/dev/null 2>&1 || missing+=(nftables)
command -v ip >/dev/null 2>&1 || missing+=(iproute2)
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "install-test-deps: missing ${missing[*]} and not root: cannot install them" >&2
  exit 0
fi
echo "install-test-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Debian starts coturn as a service on install; the tests run their own instances only.
if command -v systemctl >/dev/null 2>&1; then systemctl disable --now coturn >/dev/null 2>&1 || true; fi
