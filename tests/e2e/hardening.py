#!/usr/bin/env python3
"""The edge's defences against hostile clients and web pages, end to end against the real binary
(README "Security model" and "Limits"):

  connections  1,100 trickling sockets or 1,800 half-request-and-close clients from one address do
               not keep others from being served; a request head trickled for longer than the head
               deadline is cut off
  stop         SIGTERM during 12 parallel SAML creates on a --db file: every committed row had its
               answer sent, exit status 0
  masking      secrets, public and session tokens, JWTs and SCIM bearer tokens in paths never reach
               stderr (text and json) or /_emulator/requests, also on 401 and 404
  control      cross-origin and non-JSON control writes refused, the Host rule on every surface,
               --allowed-hosts and the host of --public-url accepted
  protected    a non-loopback listen address without --admin-token: one warning line, the control
               API only for loopback clients (in a private network namespace: `unshare -rn`, with an
               address of its own on its loopback device; skipped when namespaces are unavailable)
  ratelimit    the session's token and its JWTs share one bucket; unauthenticated requests none
  http         many query parameters, long URLs, conflicting Content-Length, unknown
               Transfer-Encoding, no Host, large headers: a JSON error at once; garbage and
               half-closed requests closed at once
  logs         control bytes of a path escaped in the text log; duration_ms in microseconds

Usage: hardening.py --bin PATH [--only SECTION ...]
Every server listens on 127.0.0.1 (the protected section: inside its own network namespace).
Prints one line per failure and a summary; exits 1 on failure.
"""

import argparse
import base64
import http.client
import json
import os
import re
import resource
import select
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

PROJECT_ID = "project-test-11111111-1111-4111-8111-111111111111"
SECRET = "secret-test-ssoemu-local-secret-0000000000000"
PUBLIC_TOKEN = "public-token-test-11111111-1111-4111-8111-111111111111"
ACME = "organization-test-aaaaaaaa-0000-4000-8000-000000000001"
API = "Basic " + base64.b64encode(("%s:%s" % (PROJECT_ID, SECRET)).encode()).decode()


def sdk(session):
    return "Basic " + base64.b64encode(("%s:%s" % (PUBLIC_TOKEN, session)).encode()).decode()


failures = []
checks = 0


def check(ok, what):
    global checks
    checks += 1
    if not ok:
        failures.append(what)
        print("FAIL: " + what, flush=True)
    return ok


class Server:
    """ssoemu on 127.0.0.1 with a free port; stderr collected by a thread."""

    def __init__(self, binary, args=(), host="127.0.0.1"):
        env = {k: v for k, v in os.environ.items() if not k.startswith("SSOEMU_")}
        self.p = subprocess.Popen([binary, "--host", host, "--port", "0"] + list(args), stdin=subprocess.DEVNULL,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        ready, _, _ = select.select([self.p.stdout], [], [], 10)
        line = self.p.stdout.readline().decode() if ready else ""
        if "listening on" not in line:
            self.p.kill()
            raise RuntimeError("the server did not start: %r" % line)
        self.port = int(line.strip().rsplit(":", 1)[1])
        self.err = []
        self.t = threading.Thread(target=self._drain, daemon=True)
        self.t.start()

    def _drain(self):
        for line in self.p.stderr:
            self.err.append(line)

    def stderr(self):
        return b"".join(self.err)

    def request(self, method, path, headers=None, body=None, src="127.0.0.1", timeout=10, host=None):
        conn = http.client.HTTPConnection(host or "127.0.0.1", self.port, timeout=timeout,
                                          source_address=(src, 0))
        try:
            h = dict(headers or {})
            data = None
            if body is not None:
                data = body if isinstance(body, bytes) else json.dumps(body).encode()
                h.setdefault("Content-Type", "application/json")
            conn.request(method, path, body=data, headers=h)
            resp = conn.getresponse()
            raw = resp.read()
            try:
                doc = json.loads(raw)
            except ValueError:
                doc = None
            return resp.status, doc, raw
        finally:
            conn.close()

    def stop(self, timeout=10):
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGTERM)
        try:
            code = self.p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.p.kill()
            code = None
        self.t.join(timeout=5)
        return code


