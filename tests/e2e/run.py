#!/usr/bin/env python3
"""Runs the end-to-end case files (tests/e2e/cases/*.cases) against the real ssoemu binary.

Usage: run.py --bin PATH [--jobs N] [FILES or DIRS ...]   (default: the cases/ directory next to this file)

Each file gets a fresh server: `ssoemu --port 0` plus the args of its `# server:` lines, so an
in-memory database with the default fixtures. Its cases run in order and share state (captures).
A case is a block of `key: value` lines; blocks are separated by blank lines and lines starting
with `#` are comments. Keys:

  name:             what the case checks
  request:          METHOD PATH                      (${var} substituted)
  auth:             sdk <session_token> | sdk-public | api | api-member <session_token> |
                    basic <user>:<pass> | bearer <token> | none (the default)
  header:           Name: value                      (repeatable; ${var} substituted)
  body:             one line sent as is              (${var} substituted; Content-Type application/json)
  body-repeat:      <N> <chunk>                      sends chunk repeated N times (large bodies)
  expect:           <status> [error_type]
  expect-json:      <path> == | != | ~= <JSON literal>, or <path> exists | absent   (repeatable)
                    path: $ then .key or [index] steps; ~= is re.search on the value's string
                    form (a string as is, anything else as compact JSON)
  expect-header:    Name: regex                      (repeatable; re.search on the value)
  expect-no-header: Name                             (repeatable; the header must be absent)
  capture:          name = <path>                    stores the value's string form as ${name}
  capture-body:     name                             stores the whole response body text as ${name}
  expect-body-not:  <text>                           the body must not contain text (repeatable; ${var}
                                                     substituted)
  expect-body-equals: <text>                         the body must be exactly text (${var} substituted)

Besides what a case states, every response is checked: an error body (status >= 400) on the
Stytch surfaces has exactly status_code, request_id (request-id-test-<uuid4>), error_type,
error_message and error_url, is served as application/json and never wrapped in "data"; a
success body on /sdk/v1 is {"data": {...}}; a success body carries request_id and status_code.

Predefined variables, the well-known values of the default fixtures (EMULATOR.md):
${project_id} ${secret} ${public_token} ${org_acme} ${org_globex} ${globex_saml} ${globex_oidc}.
${data} is the absolute path of tests/e2e/data (for file:// URLs and `# server:` lines). A header line
`# http-fixtures: DIR` (relative to the repository root) serves DIR read-only over HTTP on
127.0.0.1:<free port> while the file runs, and ${http} is its base URL (http://127.0.0.1:PORT).

Prints one line per failed case, then exactly one summary line `N passed, M failed`; exits 1
when anything failed.
"""

import argparse
import base64
import concurrent.futures
import functools
import http.client
import http.server
import json
import os
import re
import select
import shlex
import signal
import subprocess
import sys
import tempfile
import threading
import time

PROJECT_ID = "project-test-11111111-1111-4111-8111-111111111111"
SECRET = "secret-test-ssoemu-local-secret-0000000000000"
PUBLIC_TOKEN = "public-token-test-11111111-1111-4111-8111-111111111111"

PREDEFINED = {
    "project_id": PROJECT_ID,
    "secret": SECRET,
    "public_token": PUBLIC_TOKEN,
    "org_acme": "organization-test-aaaaaaaa-0000-4000-8000-000000000001",
    "org_globex": "organization-test-bbbbbbbb-0000-4000-8000-000000000002",
    "globex_saml": "saml-connection-test-bbbbbbbb-0000-4000-8000-00000000c001",
    "globex_oidc": "oidc-connection-test-bbbbbbbb-0000-4000-8000-00000000c002",
    "globex_oidc_active": "oidc-connection-test-bbbbbbbb-0000-4000-8000-00000000c003",
}

START_TIMEOUT = 10.0
STOP_TIMEOUT = 5.0
REQUEST_TIMEOUT = 15.0
BODY_SHOWN = 1500
STDERR_SHOWN = 4000

