#!/usr/bin/env python3
"""Outbound requests against the real binary (README "Outbound requests"): no fetch, file or document
can hold a server thread. Each check starts its own server on 127.0.0.1 with --port 0:

- file:// only for regular files inside --metadata-dir: a FIFO, a link to /proc/self/fd/1 and to
  /dev/zero are refused at once, in the same words as a missing file; never on /sdk/v1, never
  without the option;
- a peer that accepts and never answers: 24 concurrent updates (SAML metadata and OIDC discovery)
  while /_emulator/health and an unrelated GET answer promptly; the per-credential cap answers at
  once with 429 too_many_outbound_fetches; under --seed (one server thread) too;
- SIGTERM while fetches hang exits promptly with status 0, answering them 503;
- metadata with 50,000 attributes on one element, or nested deeply, is refused promptly with
  invalid_xml_from_saml_metadata_url, and error messages never quote the document;
- OIDC issuer rules (oidc_connection_issuer_url_invalid_format);
- invalid UTF-8 or long multi-byte text in paths, queries and values: never a 500, and
  GET /_emulator/requests and the JSON access log stay valid;
- RSA keys: 512-bit, e=1, n=1 and all-zero keys are refused with 400, never 500.

The time bounds are liveness checks (generous: a blocked server thread takes seconds), not speed
tests. Usage: outbound.py --bin PATH. Prints one line per failure; exits 1 on failure.
"""

import argparse
import base64
import concurrent.futures
import http.client
import json
import os
import re
import select
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

PROJECT = "project-test-11111111-1111-4111-8111-111111111111"
SECRET = "secret-test-ssoemu-local-secret-0000000000000"
PUBLIC = "public-token-test-11111111-1111-4111-8111-111111111111"
ACME = "organization-test-aaaaaaaa-0000-4000-8000-000000000001"
LISTEN_RE = re.compile(r"^ssoemu listening on http://(.+):(\d+)$")
# Generous: a request that waits on a fetch takes the fetch time-out (3 s); a free thread answers in
# microseconds.
PROMPT = 0.5
HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "data")

failures = []
checks = 0


def check(ok, what):
    global checks
    checks += 1
    if not ok:
        failures.append(what)
        print("FAIL: " + what, flush=True)


def basic(user, password):
    return "Basic " + base64.b64encode(("%s:%s" % (user, password)).encode()).decode()


API = basic(PROJECT, SECRET)
SDK_ADMIN = basic(PUBLIC, "session-acme-admin")


class Server:
    def __init__(self, binary, args):
        env = {k: v for k, v in os.environ.items() if not k.startswith("SSOEMU_")}
        self.stderr = tempfile.TemporaryFile()
        self.proc = subprocess.Popen([binary, "--port", "0", "--rate-limit", "off"] + args, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=self.stderr, env=env)
        line = b""
        deadline = time.monotonic() + 15
        while not line.endswith(b"\n"):
            ready, _, _ = select.select([self.proc.stdout], [], [], max(0, deadline - time.monotonic()))
            if not ready:
                self.proc.kill()
                raise RuntimeError("no listening line")
            b = os.read(self.proc.stdout.fileno(), 1)
            if not b:
                raise RuntimeError("server exited: %s" % self.stderr_text())
            line += b
        m = LISTEN_RE.match(line.decode().strip())
        self.port = int(m.group(2))

    def stderr_text(self):
        self.stderr.flush()
        self.stderr.seek(0)
        return self.stderr.read().decode("utf-8", "replace")

    def request(self, method, path, body=None, auth=API, timeout=10, headers=None):
        """Returns (status, parsed JSON or None, seconds)."""
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        h = {"Content-Type": "application/json"}
        if auth:
            h["Authorization"] = auth
        h.update(headers or {})
        data = json.dumps(body).encode() if body is not None else None
        t = time.monotonic()
        try:
            c.request(method, path, body=data, headers=h)
            r = c.getresponse()
            raw = r.read()
            took = time.monotonic() - t
            try:
                return r.status, json.loads(raw), took
            except ValueError:
                return r.status, None, took
        except (OSError, http.client.HTTPException) as e:
            return None, {"exception": repr(e)}, time.monotonic() - t
        finally:
            c.close()

    def raw(self, data, timeout=5):
        """Sends raw bytes; returns (status, parsed body or None)."""
        s = socket.create_connection(("127.0.0.1", self.port), timeout=timeout)
        try:
            s.sendall(data)
            buf = b""
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                buf += chunk
                head, sep, body = buf.partition(b"\r\n\r\n")
                m = re.search(rb"Content-Length: (\d+)", head, re.I)
                if sep and m and len(body) >= int(m.group(1)):
                    break
        except OSError:
            return None, None
        finally:
            s.close()
        head, _, body = buf.partition(b"\r\n\r\n")
        m = re.match(rb"HTTP/1\.[01] (\d+)", head)
        try:
            return (int(m.group(1)) if m else None), json.loads(body)
        except ValueError:
            return (int(m.group(1)) if m else None), None

    def stop(self, timeout=10):
        """SIGTERM; returns (exit status or None when it had to be killed, seconds)."""
        t = time.monotonic()
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            code = None
        self.proc.stdout.close()
        return code, time.monotonic() - t