def raw(port, data, shut=False, wait=5.0, src="127.0.0.1"):
    """Sends bytes; returns (everything received until the server closed, seconds it took, closed)."""
    s = socket.socket()
    s.settimeout(wait)
    s.bind((src, 0))
    s.connect(("127.0.0.1", port))
    t = time.time()
    s.sendall(data)
    if shut:
        s.shutdown(socket.SHUT_WR)
    out, closed = b"", False
    try:
        while True:
            d = s.recv(65536)
            if not d:
                closed = True
                break
            out += d
    except socket.timeout:
        pass
    except ConnectionResetError:
        closed = True
    s.close()
    return out, time.time() - t, closed


def json_error(out, status, error_type):
    head, _, body = out.partition(b"\r\n\r\n")
    if not head.startswith(b"HTTP/1.1 %d " % status):
        return False
    try:
        doc = json.loads(body.decode())
    except ValueError:
        return False
    return doc.get("error_type") == error_type and doc.get("status_code") == status and \
        b"application/json" in head


# --- connections -----------------------------------------------------------------------------------

def section_connections(binary):
    srv = Server(binary)
    try:
        # A head trickled byte by byte, never finished: cut off after the deadline (10 s).
        cut = {}

        def trickle():
            s = socket.socket()
            s.bind(("127.0.0.4", 0))
            s.connect(("127.0.0.1", srv.port))
            s.settimeout(1.0)
            t = time.time()
            s.sendall(b"GET /_emulator/health HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            while time.time() - t < 20:
                try:
                    s.sendall(b"X")
                    if s.recv(1) == b"":
                        cut["after"] = time.time() - t
                        break
                except socket.timeout:
                    continue
                except OSError:
                    cut["after"] = time.time() - t
                    break
            s.close()

        tr = threading.Thread(target=trickle, daemon=True)
        tr.start()

        # 1,100 sockets from 127.0.0.2 that trickle a head: others are still served.
        held = []
        for _ in range(1100):
            s = socket.socket()
            s.bind(("127.0.0.2", 0))
            s.setblocking(False)
            try:
                s.connect(("127.0.0.1", srv.port))
            except BlockingIOError:
                pass
            held.append(s)
        time.sleep(0.5)
        for s in held:
            try:
                s.send(b"GET /_emulator/heal")
            except OSError:
                pass
        time.sleep(0.3)
        ok = 0
        for _ in range(5):
            try:
                st, _, _ = srv.request("GET", "/_emulator/health", timeout=3)
                ok += st == 200
            except OSError:
                pass
        check(ok == 5, "connections: with 1,100 trickling sockets held from one address, %d of 5 health "
              "requests from another were answered" % ok)
        for s in held:
            s.close()

        # 1,800 clients that send half a request line and close: their slots come back at once.
        for _ in range(1800):
            s = socket.socket()
            s.bind(("127.0.0.3", 0))
            s.settimeout(5)
            try:
                s.connect(("127.0.0.1", srv.port))
                s.sendall(b"GET /_emulator/hea")
            except OSError:
                pass
            s.close()
        time.sleep(0.3)
        ok = 0
        for _ in range(5):
            try:
                st, _, _ = srv.request("GET", "/_emulator/health", timeout=3)
                ok += st == 200
            except OSError:
                pass
        check(ok == 5, "connections: after 1,800 half-request-and-close clients, %d of 5 health requests "
              "were answered" % ok)
        tr.join(timeout=25)
        after = cut.get("after")
        check(after is not None and 9 <= after <= 15,
              "connections: a head trickled a byte a second was cut off after %s s, expected about 10" % after)
    finally:
        check(srv.stop() == 0, "connections: SIGTERM did not exit 0")


# --- graceful stop ---------------------------------------------------------------------------------

def section_stop(binary):
    with tempfile.TemporaryDirectory(prefix="ssoemu-hardening-") as tmp:
        db = os.path.join(tmp, "state.db")
        srv = Server(binary, ["--db", db])
        answers = []
        lock = threading.Lock()

        def create(i):
            try:
                st, doc, _ = srv.request("POST", "/v1/b2b/sso/saml/" + ACME, {"Authorization": API},
                                         {"display_name": "stop %d" % i}, timeout=20)
                if st == 200:
                    with lock:
                        answers.append(doc["connection"]["connection_id"])
                elif os.environ.get("HARDENING_DEBUG"):
                    print("create %d: %s" % (i, st))
            except (OSError, http.client.HTTPException, ValueError, KeyError) as e:
                if os.environ.get("HARDENING_DEBUG"):
                    print("create %d: %r" % (i, e))

        # SAML creates take their keys from the background key pool; give it time to hold some, so
        # that creates are in flight (not waiting for a key) when SIGTERM arrives.
        srv.request("POST", "/v1/b2b/sso/saml/" + ACME, {"Authorization": API}, {"display_name": "warm-up"},
                    timeout=30)
        time.sleep(2.0)
        threads = [threading.Thread(target=create, args=(i,)) for i in range(12)]
        for t in threads:
            t.start()
        time.sleep(0.15)
        srv.p.send_signal(signal.SIGTERM)
        for t in threads:
            t.join(timeout=30)
        code = srv.stop(timeout=30)
        check(code == 0, "stop: exit status %s after SIGTERM, expected 0" % code)
        con = sqlite3.connect(db)
        rows = [r[0] for r in con.execute("SELECT connection_id FROM saml_connections WHERE display_name LIKE 'stop %'")]
        con.close()
        check(sorted(rows) == sorted(answers), "stop: %d creates committed but %d answered" % (len(rows), len(answers)))
        check(len(rows) >= 1, "stop: no create was committed before SIGTERM, nothing was tested")


# --- masking ---------------------------------------------------------------------------------------

SCIM_LIKE = "Zq8v2LrT0mWc5XyB7nK3pD9sF1hJ4gA6eR0tU2iO8wQ5zX7c"
JWT_LIKE = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLWJ5dGVz"


def section_masking(binary):
    for fmt in ("text", "json"):
        srv = Server(binary, ["--log-format", fmt])
        try:
            st, doc, _ = srv.request("POST", "/v1/b2b/scim/%s/connection" % ACME, {"Authorization": API},
                                     {"display_name": "mask"})
            token = doc["connection"]["bearer_token"] if st == 200 else SCIM_LIKE
            st, doc, _ = srv.request("POST", "/_emulator/sessions", body={"email": "alice@acme.test"})
            jwt = doc["session_jwt"] if st == 200 else JWT_LIKE
            calls = [
                ("GET", "/v1/b2b/sso/" + SECRET, {"Authorization": API}),
                ("GET", "/v1/b2b/sso/" + SECRET, {}),  # 401
                ("DELETE", "/sdk/v1/b2b/sso/session-acme-admin", {"Authorization": sdk("session-acme-admin")}),
                ("DELETE", "/sdk/v1/b2b/sso/session-acme-admin", {}),  # 401
                ("GET", "/v1/b2b/scim/%s/connection/%s" % (ACME, token), {}),  # 401
                ("GET", "/v1/b2b/scim/%s/connection/%s" % (ACME, SCIM_LIKE), {"Authorization": API}),
                ("GET", "/v1/b2b/sso/%s/%s" % (ACME, jwt), {"Authorization": API}),  # 404
                ("GET", "/nowhere/%s/%s" % (PUBLIC_TOKEN, JWT_LIKE), {}),
                ("DELETE", "/_emulator/sessions/" + SCIM_LIKE, {}),
            ]
            for m, p, h in calls:
                srv.request(m, p, h)
            _, _, log = srv.request("GET", "/_emulator/requests?limit=1000")
            time.sleep(0.3)
            err = srv.stderr()
            for name, value in (("secret", SECRET), ("session token", "session-acme-admin"),
                                ("SCIM bearer token", token), ("SCIM-shaped token", SCIM_LIKE), ("session JWT", jwt),
                                ("JWT-shaped value", JWT_LIKE), ("public token", PUBLIC_TOKEN)):
                check(value.encode() not in err, "masking (%s log): the %s reached stderr" % (fmt, name))
                check(value.encode() not in log, "masking: the %s reached /_emulator/requests" % name)
            check(err.count(b"[redacted]") >= len(calls), "masking (%s log): fewer [redacted] than masked calls" % fmt)
        finally:
            srv.stop()


# --- control API ---------------------------------------------------------------------------------

def section_control(binary):
    srv = Server(binary, ["--allowed-hosts", "emulator, other.internal", "--public-url", "https://emu.example.test"])
    try:
        p = srv.port
        fault = json.dumps({"path": "/v1/*", "status": 503}).encode()
        st, doc, _ = srv.request("POST", "/_emulator/faults", {"Content-Type": "text/plain",
                                                                "Origin": "http://evil.example"}, fault)
        check(st == 403 and doc and doc.get("error_type") == "origin_not_allowed",
              "control: cross-origin text/plain fault answered %s %r" % (st, doc))
        st, doc, _ = srv.request("POST", "/_emulator/faults", {"Content-Type": "text/plain"}, fault)
        check(st == 415 and doc and doc.get("error_type") == "content_type_not_json",
              "control: text/plain fault answered %s %r" % (st, doc))
        st, doc, _ = srv.request("POST", "/_emulator/reset", {"Content-Type": "application/x-www-form-urlencoded"}, b"")
        check(st == 415, "control: a form-encoded reset answered %s" % st)
        st, doc, _ = srv.request("GET", "/_emulator/faults")
        check(st == 200 and doc == {"faults": []}, "control: a refused fault was added: %r" % doc)
        st, doc, _ = srv.request("GET", "/_emulator/state", {"Origin": "http://evil.example"})
        check(st == 403 and b"secret-test" not in json.dumps(doc).encode(),
              "control: a cross-origin state export answered %s" % st)
        st, _, _ = srv.request("OPTIONS", "/_emulator/faults", {"Origin": "http://evil.example",
                                                                "Access-Control-Request-Method": "POST"})
        check(st == 403, "control: a cross-origin control preflight answered %s" % st)
        st, _, _ = srv.request("GET", "/_emulator/state", {"Origin": "http://localhost:3000"})
        check(st == 200, "control: an allowed Origin got %s" % st)
        st, _, _ = srv.request("POST", "/_emulator/faults", {"Origin": "http://localhost:3000"},
                               {"path": "/nowhere", "status": 503})
        check(st == 200, "control: a JSON fault from an allowed Origin got %s" % st)
        # DNS rebinding: a name of the attacker's in Host, on every surface.
        for method, path, h in (("GET", "/_emulator/state", {}), ("GET", "/_emulator/health", {}),
                                ("GET", "/v1/b2b/sso/" + ACME, {"Authorization": API}),
                                ("GET", "/sdk/v1/b2b/sso", {"Authorization": sdk("session-acme-admin")}),
                                ("OPTIONS", "/sdk/v1/b2b/sso", {"Origin": "http://localhost:3000"})):
            h = dict(h, Host="rebind.evil.example:%d" % p)
            st, doc, raw_body = srv.request(method, path, h)
            check(st == 403 and doc and doc.get("error_type") == "host_not_allowed" and b"secret-test" not in raw_body,
                  "control: Host rebind.evil.example on %s %s answered %s" % (method, path, st))
        for host in ("127.0.0.1:%d" % p, "localhost:%d" % p, "LOCALHOST", "127.0.0.5", "[::1]:%d" % p,
                     "emulator:9876", "other.internal", "emu.example.test"):
            st, _, _ = srv.request("GET", "/v1/b2b/sso/" + ACME, {"Authorization": API, "Host": host})
            check(st == 200, "control: Host %s answered %s, expected 200" % (host, st))
        st, _, _ = srv.request("GET", "/v1/b2b/sso/" + ACME, {"Authorization": API, "Host": "emulator.evil"})
        check(st == 403, "control: Host emulator.evil answered %s" % st)
    finally:
        srv.stop()
    # The listen address itself is a good Host; without --allowed-hosts a compose name is not.
    srv = Server(binary, ["--admin-token", "t0k"])
    try:
        st, _, _ = srv.request("GET", "/_emulator/health", {"Host": "emulator"})
        check(st == 403, "control: Host emulator without --allowed-hosts answered %s" % st)
    finally:
        srv.stop()


# --- protected mode --------------------------------------------------------------------------------

NETNS_ADDR = "10.77.0.1"


def protected_child(binary):
    """Runs inside `unshare -rn`: lo up, with one non-loopback address of its own."""
    for cmd in (["ip", "link", "set", "lo", "up"], ["ip", "addr", "add", NETNS_ADDR + "/32", "dev", "lo"]):
        subprocess.run(cmd, check=True)
    srv = Server(binary, host="0.0.0.0")
    try:
        time.sleep(0.2)
        warn = [l for l in srv.err if b"warning" in l]
        check(len(warn) == 1 and b"--admin-token" in warn[0],
              "protected: expected one warning line naming --admin-token, got %r" % srv.err)
        st, doc, _ = srv.request("GET", "/_emulator/state", src=NETNS_ADDR, host=NETNS_ADDR)
        check(st == 403 and doc and doc.get("error_type") == "control_api_protected_mode" and
              "--admin-token" in doc.get("error_message", ""),
              "protected: state from a non-loopback client answered %s %r" % (st, doc))
        st, doc, _ = srv.request("PUT", "/_emulator/state", body={}, src=NETNS_ADDR, host=NETNS_ADDR)
        check(st == 403, "protected: state import from a non-loopback client answered %s" % st)
        st, _, _ = srv.request("GET", "/v1/b2b/sso/" + ACME, {"Authorization": API}, src=NETNS_ADDR, host=NETNS_ADDR)
        check(st == 200, "protected: the API surface from a non-loopback client answered %s" % st)
        st, _, _ = srv.request("GET", "/_emulator/state")
        check(st == 200, "protected: state from loopback answered %s" % st)
    finally:
        check(srv.stop() == 0, "protected: SIGTERM did not exit 0")
    srv = Server(binary, ["--admin-token", "t0k"], host="0.0.0.0")
    try:
        time.sleep(0.2)
        check(not any(b"warning" in l for l in srv.err), "protected: a warning although --admin-token is set")
        st, _, _ = srv.request("GET", "/_emulator/state", {"Authorization": "Bearer t0k"}, src=NETNS_ADDR,
                               host=NETNS_ADDR)
        check(st == 200, "protected: with --admin-token, state from a non-loopback client answered %s" % st)
    finally:
        srv.stop()
    srv = Server(binary)
    try:
        time.sleep(0.2)
        check(not any(b"warning" in l for l in srv.err), "protected: a warning on the loopback default")
    finally:
        srv.stop()


def section_protected(binary):
    probe = subprocess.run(["unshare", "-rn", "true"], capture_output=True)
    if probe.returncode != 0:
        print("SKIP protected: no user and network namespaces here (%s)" % probe.stderr.decode().strip())
        return
    p = subprocess.run(["unshare", "-rn", sys.executable, os.path.abspath(__file__), "--bin", binary,
                        "--protected-child"], capture_output=True, timeout=60)
    out = p.stdout.decode()
    sys.stdout.write("".join("  " + l + "\n" for l in out.splitlines() if l.startswith("FAIL")))
    check(p.returncode == 0, "protected: the namespace run failed (exit %d): %s" % (p.returncode,
                                                                                   (out + p.stderr.decode())[-800:]))


# --- rate limits -----------------------------------------------------------------------------------

def section_ratelimit(binary):
    srv = Server(binary)
    try:
        jwts = set()
        deadline = time.time() + 8
        # A session JWT carries its issue time in seconds: one new JWT a second.
        while len(jwts) < 6 and time.time() < deadline:
            st, doc, _ = srv.request("POST", "/sdk/v1/b2b/sessions/authenticate",
                                     {"Authorization": sdk("session-acme-admin")}, {})
            if st == 200:
                jwts.add(doc["data"]["session_jwt"])
            time.sleep(0.3)
        check(len(jwts) >= 6, "ratelimit: only %d distinct JWTs were minted" % len(jwts))
        st, _, _ = srv.request("PATCH", "/_emulator/config", body={"rate_limit": {"requests": 5, "seconds": 100}})
        check(st == 200, "ratelimit: PATCH config answered %s" % st)
        ok = limited = 0
        creds = [{"X-Stytch-Member-SessionJWT": j} for j in sorted(jwts)] + [{"X-Stytch-Member-Session": "session-acme-admin"}]
        for _ in range(3):
            for c in creds:
                st, _, _ = srv.request("GET", "/v1/b2b/sso/" + ACME, dict(c, Authorization=API))
                ok += st == 200
                limited += st == 429
        check(ok == 5 and limited == 3 * len(creds) - 5,
              "ratelimit: one session through its token and %d JWTs got %d successes and %d 429s, expected 5"
              % (len(jwts), ok, limited))
        # The SDK surface: the same session by its token, one bucket per operation.
        ok = sum(srv.request("GET", "/sdk/v1/b2b/sso", {"Authorization": sdk("session-acme-sso-manager")})[0] == 200
                 for _ in range(8))
        check(ok == 5, "ratelimit: 8 SDK calls of one session got %d successes, expected 5" % ok)
        # Failing authentication uses no bucket: the same bogus session 8 times is 404 every time.
        sts = [srv.request("GET", "/v1/b2b/sso/" + ACME, {"Authorization": API,
                                                          "X-Stytch-Member-Session": "session-bogus"})[0]
               for _ in range(8)]
        check(sts == [404] * 8, "ratelimit: a bogus session got %r, expected 404 each time" % sts)
        # The project alone (/v1 without a member session) has its own bucket.
        ok = sum(srv.request("GET", "/v1/b2b/sso/" + ACME, {"Authorization": API})[0] == 200 for _ in range(7))
        check(ok == 5, "ratelimit: 7 project calls got %d successes, expected 5" % ok)
    finally:
        srv.stop()


# --- HTTP edge cases -------------------------------------------------------------------------------

def section_http(binary):
    srv = Server(binary)
    try:
        p = srv.port
        q = "&".join("p%d=v" % i for i in range(956))
        out, secs, _ = raw(p, ("GET /v1/b2b/sso/%s?%s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" % (ACME, q)).encode())
        check(len(q) > 3000 and json_error(out, 400, "too_many_query_parameters"),
              "http: 956 query parameters got %r" % out[:120])
        out, _, _ = raw(p, ("GET /v1/b2b/sso/%s?a=%s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" % (ACME, "x" * 9000)).encode())
        check(json_error(out, 414, "request_uri_too_long"), "http: a 9 KB URL got %r" % out[:120])
        st, _, _ = srv.request("GET", "/v1/b2b/sso/%s?%s" % (ACME, "&".join("p%d=v" % i for i in range(30))),
                               {"Authorization": API})
        check(st == 200, "http: 30 query parameters answered %s" % st)
        out, _, _ = raw(p, ("GET /v1/b2b/sso/%s?%s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                            % (ACME, "&".join("p%d=v" % i for i in range(33)))).encode())
        check(json_error(out, 400, "too_many_query_parameters"), "http: 33 query parameters got %r" % out[:120])
        # Request smuggling: the second Content-Length would hide a second request in the body.
        smuggled = b"GET /_emulator/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
        out, secs, closed = raw(p, b"POST /_emulator/faults HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json"
                                b"\r\nContent-Length: 2\r\nContent-Length: %d\r\n\r\n{}" % (2 + len(smuggled)) + smuggled)
        check(json_error(out, 400, "malformed_http_request") and out.count(b"HTTP/1.1 ") == 1 and closed,
              "http: conflicting Content-Length got %r (closed %s)" % (out[:200], closed))
        out, secs, closed = raw(p, b"POST /_emulator/faults HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: gzip\r\n\r\nabc")
        check(json_error(out, 400, "malformed_http_request") and secs < 3 and closed,
              "http: Transfer-Encoding gzip got %r after %.1f s" % (out[:120], secs))
        out, secs, closed = raw(p, b"GET /_emulator/health HTTP/1.1\r\nConnection: close\r\n\r\n")
        check(json_error(out, 400, "malformed_http_request"), "http: HTTP/1.1 without Host got %r" % out[:120])
        out, _, _ = raw(p, b"GET /_emulator/health HTTP/1.0\r\n\r\n")
        check(out.startswith(b"HTTP/1.1 200") or out.startswith(b"HTTP/1.0 200"), "http: HTTP/1.0 without Host got %r" % out[:60])
        out, secs, closed = raw(p, b"\x01\x02 garbage\r\n\r\n")
        check(closed and secs < 3, "http: a garbage request line was not closed at once (%.1f s)" % secs)
        out, secs, closed = raw(p, b"GET /_emulator/hea", shut=True)
        check(closed and secs < 3, "http: a half-closed request was not closed at once (%.1f s)" % secs)
        big = b"".join(b"X-Pad-%d: %s\r\n" % (i, b"a" * 1000) for i in range(40))
        out, _, _ = raw(p, b"GET /_emulator/health HTTP/1.1\r\nHost: 127.0.0.1\r\n" + big + b"\r\n")
        check(json_error(out, 431, "request_headers_too_large"), "http: 40 KB of headers got %r" % out[:120])
        many = b"".join(b"X-H%d: v\r\n" % i for i in range(80))
        out, _, _ = raw(p, b"GET /_emulator/health HTTP/1.1\r\nHost: 127.0.0.1\r\n" + many + b"\r\n")
        check(json_error(out, 431, "request_headers_too_large"), "http: 80 headers got %r" % out[:120])
        # Past the connection's memory libmicrohttpd answers by itself (README "Limits").
        out, _, _ = raw(p, b"GET /_emulator/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-A: " + b"a" * 70000 + b"\r\n\r\n")
        check(out.startswith(b"HTTP/1.1 431"), "http: 70 KB of headers got %r" % out[:60])
        st, _, _ = srv.request("GET", "/_emulator/health")
        check(st == 200, "http: the server stopped answering after the edge cases")
    finally:
        check(srv.stop() == 0, "http: SIGTERM did not exit 0")


# --- log lines -------------------------------------------------------------------------------------

def section_logs(binary):
    srv = Server(binary)
    try:
        raw(srv.port, b"GET /v1/b2b/sso/\x1b[31mred\x07bell HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        raw(srv.port, b"GET /nowhere/\xff\xfe HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        raw(srv.port, b"\xff\x1bX /v1/b2b/sso/acme HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        time.sleep(0.3)
        err = srv.stderr()
        check(b"\x1b" not in err and b"\x07" not in err, "logs: ESC or BEL reached stderr raw")
        check(b"\\x1b[31mred\\x07bell" in err, "logs: the escaped path is not in the text log: %r" % err[-300:])
        check(b"\\xff\\xfe" in err, "logs: invalid UTF-8 is not escaped in the text log")
        st, doc, _ = srv.request("GET", "/_emulator/requests")
        check(st == 200 and doc and any("\\x1b" in r["path"] for r in doc["requests"]),
              "logs: the request log answered %s without the escaped path" % st)
        check(st == 200 and doc and any(r["method"] == "\\xff\\x1bX" for r in doc["requests"]),
              "logs: the request log does not show the escaped method: %s" % st)
    finally:
        srv.stop()
    srv = Server(binary, ["--log-format", "json"])
    try:
        for _ in range(20):
            srv.request("GET", "/v1/b2b/sso/" + ACME, {"Authorization": API})
        raw(srv.port, b"GET /nowhere/\xff\x1b HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        time.sleep(0.3)
        lines = [l for l in srv.stderr().split(b"\n") if l.startswith(b"{")]
        check(len(lines) >= 21, "logs: %d JSON log lines for 21 requests" % len(lines))
        for l in lines:
            m = re.search(rb'"duration_ms":\s*([0-9.eE+-]+)', l)
            ok = m and re.fullmatch(rb"[0-9]+(\.[0-9]{1,3})?", m.group(1))
            if not check(ok, "logs: duration_ms not in microseconds: %r" % l[:200]):
                break
            json.loads(l.decode("utf-8"))
    finally:
        srv.stop()


SECTIONS = {"connections": section_connections, "stop": section_stop, "masking": section_masking,
            "control": section_control, "protected": section_protected, "ratelimit": section_ratelimit,
            "http": section_http, "logs": section_logs}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", required=True)
    ap.add_argument("--only", nargs="*", choices=sorted(SECTIONS))
    ap.add_argument("--protected-child", action="store_true", help=argparse.SUPPRESS)
    a = ap.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(max(soft, 8192), hard), hard))
    binary = os.path.abspath(a.bin)
    if a.protected_child:
        protected_child(binary)
    else:
        for name in a.only or list(SECTIONS):
            t = time.time()
            try:
                SECTIONS[name](binary)
            except Exception as e:  # a section that breaks is a failure, not a crash of the run
                check(False, "%s: %s: %s" % (name, type(e).__name__, e))
            print("%s: %.1f s" % (name, time.time() - t), flush=True)
    print("%d checks, %d failed" % (checks, len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
