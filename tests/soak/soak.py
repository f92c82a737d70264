#!/usr/bin/env python3
"""Soak test: mixed good and hostile traffic against one ssoemu for a bounded time.

Worker threads send a mix of valid calls (reads, SCIM create/delete cycles, External updates) and
malformed ones (bad JSON, too-deep JSON, huge headers, wrong methods, bad credentials, oversize
bodies, slowly sent requests, requests abandoned half-way). Each kind of request has its set of
expected statuses; anything else fails the run. Meanwhile 200 slow-loris connections trickle a
header byte now and then, and a prober checks that a normal request still answers quickly. At the
end the server must still be alive and answer, stop cleanly on SIGTERM, and its RSS at the end
must be within 10% + 2 MB of its RSS half-way (after the first minute of a two-minute run).

  soak.py --bin build/ssoemu [--seconds 120] [--threads 6] [--slowloris 200]
"""
import argparse
import base64
import http.client
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PROJECT = "project-test-11111111-1111-4111-8111-111111111111"
SECRET = "secret-test-ssoemu-local-secret-0000000000000"
PUBLIC = "public-token-test-11111111-1111-4111-8111-111111111111"
ACME = "organization-test-aaaaaaaa-0000-4000-8000-000000000001"
GLOBEX = "organization-test-bbbbbbbb-0000-4000-8000-000000000002"
GLOBEX_SAML = "saml-connection-test-bbbbbbbb-0000-4000-8000-00000000c001"


def basic(user, password):
    return "Basic " + base64.b64encode(("%s:%s" % (user, password)).encode()).decode()


API = basic(PROJECT, SECRET)
SDK = basic(PUBLIC, "session-acme-admin")
# Answers quickly enough for the prober while 200 slow clients hold connections (seconds).
PROBE_LIMIT = 1.0


def soak_org(i):
    return "organization-test-00005oak-0000-4000-8000-%012d" % i


class Failures:
    def __init__(self):
        self.lock = threading.Lock()
        self.items = []

    def add(self, text):
        with self.lock:
            if len(self.items) < 200:
                self.items.append(text)


