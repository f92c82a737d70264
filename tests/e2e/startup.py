#!/usr/bin/env python3
"""Start-up and usage failures of the ssoemu program (EMULATOR.md "Program"): each exits with the
documented status and one stderr line naming the cause and the option, file or field, and never
prints the listening line. Also --help (every option with its default and variable) and --version.

Usage: startup.py --bin PATH

Prints one line per failure and a summary; exits 1 on failure.
"""

import argparse
import json
import os
import socket
import sqlite3
import subprocess
import sys
import tempfile

RUN_TIMEOUT = 15

OPTIONS = [
    ("host", "SSOEMU_HOST"), ("port", "SSOEMU_PORT"), ("db", "SSOEMU_DB"), ("fixtures", "SSOEMU_FIXTURES"),
    ("public-url", "SSOEMU_PUBLIC_URL"), ("rate-limit", "SSOEMU_RATE_LIMIT"), ("seed", "SSOEMU_SEED"),
    ("admin-token", "SSOEMU_ADMIN_TOKEN"), ("cors-origins", "SSOEMU_CORS_ORIGINS"),
    ("log-format", "SSOEMU_LOG_FORMAT"), ("threads", "SSOEMU_THREADS"), ("allowed-hosts", "SSOEMU_ALLOWED_HOSTS"),
    ("metadata-dir", "SSOEMU_METADATA_DIR"),
]

failures = []
checks = 0


def check(ok, what):
    global checks
    checks += 1
    if not ok:
        failures.append(what)
        print("FAIL: " + what)