LISTEN_RE = re.compile(r"^ssoemu listening on http://(\[[^\]]+\]|[^:/\s]+):(\d+)\s*$")
REQUEST_ID_RE = re.compile(r"^request-id-test-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
ERROR_KEYS = {"status_code", "request_id", "error_type", "error_message", "error_url"}
KEYS = {"name", "request", "auth", "header", "body", "body-repeat", "expect", "expect-json", "expect-header",
        "expect-no-header", "capture", "capture-body", "expect-body-not", "expect-body-equals"}
REPEATABLE = {"header", "expect-json", "expect-header", "expect-no-header", "capture", "expect-body-not"}
MISSING = object()


class CaseError(Exception):
    """A case file that cannot be understood (as opposed to a server that answers wrongly)."""


# --- case files ----------------------------------------------------------------------------------


class Case:
    def __init__(self, path, line):
        self.path = path
        self.line = line
        self.fields = {}
        self.error = None

    def get(self, key, default=None):
        v = self.fields.get(key)
        if v is None:
            return default
        return v

    def all(self, key):
        return self.fields.get(key, [])

    @property
    def name(self):
        return self.get("name", "(unnamed)")


def parse_file(path):
    """Returns (server_args, cases). Malformed blocks become cases carrying an error."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    server_args = []
    in_header = True
    cases = []
    block = []  # (line number, text)

    def flush():
        if not block:
            return
        case = Case(path, block[0][0])
        for no, text in block:
            key, sep, value = text.partition(":")
            key = key.strip()
            if not sep or key not in KEYS:
                case.error = "line %d: unknown key or not `key: value`: %r" % (no, text)
                break
            value = value.strip()
            if key in REPEATABLE:
                case.fields.setdefault(key, []).append((no, value))
            elif key in case.fields:
                case.error = "line %d: %s given twice" % (no, key)
                break
            else:
                case.fields[key] = value
        if case.error is None:
            if "request" not in case.fields:
                case.error = "no request: line"
            elif "expect" not in case.fields:
                case.error = "no expect: line"
            elif "body" in case.fields and "body-repeat" in case.fields:
                case.error = "body and body-repeat are exclusive"
        cases.append(case)
        block.clear()

    for no, raw in enumerate(lines, 1):
        text = raw.rstrip("\r")
        stripped = text.strip()
        if stripped.startswith("#"):
            m = re.match(r"#\s*server:(.*)$", stripped)
            if m and in_header:
                server_args.extend(shlex.split(m.group(1)))
            continue
        if not stripped:
            flush()
            continue
        in_header = False
        block.append((no, text))
    flush()
    return server_args, cases


# --- JSON paths ----------------------------------------------------------------------------------

PATH_STEP_RE = re.compile(r"\.([^.\[\]\s]+)|\[(-?\d+)\]")


def parse_path(path):
    if not path.startswith("$"):
        raise CaseError("JSON path must start with $: %r" % path)
    steps = []
    pos = 1
    while pos < len(path):
        m = PATH_STEP_RE.match(path, pos)
        if not m:
            raise CaseError("bad JSON path %r at %r" % (path, path[pos:]))
        steps.append(m.group(1) if m.group(1) is not None else int(m.group(2)))
        pos = m.end()
    return steps


def resolve(doc, path):
    v = doc
    for step in parse_path(path):
        if isinstance(step, int):
            if not isinstance(v, list) or not -len(v) <= step < len(v):
                return MISSING
            v = v[step]
        else:
            if not isinstance(v, dict) or step not in v:
                return MISSING
            v = v[step]
    return v


def string_form(v):
    if isinstance(v, str):
        return v
    return json.dumps(v, separators=(",", ":"), sort_keys=True)


def show(v):
    return "(absent)" if v is MISSING else json.dumps(v)


def check_json(doc, spec):
    """Returns None when spec holds for doc, else a description of the mismatch."""
    parts = spec.split(None, 2)
    if len(parts) == 2 and parts[1] in ("exists", "absent"):
        v = resolve(doc, parts[0])
        if parts[1] == "exists" and v is MISSING:
            return "%s: expected to exist, absent" % parts[0]
        if parts[1] == "absent" and v is not MISSING:
            return "%s: expected absent, got %s" % (parts[0], show(v))
        return None
    if len(parts) != 3 or parts[1] not in ("==", "!=", "~="):
        raise CaseError("expect-json must be `PATH ==|!=|~= JSON` or `PATH exists|absent`: %r" % spec)
    path, op, literal = parts
    v = resolve(doc, path)
    if op == "~=":
        try:
            pattern = json.loads(literal)
            if not isinstance(pattern, str):
                pattern = literal
        except ValueError:
            pattern = literal
        try:
            rx = re.compile(pattern)
        except re.error as e:
            raise CaseError("bad regex %r: %s" % (pattern, e))
        if v is MISSING or not rx.search(string_form(v)):
            return "%s: expected ~= %s, got %s" % (path, pattern, show(v))
        return None
    try:
        want = json.loads(literal)
    except ValueError:
        raise CaseError("not a JSON literal: %r (strings need double quotes)" % literal)
    if op == "==" and (v is MISSING or v != want or type(v) is not type(want)):
        return "%s: expected %s, got %s" % (path, json.dumps(want), show(v))
    if op == "!=" and v is not MISSING and v == want and type(v) is type(want):
        return "%s: expected != %s, got it" % (path, json.dumps(want))
    return None


# --- the server ----------------------------------------------------------------------------------


class Server:
    def __init__(self, binary, args):
        self.binary = binary
        self.args = args
        self.proc = None
        self.port = None
        self.stderr = tempfile.TemporaryFile()
        self.extra_stdout = []

    def start(self):
        env = {k: v for k, v in os.environ.items() if not k.startswith("SSOEMU_")}
        cmd = [self.binary, "--port", "0"] + self.args
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=self.stderr,
                                     env=env)
        fd = self.proc.stdout.fileno()
        buf = b""
        deadline = time.monotonic() + START_TIMEOUT
        while b"\n" not in buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise RuntimeError("no `ssoemu listening on` line within %.0f s" % START_TIMEOUT)
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                continue
            chunk = os.read(fd, 4096)
            if not chunk:
                self.proc.wait(timeout=STOP_TIMEOUT)
                raise RuntimeError("server exited with status %s before listening" % self.proc.returncode)
            buf += chunk
        first, _, rest = buf.partition(b"\n")
        m = LISTEN_RE.match(first.decode("utf-8", "replace"))
        if not m:
            raise RuntimeError("unexpected first stdout line: %r" % first)
        self.port = int(m.group(2))
        if rest:
            self.extra_stdout.append(rest)
        # Keep draining stdout so the server never blocks on a full pipe.
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self):
        try:
            for chunk in iter(lambda: self.proc.stdout.read1(4096), b""):
                self.extra_stdout.append(chunk)
        except (OSError, ValueError):
            pass

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stderr_offset(self):
        self.stderr.flush()
        return self.stderr.seek(0, os.SEEK_END)

    def stderr_since(self, offset, limit=STDERR_SHOWN):
        self.stderr.flush()
        self.stderr.seek(offset)
        data = self.stderr.read()
        self.stderr.seek(0, os.SEEK_END)
        text = data.decode("utf-8", "replace")
        if len(text) > limit:
            text = "...\n" + text[-limit:]
        return text

    def stop(self):
        """SIGTERM, then wait; returns None or a description of what went wrong."""
        if self.proc is None:
            return None
        problem = None
        if self.proc.poll() is not None:
            problem = "server had already exited with status %d" % self.proc.returncode
        else:
            self.proc.send_signal(signal.SIGTERM)
            try:
                code = self.proc.wait(timeout=STOP_TIMEOUT)
                if code != 0:
                    problem = "server exited with status %d after SIGTERM (expected 0)" % code
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                problem = "server did not exit within %.0f s of SIGTERM (killed)" % STOP_TIMEOUT
        if self.proc.stdout:
            self.proc.stdout.close()
        return problem

    def close(self):
        self.stderr.close()


# --- running a case ------------------------------------------------------------------------------

VAR_RE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def substitute(text, env):
    def one(m):
        if m.group(1) not in env:
            raise CaseError("unknown variable ${%s} (not captured earlier?)" % m.group(1))
        return env[m.group(1)]

    return VAR_RE.sub(one, text)


def basic(user, password):
    return "Basic " + base64.b64encode(("%s:%s" % (user, password)).encode()).decode()


def auth_headers(spec, env):
    spec = substitute(spec, env)
    kind, _, arg = spec.partition(" ")
    arg = arg.strip()
    if kind == "none" and not arg:
        return []
    if kind == "sdk" and arg:
        return [("Authorization", basic(PUBLIC_TOKEN, arg))]
    if kind == "sdk-public" and not arg:
        return [("Authorization", basic(PUBLIC_TOKEN, PUBLIC_TOKEN))]
    if kind == "api" and not arg:
        return [("Authorization", basic(PROJECT_ID, SECRET))]
    if kind == "api-member" and arg:
        return [("Authorization", basic(PROJECT_ID, SECRET)), ("X-Stytch-Member-Session", arg)]
    if kind == "basic" and ":" in arg:
        user, _, password = arg.partition(":")
        return [("Authorization", basic(user, password))]
    if kind == "bearer" and arg:
        return [("Authorization", "Bearer " + arg)]
    raise CaseError("bad auth: %r" % spec)


def build_request(case, env):
    method, _, path = substitute(case.get("request"), env).partition(" ")
    path = path.strip()
    if not method or not path.startswith("/") or " " in path:
        raise CaseError("request must be `METHOD /path`: %r" % case.get("request"))
    headers = auth_headers(case.get("auth", "none"), env)
    body = None
    if "body" in case.fields:
        body = substitute(case.get("body"), env).encode("utf-8")
    elif "body-repeat" in case.fields:
        count, _, chunk = case.get("body-repeat").partition(" ")
        if not count.isdigit() or not chunk:
            raise CaseError("body-repeat must be `<N> <chunk>`: %r" % case.get("body-repeat"))
        body = substitute(chunk, env).encode("utf-8") * int(count)
    for _, h in case.all("header"):
        name, sep, value = substitute(h, env).partition(":")
        if not sep or not name.strip():
            raise CaseError("header must be `Name: value`: %r" % h)
        headers.append((name.strip(), value.strip()))
    if body is not None and not any(n.lower() == "content-type" for n, _ in headers):
        headers.append(("Content-Type", "application/json"))
    return method, path, headers, body


def send(port, method, path, headers, body):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
    try:
        conn.putrequest(method, path, skip_accept_encoding=True)
        for name, value in headers:
            conn.putheader(name, value)
        if body is not None:
            conn.putheader("Content-Length", str(len(body)))
        elif method in ("POST", "PUT", "PATCH"):
            conn.putheader("Content-Length", "0")
        conn.endheaders(body)
        resp = conn.getresponse()
        data = resp.read()
        return resp.status, resp.headers, data
    finally:
        conn.close()


def stytch_surface(path):
    return path.startswith("/v1/") or path.startswith("/sdk/v1/")


def generic_checks(path, status, headers, doc, problems):
    """The invariants every response of the Stytch surfaces holds."""
    if not stytch_surface(path.split("?", 1)[0]):
        return
    if status >= 400:
        ctype = headers.get("Content-Type", "")
        if not ctype.startswith("application/json"):
            problems.append("error Content-Type %r, expected application/json" % ctype)
        if not isinstance(doc, dict):
            problems.append("error body is not a JSON object")
            return
        if set(doc) != ERROR_KEYS:
            problems.append("error body keys %s, expected exactly %s" % (sorted(doc), sorted(ERROR_KEYS)))
        if doc.get("status_code") != status:
            problems.append("error status_code %r differs from HTTP status %d" % (doc.get("status_code"), status))
        if not isinstance(doc.get("request_id"), str) or not REQUEST_ID_RE.match(doc.get("request_id")):
            problems.append("error request_id %r is not request-id-test-<uuid4>" % doc.get("request_id"))
        if doc.get("error_url") != "https://stytch.com/docs/api/errors/%d" % status:
            problems.append("error_url %r" % doc.get("error_url"))
        if not isinstance(doc.get("error_message"), str) or not doc.get("error_message"):
            problems.append("empty error_message")
        return
    if status != 200:
        return
    if not isinstance(doc, dict):
        problems.append("success body is not a JSON object")
        return
    inner = doc
    if path.startswith("/sdk/v1/"):
        if set(doc) != {"data"} or not isinstance(doc.get("data"), dict):
            problems.append("success body on /sdk/v1 is not wrapped in \"data\" (keys %s)" % sorted(doc))
            return
        inner = doc["data"]
    elif "data" in doc:
        problems.append("success body on /v1 is wrapped in \"data\"")
    if inner.get("status_code") != 200:
        problems.append("success status_code %r" % inner.get("status_code"))
    if not isinstance(inner.get("request_id"), str) or not REQUEST_ID_RE.match(inner.get("request_id")):
        problems.append("success request_id %r is not request-id-test-<uuid4>" % inner.get("request_id"))


def run_case(case, server, env):
    """Runs one case; returns None on success, else (request text, problems, body text)."""
    method, path, headers, body = build_request(case, env)
    request = "%s %s" % (method, path)
    expect = case.get("expect").split()
    if not expect or not expect[0].isdigit() or len(expect) > 2:
        raise CaseError("expect must be `<status> [error_type]`: %r" % case.get("expect"))
    want_status = int(expect[0])
    want_type = expect[1] if len(expect) == 2 else None
    if want_status >= 400 and want_type is None:
        raise CaseError("an error expect needs its error_type: %r" % case.get("expect"))
    try:
        status, resp_headers, data = send(server.port, method, path, headers, body)
    except (OSError, http.client.HTTPException) as e:
        why = "no response: %s: %s" % (type(e).__name__, e)
        if not server.alive():
            why += " (server exited with status %s)" % server.proc.returncode
        return request, [why], ""
    text = data.decode("utf-8", "replace")
    doc = MISSING
    if data:
        try:
            doc = json.loads(text)
        except ValueError:
            doc = MISSING
    problems = []
    got_type = doc.get("error_type") if isinstance(doc, dict) else None
    if status != want_status or (want_type is not None and got_type != want_type):
        problems.append("expected %s, got %d%s" % (" ".join(expect), status, " " + got_type if got_type else ""))
    if data and doc is MISSING and (status >= 400 or stytch_surface(path)):
        problems.append("body is not JSON")
    if doc is not MISSING:
        generic_checks(path, status, resp_headers, doc, problems)
    for no, spec in case.all("expect-json"):
        if doc is MISSING:
            problems.append("line %d: %s: no JSON body" % (no, spec))
            continue
        miss = check_json(doc, substitute(spec, env))
        if miss:
            problems.append("line %d: %s" % (no, miss))
    for no, spec in case.all("expect-header"):
        name, sep, pattern = spec.partition(":")
        if not sep or not name.strip():
            raise CaseError("expect-header must be `Name: regex`: %r" % spec)
        pattern = substitute(pattern.strip(), env)
        value = resp_headers.get(name.strip())
        if value is None:
            problems.append("line %d: header %s absent, expected ~ %s" % (no, name.strip(), pattern))
        elif not re.search(pattern, value):
            problems.append("line %d: header %s: %r does not match %s" % (no, name.strip(), value, pattern))
    for no, name in case.all("expect-no-header"):
        value = resp_headers.get(name)
        if value is not None:
            problems.append("line %d: header %s present (%r), expected absent" % (no, name, value))
    for no, spec in case.all("capture"):
        var, sep, path_expr = spec.partition("=")
        var, path_expr = var.strip(), path_expr.strip()
        if not sep or not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", var):
            raise CaseError("capture must be `name = $.path`: %r" % spec)
        v = resolve(doc, path_expr) if doc is not MISSING else MISSING
        if v is MISSING or v is None:
            problems.append("line %d: capture %s: %s is absent" % (no, var, path_expr))
            env.pop(var, None)
        else:
            env[var] = string_form(v)
    for no, needle in case.all("expect-body-not"):
        needle = substitute(needle, env)
        if not needle:
            raise CaseError("expect-body-not needs a text")
        if needle in text:
            problems.append("line %d: the body contains %r" % (no, needle))
    if "expect-body-equals" in case.fields:
        want = substitute(case.get("expect-body-equals"), env)
        if text != want:
            problems.append("the body differs from the expected text (%d bytes, expected %d)" % (len(text), len(want)))
    if "capture-body" in case.fields:
        var = case.get("capture-body")
        if not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", var):
            raise CaseError("capture-body must be a variable name: %r" % var)
        env[var] = text
    if not problems:
        return None
    return request, problems, text


def one_line(text, limit=BODY_SHOWN):
    text = text.replace("\n", "\\n")
    return text if len(text) <= limit else text[:limit] + "..."


HERE = os.path.dirname(os.path.abspath(__file__))
DATA_DIR = os.path.join(HERE, "data")
REPO_ROOT = os.path.dirname(os.path.dirname(HERE))


def http_fixtures(path):
    """The directory of the file's `# http-fixtures: DIR` header line, or None."""
    with open(path, encoding="utf-8") as f:
        for raw in f:
            stripped = raw.strip()
            if not stripped:
                continue
            if not stripped.startswith("#"):
                break
            m = re.match(r"#\s*http-fixtures:\s*(\S+)\s*$", stripped)
            if m:
                return os.path.join(REPO_ROOT, m.group(1))
    return None


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


class FixtureServer:
    """Serves one directory read-only on 127.0.0.1 for the duration of one case file."""

    def __init__(self, directory):
        if not os.path.isdir(directory):
            raise OSError("no such directory: %s" % directory)
        handler = functools.partial(QuietHandler, directory=directory)
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.url = "http://127.0.0.1:%d" % self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def run_file(binary, path):
    """Runs every case of one file; returns (passed, failed, report text)."""
    out = []
    try:
        server_args, cases = parse_file(path)
        fixture_dir = http_fixtures(path)
    except (OSError, ValueError) as e:
        return 0, 1, "%s: cannot read: %s\n" % (path, e)
    fixtures = None
    if fixture_dir:
        try:
            fixtures = FixtureServer(fixture_dir)
        except OSError as e:
            return 0, 1, "%s: cannot serve http-fixtures: %s\n" % (path, e)
    # ${data} also works in `# server:` lines (e.g. --fixtures ${data}/scim-groups.json).
    server = Server(binary, [a.replace("${data}", DATA_DIR) for a in server_args])
    passed = failed = 0
    try:
        try:
            server.start()
        except (OSError, RuntimeError) as e:
            out.append("%s:1: server did not start: %s\n" % (path, e))
            err = server.stderr_since(0)
            if err:
                out.append("  stderr:\n" + indent(err))
            server.stop()
            return 0, max(1, len(cases)), "".join(out)
        env = dict(PREDEFINED)
        env["data"] = DATA_DIR
        if fixtures:
            env["http"] = fixtures.url
        for case in cases:
            offset = server.stderr_offset()
            if case.error:
                failed += 1
                out.append("%s:%d: %s: malformed case: %s\n" % (path, case.line, case.name, case.error))
                continue
            try:
                result = run_case(case, server, env)
            except CaseError as e:
                failed += 1
                out.append("%s:%d: %s: malformed case: %s\n" % (path, case.line, case.name, e))
                continue
            if result is None:
                passed += 1
                continue
            failed += 1
            request, problems, body = result
            out.append("%s:%d: %s: %s: %s; body: %s\n" % (path, case.line, case.name, request, "; ".join(problems),
                                                            one_line(body)))
            err = server.stderr_since(offset)
            if err.strip():
                out.append("  stderr during the case:\n" + indent(err))
        problem = server.stop()
        if problem:
            failed += 1
            out.append("%s: shutdown: %s\n" % (path, problem))
            err = server.stderr_since(0)
            if err.strip():
                out.append("  stderr:\n" + indent(err))
    finally:
        if server.alive():
            server.proc.kill()
            server.proc.wait()
        server.close()
        if fixtures:
            fixtures.close()
    return passed, failed, "".join(out)


def indent(text):
    return "".join("    " + line + "\n" for line in text.rstrip("\n").split("\n"))


def collect(targets):
    files = []
    for t in targets:
        if os.path.isdir(t):
            files.extend(os.path.join(t, f) for f in sorted(os.listdir(t)) if f.endswith(".cases"))
        else:
            files.append(t)
    return files


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description="Run ssoemu end-to-end case files.")
    ap.add_argument("--bin", required=True, help="the ssoemu binary")
    ap.add_argument("--jobs", type=int, default=min(8, os.cpu_count() or 1), help="files run in parallel")
    ap.add_argument("targets", nargs="*", help="case files or directories (default: %s)" % os.path.join(here, "cases"))
    args = ap.parse_args()
    binary = os.path.abspath(args.bin)
    files = collect(args.targets or [os.path.join(here, "cases")])
    if not files:
        print("no case files found", file=sys.stderr)
        print("0 passed, 1 failed")
        return 1
    passed = failed = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        for p, f, report in pool.map(lambda path: run_file(binary, path), files):
            passed += p
            failed += f
            sys.stdout.write(report)
            sys.stdout.flush()
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
