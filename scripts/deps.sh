#!/usr/bin/env bash
# Installs what building and testing ssoemu needs on Debian 12 (as root). Idempotent: packages that
# are already installed are left alone, and the package lists are only refreshed when one is missing.
set -euo pipefail

packages=(
	build-essential meson ninja-build pkg-config python3
	libmicrohttpd-dev libjansson-dev libsqlite3-dev libssl-dev libcurl4-openssl-dev libxml2-dev check
	openssl curl wrk clang libclang-rt-14-dev
	libcjose-dev # JOSE: session JWTs, JWKs, id_token verification (src/crypto/jwt.c)
	libxmlsec1-dev zlib1g-dev # Sign-in: SAML signatures and encryption, DEFLATE of the SAML Redirect binding
	# the browser tests (tests/ui: the dashboard; tests/portal: Stytch's Admin Portal; tests/interop/browser.test.js:
	# sign-in): Debian's Chromium, driven by puppeteer-core
	chromium
	# The Docker image test (tests/docker): its own daemon, the local base image, compose.yaml.
	docker.io debootstrap python3-yaml
)

installed() {
	dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

missing=()
for p in "${packages[@]}"; do
	installed "$p" || missing+=("$p")
done

# Node.js for the conformance tests: Debian 12's nodejs (v18) and npm, unless a node and npm are
# already on PATH (NodeSource's nodejs, for one, bundles npm and conflicts with Debian's npm).
if ! command -v node >/dev/null 2>&1; then
	missing+=(nodejs)
fi
if ! command -v npm >/dev/null 2>&1; then
	missing+=(npm)
fi

if [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
	echo "deps.sh: missing packages: ${missing[*]}; run this script as root to install them" >&2
	exit 1
fi

echo "deps.sh: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
