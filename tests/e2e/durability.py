#!/usr/bin/env python3
"""Durability: a write answered 2xx survives `kill -9` (EMULATOR.md, data safety).

Starts ssoemu on a file database in a temporary directory with generated fixtures (many
organizations), creates connections from several threads (one SCIM connection per organization,
SAML connections on Acme), records the id of every create answered 200, kills the server with
SIGKILL in the middle of the load, restarts it on the same file and checks that every acknowledged
connection is there, then that SQLite's integrity check passes. Bounded: well under 30 seconds.

  durability.py --bin build/ssoemu [--threads 8] [--load-seconds 3]
"""
import argparse
import base64
import http.client
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
API_AUTH = "Basic " + base64.b64encode(
    b"project-test-11111111-1111-4111-8111-111111111111:secret-test-ssoemu-local-secret-0000000000000").decode()
ACME = "organization-test-aaaaaaaa-0000-4000-8000-000000000001"
ORGS = 12000


def org_id(i):
    return "organization-test-0000d0d0-0000-4000-8000-%012d" % i


def write_fixtures(path):
    with open(os.path.join(ROOT, "fixtures", "default.json")) as f:
        doc = json.load(f)
    for i in range(ORGS):
        doc["organizations"].append({"organization_id": org_id(i), "organization_slug": "durable-%d" % i,
                                     "organization_name": "Durable %d" % i})
    with open(path, "w") as f:
        json.dump(doc, f)


def start(binary, db, fixtures):
    p = subprocess.Popen([binary, "--port", "0", "--rate-limit", "off", "--db", db, "--fixtures", fixtures],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    deadline = time.time() + 20
    line = b""
    while time.time() < deadline:
        line = p.stdout.readline()
        if line or p.poll() is not None:
            break
    m = re.search(rb":(\d+)\s*$", line)
    if not m:
        p.kill()
        raise SystemExit("durability: the server did not start: %r" % line)
    return p, int(m.group(1))


class Loader(threading.Thread):
    """Sends creates over one keep-alive connection until told to stop or the server goes away."""

    def __init__(self, port, requests, stop):
        super().__init__(daemon=True)
        self.port, self.requests, self.stop = port, requests, stop
        self.acked = []  # (kind, organization_id, connection_id)
        self.unexpected = []

    def run(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        for kind, org, path, body in self.requests:
            if self.stop.is_set():
                break
            try:
                conn.request("POST", path, body=json.dumps(body),
                             headers={"Authorization": API_AUTH, "Content-Type": "application/json"})
                resp = conn.getresponse()
                raw = resp.read()
            except (OSError, http.client.HTTPException):
                break  # the server was killed
            if resp.status == 200:
                self.acked.append((kind, org, json.loads(raw)["connection"]["connection_id"]))
            else:
                self.unexpected.append((path, resp.status, raw[:200]))
        conn.close()


def get(port, path):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path, headers={"Authorization": API_AUTH})
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", required=True)
    ap.add_argument("--threads", type=int, default=8)
    ap.add_argument("--load-seconds", type=float, default=2.5)
    a = ap.parse_args()
    t0 = time.time()
    failures = []
    with tempfile.TemporaryDirectory(prefix="ssoemu-durability-") as tmp:
        db, fixtures = os.path.join(tmp, "state.db"), os.path.join(tmp, "fixtures.json")
        write_fixtures(fixtures)
        p, port = start(a.bin, db, fixtures)
        stop = threading.Event()
        loaders = []
        for t in range(a.threads):
            if t == 0:
                reqs = [("saml", ACME, "/v1/b2b/sso/saml/" + ACME, {"display_name": "durable %d" % i})
                        for i in range(1000)]
            else:
                reqs = [("scim", org_id(i), "/v1/b2b/scim/%s/connection" % org_id(i), {"display_name": "durable"})
                        for i in range(t - 1, ORGS, a.threads - 1)]
            loaders.append(Loader(port, reqs, stop))
        for ld in loaders:
            ld.start()
        time.sleep(a.load_seconds)
        # In the middle of the load: no graceful stop, no chance to flush anything.
        os.kill(p.pid, signal.SIGKILL)
        p.wait()
        stop.set()
        for ld in loaders:
            ld.join(timeout=15)
        acked = [x for ld in loaders for x in ld.acked]
        for ld in loaders:
            for u in ld.unexpected:
                failures.append("create %s answered %d: %r" % u)
        print("acknowledged before the kill: %d SCIM, %d SAML" % (
            sum(1 for x in acked if x[0] == "scim"), sum(1 for x in acked if x[0] == "saml")))
        if sum(1 for x in acked if x[0] == "scim") < 10:
            failures.append("too few creates were acknowledged before the kill to test anything")

        p, port = start(a.bin, db, fixtures)
        try:
            st, raw = get(port, "/v1/b2b/sso/" + ACME)
            saml_ids = set()
            if st != 200:
                failures.append("GET /v1/b2b/sso/acme after the restart answered %d" % st)
            else:
                saml_ids = {c["connection_id"] for c in json.loads(raw)["saml_connections"]}
            for kind, org, cid in acked:
                if kind == "saml":
                    if cid not in saml_ids:
                        failures.append("acknowledged SAML connection %s is gone" % cid)
                    continue
                st, raw = get(port, "/v1/b2b/scim/%s/connection" % org)
                got = json.loads(raw).get("connection", {}).get("connection_id") if st == 200 else None
                if got != cid:
                    failures.append("acknowledged SCIM connection %s of %s is gone (GET answered %d %r)" % (
                        cid, org, st, raw[:120]))
        finally:
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        h = sqlite3.connect(db)
        try:
            check = h.execute("PRAGMA integrity_check").fetchall()
        finally:
            h.close()
        if check != [("ok",)]:
            failures.append("PRAGMA integrity_check: %r" % check)
    for f in failures[:20]:
        print("FAIL: " + f)
    print("durability: %d acknowledged creates checked in %.1f s: %s" % (
        len(acked), time.time() - t0, "FAIL" if failures else "ok"))
    print("%d passed, %d failed" % (0 if failures else 1, 1 if failures else 0))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