def create_saml(srv):
    st, body, _ = srv.request("POST", "/v1/b2b/sso/saml/" + ACME, {"display_name": "outbound"})
    return body["connection"]["connection_id"]


def create_oidc(srv):
    st, body, _ = srv.request("POST", "/v1/b2b/sso/oidc/" + ACME, {"display_name": "outbound"})
    return body["connection"]["connection_id"]


def saml_url_path(conn):
    return "/v1/b2b/sso/saml/%s/connections/%s/url" % (ACME, conn)


class Silent:
    """A loopback TCP server that accepts connections and never answers (closes them at stop)."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(128)
        self.port = self.sock.getsockname()[1]
        self.conns = []
        self.done = False
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self):
        self.sock.settimeout(0.2)
        while not self.done:
            try:
                c, _ = self.sock.accept()
                self.conns.append(c)
            except OSError:
                pass

    def stop(self):
        self.done = True
        for c in self.conns:
            c.close()
        self.sock.close()


class Docs:
    """A loopback HTTP server answering each path with a fixed document."""

    def __init__(self, docs):
        import http.server

        outer = self

        class H(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                body = outer.docs.get(self.path)
                if body is None:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *a):
                pass

        self.docs = docs
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True).start()

    def url(self, path):
        return "http://127.0.0.1:%d%s" % (self.port, path)

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def prompt_get(srv, what):
    """/_emulator/health and an unrelated API GET both answer promptly."""
    for path, auth in (("/_emulator/health", None), ("/v1/b2b/sso/" + ACME, API)):
        st, _, took = srv.request("GET", path, auth=auth, timeout=10)
        check(st == 200 and took < PROMPT, "%s: GET %s answered %s in %.3f s (bound %.1f s)" % (what, path, st, took,
                                                                                            PROMPT))
        print("measured: %s: GET %s %.1f ms" % (what, path, took * 1000))


# --- file:// -------------------------------------------------------------------------------------


def test_file_urls(binary):
    with tempfile.TemporaryDirectory() as d:
        mdir = os.path.join(d, "metadata")
        os.mkdir(mdir)
        with open(os.path.join(DATA, "metadata-both.xml"), "rb") as f:
            good = f.read()
        with open(os.path.join(mdir, "good.xml"), "wb") as f:
            f.write(good)
        with open(os.path.join(d, "outside.xml"), "wb") as f:
            f.write(good)
        os.mkfifo(os.path.join(mdir, "fifo.xml"))
        os.symlink("/proc/self/fd/1", os.path.join(mdir, "stdout.xml"))
        os.symlink("/dev/zero", os.path.join(mdir, "zero.xml"))
        os.symlink(os.path.join(d, "outside.xml"), os.path.join(mdir, "link-outside.xml"))
        srv = Server(binary, ["--metadata-dir", mdir])
        try:
            conn = create_saml(srv)
            st, body, _ = srv.request("PUT", saml_url_path(conn), {"metadata_url": "file://" + mdir + "/good.xml"})
            check(st == 200 and body["connection"]["idp_entity_id"] == "https://idp.example.test/metadata",
                  "file:// under --metadata-dir: %s %s" % (st, body))
            messages = {}
            for name in ("fifo.xml", "stdout.xml", "zero.xml", "link-outside.xml", "missing.xml", "../outside.xml",
                         "%2e%2e/outside.xml"):
                url = "file://" + mdir + "/" + name
                st, body, took = srv.request("PUT", saml_url_path(conn), {"metadata_url": url}, timeout=6)
                check(st == 400 and body.get("error_type") == "invalid_saml_metadata_url" and took < PROMPT,
                      "file:// %s: expected a prompt 400 invalid_saml_metadata_url, got %s in %.2f s: %s" %
                      (name, st, took, body))
                print("measured: file:// %s refused in %.1f ms" % (name, took * 1000))
                if body and "error_message" in body:
                    messages[name] = body["error_message"].replace(url, "URL")
            # Nothing tells a missing file from one that exists elsewhere or is not a regular file.
            check(len(set(messages.values())) == 1, "file:// refusals differ: %s" % messages)
            prompt_get(srv, "after the file:// refusals")
            # Never on the frontend surface.
            sdk_path = "/sdk/v1/b2b/sso/saml/%s/url" % conn
            st, body, _ = srv.request("PUT", sdk_path, {"metadata_url": "file://" + mdir + "/good.xml"},
                                      auth=SDK_ADMIN)
            check(st == 400 and body.get("error_type") == "invalid_saml_metadata_url",
                  "file:// on /sdk/v1: %s %s" % (st, body))
        finally:
            code, took = srv.stop()
            check(code == 0 and took < 5, "file:// server: exit %s after %.1f s" % (code, took))
        # Without --metadata-dir, file:// is never read.
        srv = Server(binary, [])
        try:
            conn = create_saml(srv)
            st, body, _ = srv.request("PUT", saml_url_path(conn),
                                      {"metadata_url": "file://" + os.path.join(DATA, "metadata-both.xml")})
            check(st == 400 and body.get("error_type") == "invalid_saml_metadata_url",
                  "file:// without --metadata-dir: %s %s" % (st, body))
        finally:
            srv.stop()


# --- a peer that never answers ---------------------------------------------------------------------


def hang_many(srv, silent, n):
    """Starts n updates (SAML by URL and OIDC discovery) against the silent peer; returns the futures."""
    saml = [create_saml(srv) for _ in range(n // 2)]
    oidc = [create_oidc(srv) for _ in range(n - n // 2)]
    url = "http://127.0.0.1:%d" % silent.port
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=n)
    futs = []
    for i, c in enumerate(saml):
        futs.append(pool.submit(srv.request, "PUT", saml_url_path(c), {"metadata_url": url + "/m%d.xml" % i}, API, 15))
    for i, c in enumerate(oidc):
        path = "/sdk/v1/b2b/sso/oidc/" + c
        futs.append(pool.submit(srv.request, "PUT", path, {"issuer": url + "/issuer%d" % i}, SDK_ADMIN, 15))
    pool.shutdown(wait=False)
    return futs


def test_hanging_peer(binary, seeded):
    what = "hanging peer" + (" under --seed" if seeded else "")
    silent = Silent()
    srv = Server(binary, ["--seed", "7"] if seeded else [])
    try:
        futs = hang_many(srv, silent, 24)
        time.sleep(0.3)
        prompt_get(srv, what + ", 24 updates in flight")
        results = [f.result() for f in futs]
        codes = {}
        for st, body, took in results:
            key = (st, (body or {}).get("error_type"))
            codes[key] = codes.get(key, 0) + 1
        # Every update is answered: the ones within the per-credential cap when the fetch times out, the
        # others at once with 429; OIDC discovery failures are warnings of a successful update.
        answered = sum(1 for st, _, _ in results if st is not None)
        check(answered == 24, "%s: %d of 24 updates answered: %s" % (what, answered, codes))
        limited = [took for st, body, took in results if st == 429 and body.get("error_type") ==
                   "too_many_outbound_fetches"]
        check(len(limited) >= 16, "%s: expected at least 16 x 429 too_many_outbound_fetches, got %s" % (what, codes))
        check(all(t < PROMPT + 0.5 for t in limited), "%s: a 429 was not immediate: %s" % (what, limited))
        timed = [b for st, b, _ in results if st == 400]
        check(all(b.get("error_type") == "invalid_saml_metadata_url" and "within 3000 ms" in b.get("error_message", "")
                  for b in timed) and len(timed) >= 1, "%s: SAML fetches should time out: %s" % (what, codes))
        warned = [b for st, b, _ in results if st == 200]
        check(len(warned) >= 1 and all("3000 ms" in b["data"].get("warning", "") for b in warned),
              "%s: OIDC discovery should end in a warning: %s" % (what, codes))
        print("measured: %s: %s" % (what, sorted(codes.items(), key=str)))
    finally:
        srv.stop()
        silent.stop()


def test_sigterm_while_hanging(binary):
    silent = Silent()
    srv = Server(binary, [])
    try:
        futs = hang_many(srv, silent, 6)
        time.sleep(0.4)
        code, took = srv.stop(timeout=10)
        check(code == 0 and took < 2.0, "SIGTERM with fetches hanging: exit %s after %.2f s (bound 2 s, the fetch "
                                        "time-out is 3 s)" % (code, took))
        print("measured: SIGTERM with 6 fetches hanging: exit after %.1f ms" % (took * 1000))
        # The requests in flight are answered, not dropped: 503 service_unavailable, nothing written.
        results = [f.result() for f in futs]
        stopped = [r for r in results if r[0] == 503 and r[1].get("error_type") == "service_unavailable"]
        check(len(stopped) >= 4 and all(r[0] in (503, 429) for r in results),
              "SIGTERM with fetches hanging: answers %s" % [(r[0], (r[1] or {}).get("error_type")) for r in results])
    finally:
        if srv.proc.poll() is None:
            srv.stop()
        silent.stop()


# --- hostile documents ------------------------------------------------------------------------------


def test_documents(binary):
    attrs = " ".join('a%05d="1"' % i for i in range(50000))
    many = ('<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="x" %s/>' % attrs).encode()
    deep = ("<a>" * 5000 + "</a>" * 5000).encode()
    leak = b'<secretroot xmlns="urn:x"><inner-secret-name/></secretroot>'
    docs = Docs({"/many.xml": many, "/deep.xml": deep, "/leak.xml": leak})
    srv = Server(binary, [])
    try:
        check(len(many) > 500000, "the many-attribute document is %d bytes" % len(many))
        conn = create_saml(srv)
        for name in ("/many.xml", "/deep.xml"):
            st, body, took = srv.request("PUT", saml_url_path(conn), {"metadata_url": docs.url(name)}, timeout=30)
            check(st == 400 and body.get("error_type") == "invalid_xml_from_saml_metadata_url" and took < 1.0,
                  "%s: expected 400 invalid_xml_from_saml_metadata_url within 1 s, got %s in %.2f s" % (name, st, took))
            print("measured: %s (%d bytes) refused in %.1f ms" % (name, len(docs.docs[name]), took * 1000))
        # Eight at once, with everyone else still served.
        conns = [create_saml(srv) for _ in range(8)]
        pool = concurrent.futures.ThreadPoolExecutor(max_workers=8)
        futs = [pool.submit(srv.request, "PUT", saml_url_path(c), {"metadata_url": docs.url("/many.xml")}, API, 30)
                for c in conns]
        prompt_get(srv, "8 hostile documents in flight")
        for f in futs:
            st, body, _ = f.result()
            check(st in (400, 429), "8 hostile documents: %s %s" % (st, body))
        pool.shutdown()
        st, body, _ = srv.request("PUT", saml_url_path(conn), {"metadata_url": docs.url("/leak.xml")})
        msg = (body or {}).get("error_message", "")
        check(st == 400 and "secretroot" not in msg and "inner-secret-name" not in msg,
              "metadata errors must not quote the document: %s" % msg)
    finally:
        srv.stop()
        docs.stop()


# --- OIDC issuer ---------------------------------------------------------------------------------------


def test_issuer(binary):
    srv = Server(binary, [])
    docs = Docs({"/internal.json": b'{"authorization_endpoint": "https://leak.test/a"}'})
    try:
        conn = create_oidc(srv)
        path = "/v1/b2b/sso/oidc/%s/connections/%s" % (ACME, conn)
        for issuer in (docs.url("/internal.json#"), docs.url("/internal.json?x="), "http://idp.example.test",
                       "file:///etc", "ftp://idp.example.test", "https://", "idp.example.test", "https://a b.test",
                       "https://" + "\u00e4" * 600 + ".test"):
            st, body, _ = srv.request("PUT", path, {"issuer": issuer})
            check(st == 400 and body.get("error_type") == "oidc_connection_issuer_url_invalid_format",
                  "issuer %r: expected 400 oidc_connection_issuer_url_invalid_format, got %s %s" % (issuer[:60], st,
                                                                                                    body))
        st, body, _ = srv.request("GET", "/v1/b2b/sso/" + ACME)
        check("leak.test" not in json.dumps(body), "a refused issuer's document was fetched and stored")
        for issuer in ("https://idp.example.test", "http://127.0.0.1:1/x", "http://localhost:1"):
            st, body, _ = srv.request("PUT", path, {"issuer": issuer})
            check(st == 200, "issuer %s: expected 200, got %s %s" % (issuer, st, body))
    finally:
        srv.stop()
        docs.stop()


# --- UTF-8 ----------------------------------------------------------------------------------------------


def test_utf8(binary):
    srv = Server(binary, ["--log-format", "json"])
    try:
        cases = []
        st, body = srv.raw(b"GET /v1/b2b/sso/\xff HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: " + API.encode() +
                           b"\r\nConnection: close\r\n\r\n")
        cases.append(("raw \\xff in the path", st, body))
        st, body = srv.raw(b"GET /_emulator/\xff\xfe HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        cases.append(("raw \\xff in a control path", st, body))
        seg = "%C3%A4" * 600
        st, body, _ = srv.request("GET", "/v1/b2b/sso/" + seg)
        cases.append(("600-character \u00e4 segment", st, body))
        st, body, _ = srv.request("GET", "/v1/b2b/sso/organization-test-%FF")
        cases.append(("%FF in a path parameter", st, body))
        st, body, _ = srv.request("GET", "/sdk/v1/b2b/sso/discovery/connections?email_address=a%40" + "%C3%A4" * 60 +
                                  ".test", auth=basic(PUBLIC, PUBLIC))
        cases.append(("discovery email with 60 \u00e4", st, body))
        st, body, _ = srv.request("GET", "/sdk/v1/b2b/sso/discovery/connections?email_address=%FF%40x.test",
                                  auth=basic(PUBLIC, PUBLIC))
        cases.append(("discovery email with %FF", st, body))
        conn = create_saml(srv)
        st, body, _ = srv.request("PUT", "/v1/b2b/sso/saml/%s/connections/%s" % (ACME, conn),
                                  {"identity_provider": "\u00e4" * 700})
        cases.append(("identity_provider of 700 \u00e4", st, body))
        oidc = create_oidc(srv)
        st, body, _ = srv.request("PUT", "/v1/b2b/sso/oidc/%s/connections/%s" % (ACME, oidc),
                                  {"issuer": "https://x.test/" + "\u00e4" * 700})
        cases.append(("issuer of 700 \u00e4", st, body))
        st, body, _ = srv.request("PUT", saml_url_path(conn), {"metadata_url": "http://127.0.0.1:1/" + "\u00e4" * 700})
        cases.append(("metadata_url of 700 \u00e4", st, body))
        for what, st, body in cases:
            check(st in (400, 404) and isinstance(body, dict) and body.get("status_code") == st,
                  "%s: expected 400 or 404 with the JSON error body, got %s %s" % (what, st, str(body)[:200]))
        # The SCIM service provider's own error body, for a raw byte and a long multi-byte value.
        st, body, _ = srv.request("POST", "/v1/b2b/scim/%s/connection" % ACME, {"display_name": "Okta",
                                                                              "identity_provider": "okta"})
        conn = body["connection"]
        base = "/" + conn["base_url"].split("/", 3)[3]
        bearer = ("Authorization: Bearer %s\r\n" % conn["bearer_token"]).encode()
        st, body = srv.raw(b"GET " + base.encode() + b"/Users/\xff\xfe HTTP/1.1\r\nHost: 127.0.0.1\r\n" + bearer +
                           b"Connection: close\r\n\r\n")
        check(st in (400, 404) and isinstance(body, dict) and body.get("status") == str(st),
              "SCIM raw \\xff in the path: %s %s" % (st, str(body)[:200]))
        st, body, _ = srv.request("GET", base + "/Users?filter=" + "userName%20eq%20%22" + "%C3%A4" * 400 + "%22%20x",
                                  auth=None, headers={"Authorization": "Bearer " + conn["bearer_token"]})
        check(st in (200, 400) and isinstance(body, dict), "SCIM long multi-byte filter: %s %s" % (st, str(body)[:200]))
        st, body, _ = srv.request("GET", "/_emulator/requests", auth=None)
        check(st == 200 and isinstance(body, (dict, list)), "GET /_emulator/requests after bad entries: %s" % st)
        lines = [l for l in srv.stderr_text().split("\n") if l.startswith("{")]
        bad = []
        for l in lines:
            try:
                json.loads(l)
            except ValueError:
                bad.append(l)
        check(not bad and len(lines) >= len(cases), "JSON access log: %d lines, %d invalid: %s" % (len(lines), len(bad),
                                                                                              bad[:2]))
    finally:
        srv.stop()


# --- RSA keys -----------------------------------------------------------------------------------------------


def der_int(v):
    b = v.to_bytes((v.bit_length() + 8) // 8 or 1, "big")
    return b"\x02" + der_len(len(b)) + b


def der_len(n):
    if n < 128:
        return bytes([n])
    b = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(b)]) + b


def pkcs1(n, e, d, p, q):
    dp, dq = (d % (p - 1) if p > 1 else 0), (d % (q - 1) if q > 1 else 0)
    qi = pow(q, -1, p) if p > 1 and q > 1 else 0
    body = b"".join(der_int(x) for x in (0, n, e, d, p, q, dp, dq, qi))
    der = b"\x30" + der_len(len(body)) + body
    b64 = base64.b64encode(der).decode()
    return "-----BEGIN RSA PRIVATE KEY-----\n" + "\n".join(b64[i:i + 64] for i in range(0, len(b64), 64)) + \
        "\n-----END RSA PRIVATE KEY-----\n"


def openssl_key(bits, exp="65537"):
    out = subprocess.run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:%d" % bits,
                          "-pkeyopt", "rsa_keygen_pubexp:" + exp], capture_output=True, check=True).stdout
    # PKCS#1, as the API takes it.
    return subprocess.run(["openssl", "rsa", "-traditional"], input=out, capture_output=True, check=True).stdout.decode()


def key_numbers(pem):
    text = subprocess.run(["openssl", "rsa", "-noout", "-text"], input=pem.encode(), capture_output=True,
                          check=True).stdout.decode()
    nums = {}
    for name in ("modulus", "prime1", "prime2"):
        m = re.search(name + r":\s*\n((?:\s+[0-9a-f:]+\n)+)", text)
        nums[name] = int(re.sub(r"[\s:]", "", m.group(1)), 16)
    return nums


def test_rsa_keys(binary):
    good = openssl_key(2048)
    nums = key_numbers(good)
    n, p, q = nums["modulus"], nums["prime1"], nums["prime2"]
    bad = {
        "512-bit key": openssl_key(512),
        "e=1": pkcs1(n, 1, 1, p, q),
        "n=1": pkcs1(1, 65537, 1, 1, 1),
        "all zeros": pkcs1(0, 0, 0, 0, 0),
        "wrong d": pkcs1(n, 65537, 12345, p, q),
    }
    srv = Server(binary, [])
    try:
        conn = create_saml(srv)
        path = "/v1/b2b/sso/saml/%s/connections/%s" % (ACME, conn)
        for what, pem in bad.items():
            st, body, _ = srv.request("PUT", path, {"signing_private_key": pem})
            check(st == 400 and body.get("error_type") in ("saml_signing_private_key_invalid",
                                                          "invalid_signing_private_key"),
                  "signing_private_key %s: expected 400, got %s %s" % (what, st, body))
            st, body, _ = srv.request("PUT", path, {"saml_encryption_private_key": pem})
            check(st == 400 and body.get("error_type") == "invalid_saml_encryption_private_key",
                  "saml_encryption_private_key %s: expected 400, got %s %s" % (what, st, body))
        st, body, _ = srv.request("PUT", path, {"signing_private_key": bad["e=1"]})
        check(body.get("error_type") == "saml_signing_private_key_invalid", "e=1: %s" % body)
        st, body, _ = srv.request("PUT", path, {"saml_encryption_private_key": "garbage"})
        check(st == 400 and body.get("error_type") == "invalid_saml_encryption_private_key",
              "garbage encryption key: %s %s" % (st, body))
        st, body, _ = srv.request("PUT", path, {"signing_private_key": good, "saml_encryption_private_key": good})
        check(st == 200 and len(body["connection"]["encryption_private_keys"]) == 1,
              "a good 2048-bit key: %s %s" % (st, str(body)[:200]))
    finally:
        srv.stop()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("only", nargs="*")
    args = ap.parse_args()
    binary = os.path.abspath(args.bin)
    tests = [("file", lambda: test_file_urls(binary)), ("hang", lambda: test_hanging_peer(binary, False)),
             ("hang-seed", lambda: test_hanging_peer(binary, True)), ("sigterm", lambda: test_sigterm_while_hanging(binary)),
             ("documents", lambda: test_documents(binary)), ("issuer", lambda: test_issuer(binary)),
             ("utf8", lambda: test_utf8(binary)), ("rsa", lambda: test_rsa_keys(binary))]
    for name, fn in tests:
        if args.only and name not in args.only:
            continue
        try:
            fn()
        except Exception as e:  # a crash of the harness is a failure of the check, never a pass
            check(False, "%s: %r" % (name, e))
    print("%d checks, %d failed" % (checks, len(failures)))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