def run(binary, args, env_extra=None):
    """Runs the program to its end; returns (status, stdout, stderr). A server that starts is
    a failure of the case: it is killed when the time-out passes."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SSOEMU_")}
    env.update(env_extra or {})
    try:
        p = subprocess.run([binary] + args, stdin=subprocess.DEVNULL, capture_output=True, env=env,
                           timeout=RUN_TIMEOUT)
        return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"").decode("utf-8", "replace")
        return None, out, (e.stderr or b"").decode("utf-8", "replace")


def fails(binary, label, args, status, must_name, env_extra=None):
    """The run must exit with status, print nothing on stdout, and exactly one stderr line that
    contains every string of must_name."""
    code, out, err = run(binary, args, env_extra)
    lines = [l for l in err.split("\n") if l]
    check(code == status, "%s: exit status %s, expected %d (stderr: %r)" % (label, code, status, err))
    check("listening" not in out, "%s: printed the listening line: %r" % (label, out))
    check(len(lines) == 1, "%s: %d stderr lines, expected one: %r" % (label, len(lines), err))
    for name in must_name:
        check(name in err, "%s: stderr does not name %r: %r" % (label, name, err))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", required=True)
    args = ap.parse_args()
    binary = os.path.abspath(args.bin)

    with tempfile.TemporaryDirectory(prefix="ssoemu-startup-") as tmp:
        # --- usage errors: exit 2, one line naming the option ---
        for opt, value in [("port", "abc"), ("port", "70000"), ("port", "-1"), ("rate-limit", "0/1"),
                           ("rate-limit", "fast"), ("seed", "-3"), ("seed", "x"), ("threads", "0"),
                           ("threads", "65"), ("log-format", "xml"), ("public-url", "ftp://x"), ("host", ""),
                           ("cors-origins", ","), ("admin-token", ""), ("metadata-dir", ""),
                           ("metadata-dir", "/nonexistent/ssoemu-metadata"), ("metadata-dir", "/etc/hostname")]:
            fails(binary, "--%s %r" % (opt, value), ["--%s" % opt, value], 2, ["--" + opt])
        fails(binary, "SSOEMU_METADATA_DIR not a directory", [], 2, ["--metadata-dir", "SSOEMU_METADATA_DIR"],
              {"SSOEMU_METADATA_DIR": "/nonexistent/ssoemu-metadata"})
        fails(binary, "unknown option", ["--bogus"], 2, ["--bogus"])
        fails(binary, "option without its value", ["--port"], 2, ["--port"])
        fails(binary, "stray argument", ["extra"], 2, ["extra"])
        fails(binary, "bad SSOEMU_PORT", ["--port", "0"], 2, ["--port", "SSOEMU_PORT"], {"SSOEMU_PORT": "abc"})
        fails(binary, "bad SSOEMU_RATE_LIMIT", [], 2, ["--rate-limit", "SSOEMU_RATE_LIMIT"],
              {"SSOEMU_RATE_LIMIT": "1/0"})

        # --- port in use: exit 1 naming the address ---
        busy = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        try:
            fails(binary, "port in use", ["--port", str(port)], 1, ["127.0.0.1:%d" % port])
        finally:
            busy.close()

        # --- fixtures: unreadable, not JSON, invalid (naming the field) ---
        missing = os.path.join(tmp, "missing.json")
        fails(binary, "missing fixtures file", ["--port", "0", "--fixtures", missing], 1, [missing])
        fails(binary, "fixtures path is a directory", ["--port", "0", "--fixtures", tmp], 1, [tmp])
        broken = os.path.join(tmp, "broken.json")
        with open(broken, "w") as f:
            f.write('{"project": ')
        fails(binary, "fixtures not JSON", ["--port", "0", "--fixtures", broken], 1, [broken])
        bad = os.path.join(tmp, "bad.json")
        with open(bad, "w") as f:
            json.dump({
                "project": {"project_id": "project-test-x", "secret": "secret-test-x", "public_token": "public-token-test-x"},
                "rbac_policy": {"roles": [{"role_id": "stytch_member", "permissions": []}], "resources": []},
                "organizations": [{"organization_id": "organization-test-x"}],
            }, f)
        fails(binary, "fixtures with a missing field", ["--port", "0", "--fixtures", bad], 1,
              [bad, "organizations[0].organization_slug"])
        fails(binary, "fixtures from SSOEMU_FIXTURES", ["--port", "0"], 1, [bad, "organizations[0]"],
              {"SSOEMU_FIXTURES": bad})

        # --- databases: from a newer program, and not ours ---
        newer = os.path.join(tmp, "newer.db")
        con = sqlite3.connect(newer)
        con.execute("PRAGMA user_version = 999")
        con.execute("CREATE TABLE future (x)")
        con.commit()
        con.close()
        fails(binary, "database from a newer schema", ["--port", "0", "--db", newer], 1, [newer, "999", "newer"])
        foreign = os.path.join(tmp, "foreign.db")
        con = sqlite3.connect(foreign)
        con.execute("CREATE TABLE other (x)")
        con.commit()
        con.close()
        fails(binary, "database of another program", ["--port", "0", "--db", foreign], 1, [foreign])
        fails(binary, "database in a missing directory", ["--port", "0", "--db", os.path.join(tmp, "no", "x.db")], 1,
              [os.path.join(tmp, "no", "x.db")])

        # The refused databases were left as they were.
        con = sqlite3.connect(newer)
        check(con.execute("PRAGMA user_version").fetchone()[0] == 999, "the newer database was changed")
        con.close()

    # --- --help and --version ---
    code, out, err = run(binary, ["--help"])
    check(code == 0, "--help exit status %s" % code)
    check(err == "", "--help wrote to stderr: %r" % err)
    for opt, env in OPTIONS:
        line = [l for l in out.split("\n") if l.strip().startswith("--%s " % opt)]
        check(len(line) == 1, "--help does not list --%s" % opt)
        check("env %s)" % env in out, "--help does not name %s" % env)
    check(out.count("(default: ") == len(OPTIONS), "--help does not give every option a default")
    for flag in ("--help", "--version"):
        check(flag in out, "--help does not list %s" % flag)
    code, out, err = run(binary, ["--version"])
    check(code == 0 and out.startswith("ssoemu ") and len(out.strip().split("\n")) == 1,
          "--version: status %s, output %r" % (code, out))

    print("%d checks, %d failed" % (checks, len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