class Server:
    def __init__(self, binary, fixtures):
        self.p = subprocess.Popen([binary, "--port", "0", "--rate-limit", "off", "--fixtures", fixtures],
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        line = self.p.stdout.readline()
        m = re.search(rb":(\d+)\s*$", line)
        if not m:
            self.p.kill()
            raise SystemExit("soak: the server did not start: %r" % line)
        self.port = int(m.group(1))

    def rss_kb(self):
        with open("/proc/%d/status" % self.p.pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0


def raw_exchange(port, chunks, pause=0.0, read=True, timeout=15):
    """Sends chunks over a new socket (pausing between them); returns the response status or None."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        for c in chunks:
            s.sendall(c)
            if pause:
                time.sleep(pause)
        if not read:
            return None
        data = b""
        try:
            while b"\r\n" not in data:
                b = s.recv(4096)
                if not b:
                    break
                data += b
        except socket.timeout:
            return "timeout"
        m = re.match(rb"HTTP/1\.[01] (\d{3})", data)
        return int(m.group(1)) if m else None
    finally:
        s.close()


class Worker(threading.Thread):
    def __init__(self, idx, port, deadline, failures, counts, ext_id):
        super().__init__(daemon=True)
        self.idx, self.port, self.deadline, self.failures = idx, port, deadline, failures
        self.counts, self.ext_id = counts, ext_id
        self.rng = random.Random(idx)
        self.conn = None
        self.scim = None  # this worker's SCIM connection id while one exists

    def http(self, method, path, auth=None, body=None, headers=None):
        h = dict(headers or {})
        if auth:
            h["Authorization"] = auth
        if body is not None:
            h.setdefault("Content-Type", "application/json")
        for attempt in range(2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=15)
            try:
                self.conn.request(method, path, body=body, headers=h)
                resp = self.conn.getresponse()
                raw = resp.read()
                if resp.getheader("Connection", "").lower() == "close":
                    self.conn.close()
                    self.conn = None
                return resp.status, raw
            except (OSError, http.client.HTTPException):
                self.conn.close()
                self.conn = None
                if attempt:
                    raise
        return None, b""

    def check(self, kind, status, expected, raw=b""):
        with self.failures.lock:
            self.counts[kind] = self.counts.get(kind, 0) + 1
        if status not in expected:
            self.failures.add("%s: status %r, expected %s; %r" % (kind, status, sorted(expected, key=str), raw[:160]))

    def one(self):
        kind = self.rng.choice(KINDS)
        port = self.port
        try:
            if kind == "get-api":
                st, raw = self.http("GET", "/v1/b2b/sso/" + ACME, API)
                self.check(kind, st, {200}, raw)
            elif kind == "get-sdk":
                st, raw = self.http("GET", "/sdk/v1/b2b/sso", SDK)
                self.check(kind, st, {200}, raw)
            elif kind == "scim-cycle":
                org = soak_org(self.idx)
                if self.scim is None:
                    st, raw = self.http("POST", "/v1/b2b/scim/%s/connection" % org, API, '{"display_name":"soak"}')
                    self.check(kind + " create", st, {200}, raw)
                    if st == 200:
                        self.scim = json.loads(raw)["connection"]["connection_id"]
                else:
                    st, raw = self.http("DELETE", "/v1/b2b/scim/%s/connection/%s" % (org, self.scim), API, "{}")
                    self.check(kind + " delete", st, {200}, raw)
                    self.scim = None
            elif kind == "external-update":
                st, raw = self.http("PUT", "/v1/b2b/sso/external/%s/connections/%s" % (ACME, self.ext_id), API,
                                    json.dumps({"display_name": "soak %d" % self.rng.randrange(1000)}))
                self.check(kind, st, {200}, raw)
            elif kind == "bad-json":
                st, raw = self.http("POST", "/v1/b2b/sso/external/" + ACME, API, '{"external_organization_id": ')
                self.check(kind, st, {400}, raw)
            elif kind == "deep-json":
                st, raw = self.http("POST", "/v1/b2b/sso/external/" + ACME, API, "[" * 5000 + "]" * 5000)
                self.check(kind, st, {400}, raw)
            elif kind == "not-object":
                st, raw = self.http("POST", "/v1/b2b/scim/%s/connection" % ACME, API, '"just a string"')
                self.check(kind, st, {400}, raw)
            elif kind == "wrong-method":
                st, raw = self.http(self.rng.choice(["PATCH", "TRACE", "BREW"]), "/v1/b2b/sso/" + ACME, API)
                self.check(kind, st, {404}, raw)
            elif kind == "unknown-path":
                st, raw = self.http("GET", "/v1/b2b/nothing/%ZZ/" + "x" * self.rng.randrange(3000), API)
                self.check(kind, st, {404}, raw)
            elif kind == "bad-auth":
                auth = self.rng.choice([basic(PROJECT, "wrong"), "Basic %%%", "Bearer x", basic("a", "b"), None])
                st, raw = self.http("GET", "/v1/b2b/sso/" + ACME, auth)
                self.check(kind, st, {401}, raw)
            elif kind == "unknown-session":
                st, raw = self.http("GET", "/sdk/v1/b2b/sso", basic(PUBLIC, "session-nobody"))
                self.check(kind, st, {404}, raw)
            elif kind == "oversize":
                size = self.rng.choice([1024 * 1024 + 1, 3 * 1024 * 1024])
                st, raw = self.http("POST", "/v1/b2b/sso/external/" + ACME, API, b"x" * size)
                self.check(kind, st, {413}, raw)
            elif kind == "huge-headers":
                big = b"X-Big: " + b"a" * self.rng.choice([70000, 200000]) + b"\r\n"
                st = raw_exchange(port, [b"GET /v1/b2b/sso/acme HTTP/1.1\r\nHost: 127.0.0.1\r\n" + big + b"\r\n"])
                self.check(kind, st, {431})
            elif kind == "slow-complete":
                req = ("GET /v1/b2b/sso/%s HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: %s\r\nConnection: close\r\n\r\n"
                       % (ACME, API)).encode()
                st = raw_exchange(port, [req[i:i + 40] for i in range(0, len(req), 40)], pause=0.05)
                self.check(kind, st, {200})
            elif kind == "abandoned":
                body = b'{"display_name": "never finished"}'
                head = ("POST /v1/b2b/scim/%s/connection HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: %s\r\n"
                        "Content-Length: %d\r\n\r\n" % (ACME, API, len(body) + 100)).encode()
                raw_exchange(port, [head, body], pause=0.05, read=False)
                self.check(kind, None, {None})
            elif kind == "garbage":
                # Random bytes may happen to announce a body that never comes: the server may wait.
                st = raw_exchange(port, [bytes(self.rng.randrange(256) for _ in range(200)) + b"\r\n\r\n"],
                                  timeout=3)
                self.check(kind, st, {None, "timeout", 400, 404, 414, 431, 505})
        except (OSError, http.client.HTTPException) as e:
            self.failures.add("%s: %r" % (kind, e))

    def run(self):
        while time.time() < self.deadline:
            self.one()
        if self.conn:
            self.conn.close()


KINDS = ["get-api", "get-api", "get-sdk", "get-sdk", "scim-cycle", "scim-cycle", "external-update", "bad-json",
         "deep-json", "not-object", "wrong-method", "unknown-path", "bad-auth", "unknown-session", "oversize",
         "huge-headers", "slow-complete", "abandoned", "garbage"]


class Slowloris(threading.Thread):
    """Holds n connections open, each sending a header byte now and then and never finishing."""

    def __init__(self, port, n, deadline):
        super().__init__(daemon=True)
        self.port, self.n, self.deadline = port, n, deadline
        self.socks = []
        self.opened = threading.Event()

    def run(self):
        for _ in range(self.n):
            try:
                s = socket.create_connection(("127.0.0.1", self.port), timeout=5)
                s.sendall(b"GET /v1/b2b/sso/acme HTTP/1.1\r\nHost: 127.0.0.1\r\n")
                self.socks.append(s)
            except OSError:
                break
        self.opened.set()
        while time.time() < self.deadline:
            for s in list(self.socks):
                try:
                    s.sendall(b"X")
                except OSError:
                    self.socks.remove(s)
            time.sleep(2)
        for s in self.socks:
            s.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", required=True)
    ap.add_argument("--seconds", type=float, default=120)
    ap.add_argument("--threads", type=int, default=6)
    ap.add_argument("--slowloris", type=int, default=200)
    a = ap.parse_args()
    failures = Failures()
    counts = {}
    with tempfile.TemporaryDirectory(prefix="ssoemu-soak-") as tmp:
        fixtures = os.path.join(tmp, "fixtures.json")
        with open(os.path.join(ROOT, "fixtures", "default.json")) as f:
            doc = json.load(f)
        for i in range(a.threads):
            doc["organizations"].append({"organization_id": soak_org(i), "organization_slug": "soak-%d" % i})
        with open(fixtures, "w") as f:
            json.dump(doc, f)
        srv = Server(a.bin, fixtures)
        try:
            c = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=15)
            c.request("POST", "/v1/b2b/sso/external/" + ACME, body=json.dumps(
                {"external_organization_id": GLOBEX, "external_connection_id": GLOBEX_SAML}),
                headers={"Authorization": API, "Content-Type": "application/json"})
            r = c.getresponse()
            raw = r.read()
            c.close()
            if r.status != 200:
                raise SystemExit("soak: set-up External create answered %d %r" % (r.status, raw[:200]))
            ext_id = json.loads(raw)["connection"]["connection_id"]

            start = time.time()
            deadline = start + a.seconds
            loris = Slowloris(srv.port, a.slowloris, deadline)
            loris.start()
            loris.opened.wait(30)
            workers = [Worker(i, srv.port, deadline, failures, counts, ext_id) for i in range(a.threads)]
            for w in workers:
                w.start()
            rss_mid = rss_end = None
            probes = []
            while time.time() < deadline:
                time.sleep(0.5)
                if srv.p.poll() is not None:
                    failures.add("the server died (exit status %r)" % srv.p.returncode)
                    break
                # A normal request still answers quickly with the slow clients connected.
                t = time.time()
                try:
                    c = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=15)
                    c.request("GET", "/v1/b2b/sso/" + ACME, headers={"Authorization": API})
                    st = c.getresponse().status
                    c.close()
                except (OSError, http.client.HTTPException) as e:
                    st = repr(e)
                probes.append(time.time() - t)
                if st != 200:
                    failures.add("probe: %r" % st)
                if rss_mid is None and time.time() - start >= a.seconds / 2:
                    rss_mid = srv.rss_kb()
            for w in workers:
                w.join(timeout=30)
            loris.join(timeout=30)
            alive = srv.p.poll() is None
            if alive:
                rss_end = srv.rss_kb()
                held = len(loris.socks)
            slow = [p for p in probes if p > PROBE_LIMIT]
            if slow:
                failures.add("%d of %d probes took over %.1f s (slowest %.2f s)" % (
                    len(slow), len(probes), PROBE_LIMIT, max(slow)))
            if rss_mid and rss_end and rss_end > rss_mid * 1.10 + 2048:
                failures.add("RSS grew from %d kB half-way to %d kB at the end" % (rss_mid, rss_end))
        finally:
            if srv.p.poll() is None:
                srv.p.send_signal(signal.SIGTERM)
                try:
                    code = srv.p.wait(timeout=20)
                    if code != 0:
                        failures.add("SIGTERM: exit status %d" % code)
                except subprocess.TimeoutExpired:
                    failures.add("SIGTERM: the server did not stop within 20 s")
                    srv.p.kill()
                    srv.p.wait()
    total = sum(counts.values())
    print("soak: %d requests in %.0f s; %s" % (total, a.seconds, ", ".join(
        "%s %d" % (k, v) for k, v in sorted(counts.items()))))
    if probes:
        probes.sort()
        print("probe latency with %d slow clients held: median %.1f ms, max %.1f ms" % (
            held if alive else 0, probes[len(probes) // 2] * 1e3, probes[-1] * 1e3))
    print("RSS half-way %s kB, at the end %s kB" % (rss_mid, rss_end))
    for f in failures.items:
        print("FAIL: " + f)
    ok = not failures.items
    print("%d passed, %d failed" % (1 if ok else 0, 0 if ok else 1))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
