#!/usr/bin/env python3
"""Measures the GET connections workload of bench.py (an organization with 10 connections, wrk -t2 -c64 over
loopback) against ssoemu and against Prism (@stoplight/prism-cli, pinned in bench/peers/package.json)
mocking the same endpoint with ssoemu's own answer as its example, in turns in the same run, and prints
ssoemu's ratio to it. Called by bench/peers.sh.

  peers.py --bin build-bench/ssoemu [--duration 4] [--rounds 2]
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import bench  # noqa: E402


def fill_acme(base):
    """Gives Acme the same 10 connections as bench.py's GET workload: 7 SAML, 3 External."""
    targets = [bench.must(base, "POST", "/v1/b2b/sso/saml/globex", bench.API_AUTH,
                          {"display_name": "Globex %d" % i})["connection"]["connection_id"] for i in range(3)]
    for i in range(4):
        bench.must(base, "POST", "/v1/b2b/sso/saml/acme", bench.API_AUTH, {"display_name": "Acme SAML %d" % i})
    for i in range(3):
        bench.must(base, "POST", "/v1/b2b/sso/oidc/acme", bench.API_AUTH, {"display_name": "Acme OIDC %d" % i})
    for t in targets:
        bench.must(base, "POST", "/v1/b2b/sso/external/acme", bench.API_AUTH,
                   {"external_organization_id": bench.GLOBEX, "external_connection_id": t, "display_name": "ext"})


def start_prism(doc, workdir):
    prism = os.path.join(HERE, "peers", "node_modules", ".bin", "prism")
    port_probe = subprocess.run([sys.executable, "-c", "import socket;s=socket.socket();s.bind(('127.0.0.1',0));"
                                 "print(s.getsockname()[1])"], capture_output=True, text=True, check=True)
    port = int(port_probe.stdout)
    log = open(os.path.join(workdir, "prism.log"), "w")
    p = subprocess.Popen([prism, "mock", "-h", "127.0.0.1", "-p", str(port), "--errors", "false", doc],
                         stdout=log, stderr=subprocess.STDOUT)
    deadline = time.time() + 60
    while time.time() < deadline:
        if p.poll() is not None:
            raise RuntimeError("prism exited: " + open(log.name).read()[-2000:])
        try:
            st, _ = bench.call("http://127.0.0.1:%d" % port, "GET", "/v1/b2b/sso/" + bench.ACME, bench.API_AUTH)
            if st == 200:
                return p, "http://127.0.0.1:%d" % port
        except OSError:
            pass
        time.sleep(0.2)
    p.kill()
    raise RuntimeError("prism did not answer within 60 s")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", required=True)
    ap.add_argument("--duration", type=int, default=4)
    ap.add_argument("--rounds", type=int, default=2, help="turns per server (alternating); the best one counts")
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix="ssoemu-peers-")
    s = bench.Proc([a.bin, "--port", "0", "--rate-limit", "off"])
    prism = None
    try:
        fill_acme(s.base)
        item = ("GET", "/v1/b2b/sso/" + bench.ACME, bench.API_AUTH)
        st, raw = bench.call(s.base, *item)
        if st != 200:
            raise RuntimeError("ssoemu answered %d" % st)
        doc = os.path.join(work, "sso-get.openapi.yaml")
        template = open(os.path.join(HERE, "peers", "sso-get.openapi.yaml")).read()
        # JSON is YAML: the example is ssoemu's body, on one line.
        with open(doc, "w") as f:
            f.write(template.replace("example: EXAMPLE", "example: " + json.dumps(json.loads(raw))))
        prism, prism_base = start_prism(doc, work)
        _, praw = bench.call(prism_base, *item)
        runs = {"ssoemu": [], "prism": []}
        for turn in range(a.rounds):
            order = (("ssoemu", s.base), ("prism", prism_base))
            for name, base in order if turn % 2 == 0 else order[::-1]:
                runs[name].append(bench.run_wrk(base, [item], a.duration, work, "%s-%d" % (name, turn)))
        best = {k: max(v, key=lambda r: r["rps"]) for k, v in runs.items()}
        print("| server | resp bytes | req/s | p50 ms | p99 ms | non-2xx |")
        print("|---|---:|---:|---:|---:|---:|")
        for name, size in (("ssoemu", len(raw)), ("prism", len(praw))):
            r = best[name]
            print("| %s | %d | %.0f | %.2f | %.2f | %d |" % (name, size, r["rps"], r["p50"], r["p99"],
                                                            sum(x["non2xx"] for x in runs[name])))
        ratio = best["ssoemu"]["rps"] / best["prism"]["rps"] if best["prism"]["rps"] else 0.0
        print("\nssoemu / Prism requests per second: %.1fx (p50 %.2f vs %.2f ms)" % (
            ratio, best["ssoemu"]["p50"], best["prism"]["p50"]))
        print("(%d-second wrk runs, -t%d -c%d, %d turns each, alternating)" % (
            a.duration, bench.WRK_THREADS, bench.WRK_CONNS, a.rounds))
    finally:
        s.stop()
        if prism:
            prism.terminate()
            try:
                prism.wait(10)
            except subprocess.TimeoutExpired:
                prism.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
