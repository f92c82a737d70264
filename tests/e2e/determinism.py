#!/usr/bin/env python3
"""--seed makes the emulator reproducible: two fresh servers started with the same seed and sent
the same requests answer the same creates (ids, request ids, bearer tokens, session tokens,
signing keys), timestamps aside; a third with another seed answers differently.

Usage: determinism.py --bin PATH

Also checked: control calls (here, a different number of health polls per run) do not shift the
seeded stream, and POST /_emulator/reset restarts it, so that what follows a reset is what
follows a fresh start. Prints one line per failure and a summary; exits 1 on failure.
"""

import argparse
import base64
import hashlib
import http.client
import json
import os
import re
import select
import signal
import subprocess
import sys
import time

PROJECT_ID = "project-test-11111111-1111-4111-8111-111111111111"
SECRET = "secret-test-ssoemu-local-secret-0000000000000"
PUBLIC_TOKEN = "public-token-test-11111111-1111-4111-8111-111111111111"
ACME = "organization-test-aaaaaaaa-0000-4000-8000-000000000001"
GLOBEX = "organization-test-bbbbbbbb-0000-4000-8000-000000000002"
GLOBEX_SAML = "saml-connection-test-bbbbbbbb-0000-4000-8000-00000000c001"
TIMESTAMP_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
START_TIMEOUT = 10.0
REQUEST_TIMEOUT = 15.0


def basic(user, password):
    return "Basic " + base64.b64encode(("%s:%s" % (user, password)).encode()).decode()


API = {"Authorization": basic(PROJECT_ID, SECRET)}
SDK_ALICE = {"Authorization": basic(PUBLIC_TOKEN, "session-acme-admin")}


