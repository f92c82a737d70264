#!/usr/bin/env python3
"""SAML creates take their RSA keys from the key pool: a burst larger than the pool right after
start (so that some requests find it empty and are suspended until a key is made) all succeed,
each with its own key and its own request id; a create whose body is invalid while the pool is
empty still answers 400; and SIGTERM while requests wait for keys ends the server promptly.

Usage: keypool.py --bin PATH
Prints one line per failure and a summary; exits 1 on failure.
"""

import argparse
import base64
import http.client
import json
import os
import re
import select
import signal
import subprocess
import sys
import threading
import time

PROJECT_ID = "project-test-11111111-1111-4111-8111-111111111111"
SECRET = "secret-test-ssoemu-local-secret-0000000000000"
ACME = "organization-test-aaaaaaaa-0000-4000-8000-000000000001"
BURST = 24  # more than the pool holds (SE_KEYPOOL_SIZE, 16)
AUTH = {"Authorization": "Basic " + base64.b64encode(("%s:%s" % (PROJECT_ID, SECRET)).encode()).decode(),
        "Content-Type": "application/json"}

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL: " + what)


def start(binary):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SSOEMU_")}
    proc = subprocess.Popen([binary, "--port", "0", "--rate-limit", "off", "--threads", "2"],
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    fd = proc.stdout.fileno()
    buf = b""
    deadline = time.monotonic() + 10
    while b"\n" not in buf and time.monotonic() < deadline:
        if select.select([fd], [], [], 1)[0]:
            chunk = os.read(fd, 4096)
            if not chunk:
                break
            buf += chunk
    m = re.match(r"^ssoemu listening on http://[^:]+:(\d+)$", buf.split(b"\n")[0].decode())
    if not m:
        proc.kill()
        raise RuntimeError("server did not start: %r" % buf)
    return proc, int(m.group(1))


def post(port, body, results, i):
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.request("POST", "/v1/b2b/sso/saml/" + ACME, body=body, headers=AUTH)
        resp = conn.getresponse()
        results[i] = (resp.status, json.loads(resp.read().decode()))
        conn.close()
    except Exception as e:  # noqa: BLE001 - reported as a failure
        results[i] = (None, str(e))


def burst(port, bodies):
    results = [None] * len(bodies)
    threads = [threading.Thread(target=post, args=(port, b, results, i)) for i, b in enumerate(bodies)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(90)
    return results


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    args = ap.parse_args()

    proc, port = start(args.bin)
    try:
        bodies = [json.dumps({"display_name": "burst %d" % i}).encode() for i in range(BURST)]
        bodies.append(b'{"display_name": 5}')
        results = burst(port, bodies)
        ok = [r for r in results[:BURST] if r and r[0] == 200]
        check(len(ok) == BURST, "burst: %d of %d creates answered 200: %r" %
              (len(ok), BURST, [r for r in results[:BURST] if not r or r[0] != 200][:2]))
        certs = {r[1]["connection"]["signing_certificates"][0]["certificate"] for r in ok}
        check(len(certs) == len(ok), "burst: %d distinct certificates for %d creates" % (len(certs), len(ok)))
        ids = {r[1]["request_id"] for r in ok}
        check(len(ids) == len(ok), "burst: request ids are not unique")
        bad = results[BURST]
        check(bad is not None and bad[0] == 400, "invalid body during the burst: %r" % (bad,))

        # Stop while creates wait for keys: the server ends promptly.
        waiting = [None] * (BURST * 2)
        threads = [threading.Thread(target=post, args=(port, bodies[0], waiting, i), daemon=True)
                   for i in range(len(waiting))]
        for t in threads:
            t.start()
        time.sleep(0.3)
        t0 = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
            check(proc.returncode == 0, "exit status %r after SIGTERM" % proc.returncode)
        except subprocess.TimeoutExpired:
            check(False, "no exit within 15 s of SIGTERM while creates waited for keys")
        print("stopped in %.2f s" % (time.monotonic() - t0))
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()

    print("%s: %d failure(s)" % ("FAIL" if failures else "OK", len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
