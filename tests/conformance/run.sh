#!/bin/sh
# Runs the conformance suite: the real @stytch/vanilla-js and stytch npm packages against the
# ssoemu binary (env SSOEMU_BIN, default <repo>/build/ssoemu). Exit code = test result.
set -eu
cd "$(dirname "$0")"
# Installed again whenever the committed lockfile differs from the one the installed tree was made from.
if ! cmp -s package-lock.json node_modules/.installed-lock.json 2>/dev/null; then
    npm ci --no-audit --no-fund
    cp package-lock.json node_modules/.installed-lock.json
fi
set +e
# Each file starts its own server; running a few at once keeps the suite well under a minute on a
# busy two-core machine (the servers mostly wait on RSA key generation and on each other).
node --test --test-concurrency="${CONFORMANCE_JOBS:-4}" \
    frontend_seed.test.js frontend_session.test.js backend.test.js \
    frontend_saml.test.js frontend_oidc.test.js frontend_scim.test.js \
    backend_sso.test.js backend_scim.test.js cross_surface.test.js member_session.test.js \
    control.test.js org.test.js schema.test.js stytch_errors.test.js frontend_signin.test.js \
    "$@"
exit $?