class Server:
    def __init__(self, binary, seed):
        env = {k: v for k, v in os.environ.items() if not k.startswith("SSOEMU_")}
        self.proc = subprocess.Popen([binary, "--port", "0", "--seed", str(seed)], stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
        fd = self.proc.stdout.fileno()
        buf = b""
        deadline = time.monotonic() + START_TIMEOUT
        while b"\n" not in buf:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                self.stop()
                raise RuntimeError("no listening line within %.0f s" % START_TIMEOUT)
            chunk = os.read(fd, 4096)
            if not chunk:
                self.stop()
                raise RuntimeError("server exited before listening")
            buf += chunk
        m = re.match(r"^ssoemu listening on http://[^:]+:(\d+)$", buf.split(b"\n")[0].decode())
        if not m:
            self.stop()
            raise RuntimeError("unexpected first line %r" % buf)
        self.port = int(m.group(1))

    def request(self, method, path, headers=None, body=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=REQUEST_TIMEOUT)
        try:
            data = json.dumps(body).encode() if body is not None else None
            hdrs = dict(headers or {})
            if data is not None:
                hdrs["Content-Type"] = "application/json"
            conn.request(method, path, body=data, headers=hdrs)
            resp = conn.getresponse()
            text = resp.read().decode()
            return resp.status, json.loads(text) if text else None
        finally:
            conn.close()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stdout.close()


def der_element(buf, pos):
    """(tag, start of content, end of content) of the DER element at pos."""
    tag = buf[pos]
    length = buf[pos + 1]
    pos += 2
    if length & 0x80:
        n = length & 0x7F
        length = int.from_bytes(buf[pos:pos + n], "big")
        pos += n
    return tag, pos, pos + length


def certificate_identity(pem):
    """A certificate without its validity period (which is the wall clock): the serial number and
    the SHA-256 of the subject public key. Parses just enough DER for that."""
    body = "".join(line for line in pem.strip().splitlines() if not line.startswith("-----"))
    der = base64.b64decode(body)
    _, cert, _ = der_element(der, 0)
    _, pos, _ = der_element(der, cert)  # tbsCertificate
    fields = []
    while len(fields) < 7:
        tag, start, end = der_element(der, pos)
        fields.append((tag, der[pos:end]))
        pos = end
    if fields[0][0] != 0xA0:  # no explicit version: v1 layout
        fields.insert(0, (None, b""))
    serial, spki = fields[1][1], fields[6][1]
    return "certificate serial %s key %s" % (serial.hex(), hashlib.sha256(spki).hexdigest())


def normalize(v):
    """Drops what depends on the clock: timestamps, JWTs (iat/exp inside) and certificate
    validity. Everything else must match byte for byte."""
    if isinstance(v, dict):
        out = {}
        for k, x in v.items():
            if k == "session_jwt":
                continue
            if k == "certificate" and isinstance(x, str) and x.startswith("-----BEGIN CERTIFICATE-----"):
                out[k] = certificate_identity(x)
                continue
            out[k] = normalize(x)
        return out
    if isinstance(v, list):
        return [normalize(x) for x in v]
    if isinstance(v, str) and TIMESTAMP_RE.match(v):
        return "<time>"
    return v


def sequence(server, health_polls):
    """The requests of one run; returns [(label, status, normalized body)]."""
    out = []

    def call(label, method, path, headers=None, body=None):
        status, doc = server.request(method, path, headers, body)
        out.append((label, status, normalize(doc)))
        return status, doc

    for _ in range(health_polls):
        status, _ = server.request("GET", "/_emulator/health")
        if status != 200:
            raise RuntimeError("health answered %d" % status)
    call("SAML create (API)", "POST", "/v1/b2b/sso/saml/" + ACME, API, {"display_name": "d1"})
    status, _ = call("OIDC create (API)", "POST", "/v1/b2b/sso/oidc/" + ACME, API, {"display_name": "o1"})
    if status == 404:
        out.pop()  # no OIDC route in this build: left out of both runs alike
    call("External create (API)", "POST", "/v1/b2b/sso/external/" + ACME, API,
         {"external_organization_id": GLOBEX, "external_connection_id": GLOBEX_SAML, "display_name": "e1"})
    call("SCIM create (API)", "POST", "/v1/b2b/scim/%s/connection" % ACME, API, {"display_name": "s1"})
    call("SAML create (SDK)", "POST", "/sdk/v1/b2b/sso/saml", SDK_ALICE, {"display_name": "d2"})
    call("session mint", "POST", "/_emulator/sessions", None, {"email": "alice@acme.test"})
    call("session authenticate (SDK)", "POST", "/sdk/v1/b2b/sessions/authenticate", SDK_ALICE, {})
    call("SAML create after JWT signing", "POST", "/v1/b2b/sso/saml/" + GLOBEX, API, {"display_name": "d3"})
    for _ in range(health_polls):
        server.request("GET", "/_emulator/health")
    call("reset", "POST", "/_emulator/reset")
    call("SAML create after reset", "POST", "/v1/b2b/sso/saml/" + ACME, API, {"display_name": "d1"})
    return out


def run(binary, seed, health_polls):
    server = Server(binary, seed)
    try:
        return sequence(server, health_polls)
    finally:
        server.stop()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", required=True)
    args = ap.parse_args()
    binary = os.path.abspath(args.bin)
    failures = []
    checks = 0

    def check(ok, what):
        nonlocal checks
        checks += 1
        if not ok:
            failures.append(what)
            print("FAIL: " + what)

    a = run(binary, 42, 1)
    b = run(binary, 42, 7)
    c = run(binary, 43, 1)

    check(len(a) == len(b), "the two --seed 42 runs made %d and %d calls" % (len(a), len(b)))
    for (label, sa, da), (_, sb, db) in zip(a, b):
        check(sa == 200, "%s answered %d: %s" % (label, sa, json.dumps(da)[:300]))
        check((sa, da) == (sb, db), "%s differs between two --seed 42 runs:\n  %s\n  %s" %
              (label, json.dumps(da, sort_keys=True)[:2000], json.dumps(db, sort_keys=True)[:2000]))

    # The things that must come from the seeded stream are really in the answers compared above.
    first = a[0][2]
    check(re.match(r"^saml-connection-test-", first["connection"]["connection_id"]) is not None,
          "SAML create has no connection id")
    check(first["connection"]["signing_certificates"][0]["certificate"].startswith("certificate serial"),
          "SAML create has no signing certificate")
    scim = dict((l, d) for l, _, d in a)["SCIM create (API)"]
    check(re.match(r"^[A-Za-z0-9]{48}$", scim["connection"]["bearer_token"]) is not None,
          "SCIM create has no bearer token")
    mint = dict((l, d) for l, _, d in a)["session mint"]
    check(re.match(r"^session-test-[A-Za-z0-9]{40}$", mint["session_token"]) is not None,
          "the minted session has no token")

    # What follows a reset is what follows a fresh start, request id included.
    after_reset = dict((l, d) for l, _, d in a)["SAML create after reset"]
    check(after_reset == first, "the create after a reset differs from the first create after start-up:\n  %s\n  %s" %
          (json.dumps(after_reset, sort_keys=True)[:1500], json.dumps(first, sort_keys=True)[:1500]))

    # Another seed, other ids, tokens and keys.
    for (label, _, da), (_, sc, dc) in zip(a, c):
        if label == "reset":
            continue
        check(sc == 200, "--seed 43: %s answered %d" % (label, sc))
        check(da != dc, "%s is the same under --seed 42 and --seed 43" % label)
    ca = c[0][2]["connection"]
    check(ca["connection_id"] != first["connection"]["connection_id"], "--seed 43 gave the same connection id")
    check(ca["signing_certificates"][0]["certificate"] != first["connection"]["signing_certificates"][0]["certificate"],
          "--seed 43 gave the same signing key")

    print("%d checks, %d failed" % (checks, len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
