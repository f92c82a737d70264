#!/usr/bin/env python3
"""Builds docker/Dockerfile and runs the image: health, the five seed calls with curl, the options
as SSOEMU_* variables (those of docker/compose.yaml), a --db file in the volume across a restart.

Uses the Docker daemon DOCKER_HOST (or the default socket) names when one answers. Otherwise, as
root, it starts its own dockerd (vfs storage, no bridge, no iptables, host networking; socket and
run state in a temporary directory, stopped at the end) whose image store is kept in the cache
directory, so the base image and the apt layers are built once. When the store has no
debian:bookworm-slim it makes one: debootstrap --variant=minbase bookworm from the Debian mirror of
/etc/apt/sources.list*, slimmed like the official image and imported under that name (the
tarball is cached for the day), so the Dockerfile stays the one that works with a registry.
Exits 77 (meson: skipped), saying why, when this machine cannot run containers.

  run.py --source-root DIR [--cache-dir DIR]     (cache: $SSOEMU_DOCKER_CACHE or ~/.cache/ssoemu-docker)
"""

import argparse
import datetime
import fcntl
import glob
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

import yaml

SKIP = 77
IMAGE = "ssoemu:docker-test"
BUILD_IMAGE = "ssoemu:docker-test-build"
BASE = "debian:bookworm-slim"
LABEL = "ssoemu-docker-test"
BASE_FORMAT = "3-"  # changes when make_base() makes the base image differently
PT = "public-token-test-11111111-1111-4111-8111-111111111111"
ORG_ACME = "organization-test-aaaaaaaa-0000-4000-8000-000000000001"
ORG_GLOBEX = "organization-test-bbbbbbbb-0000-4000-8000-000000000002"
GLOBEX_SAML = "saml-connection-test-bbbbbbbb-0000-4000-8000-00000000c001"
UUID = "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"

# What the official slim image leaves out (its /etc/dpkg/dpkg.cfg.d/docker).
DPKG_EXCLUDES = """path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/locale/*
"""


class Skip(Exception):
    pass


class Failure(Exception):
    pass


def log(msg):
    print(msg, flush=True)


def check(cond, what):
    if not cond:
        raise Failure(what)
    log("ok: " + what)


def run(cmd, env=None, timeout=120, check_rc=True, stdin=None):
    """Runs cmd; returns the CompletedProcess (text). Raises Failure when it fails and check_rc."""
    try:
        p = subprocess.run(cmd, env=env, stdin=stdin if stdin is not None else subprocess.DEVNULL,
                           capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise Failure("timed out after %ds: %s" % (timeout, " ".join(cmd)))
    if check_rc and p.returncode != 0:
        raise Failure("%s: exit %d\n%s%s" % (" ".join(cmd), p.returncode, p.stdout[-3000:], p.stderr[-3000:]))
    return p


def tail(path, n=15):
    try:
        with open(path, errors="replace") as f:
            return "".join(f.readlines()[-n:])
    except OSError:
        return ""


def debian_mirrors():
    """(archive URI, security URI or None) from this machine's apt sources."""
    archive = security = None
    entries = []
    for path in sorted(glob.glob("/etc/apt/sources.list.d/*.sources")):
        with open(path) as f:
            for stanza in f.read().split("\n\n"):
                fields = {}
                for line in stanza.splitlines():
                    m = re.match(r"^([A-Za-z-]+):\s*(.*)$", line)
                    if m:
                        fields[m.group(1).lower()] = m.group(2).split()
                if "deb" in fields.get("types", []) and fields.get("enabled", ["yes"]) != ["no"]:
                    for uri in fields.get("uris", []):
                        entries.append((uri, fields.get("suites", [])))
    for path in ["/etc/apt/sources.list"] + sorted(glob.glob("/etc/apt/sources.list.d/*.list")):
        try:
            lines = open(path).read().splitlines()
        except OSError:
            continue
        for line in lines:
            m = re.match(r"^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)", line)
            if m:
                entries.append((m.group(1), [m.group(2)]))
    for uri, suites in entries:
        if archive is None and "bookworm" in suites:
            archive = uri
        if security is None and "bookworm-security" in suites:
            security = uri
    return archive or "http://deb.debian.org/debian", security


class Docker:
    """A Docker daemon to talk to: the one already running, or one started here."""

    def __init__(self, cache_dir):
        self.cache_dir = cache_dir
        self.env = dict(os.environ)
        self.env["DOCKER_BUILDKIT"] = "0"  # the builder every daemon has; no buildx needed
        self.own = None  # (Popen, temp dir, lock file) when started here
        self.lock = None

    def cli(self, *args, timeout=120, check_rc=True, stdin=None):
        return run(["docker"] + list(args), env=self.env, timeout=timeout, check_rc=check_rc, stdin=stdin)

    def answers(self):
        return self.cli("version", "--format", "{{.Server.Version}}", timeout=30, check_rc=False).returncode == 0

    def start(self):
        if shutil.which("docker") is None:
            raise Skip("no docker command (Debian's docker.io, scripts/deps.sh)")
        if self.answers():
            log("using the running Docker daemon")
            return
        if os.geteuid() != 0:
            raise Skip("no Docker daemon answers and starting one needs root")
        dockerd = shutil.which("dockerd")
        if dockerd is None:
            raise Skip("no Docker daemon answers and there is no dockerd (Debian's docker.io)")
        tmp = tempfile.mkdtemp(prefix="ssoemu-docker-")
        data_root = self.data_root(tmp)
        sock = os.path.join(tmp, "docker.sock")
        logpath = os.path.join(tmp, "dockerd.log")
        cmd = [dockerd, "--storage-driver", "vfs", "--iptables=false", "--ip6tables=false",
               "--bridge=none", "--data-root", data_root, "--exec-root", os.path.join(tmp, "exec"),
               "--pidfile", os.path.join(tmp, "dockerd.pid"), "-H", "unix://" + sock]
        logf = open(logpath, "w")
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=logf, stderr=subprocess.STDOUT,
                                start_new_session=True)
        logf.close()
        self.own = (proc, tmp)
        self.env["DOCKER_HOST"] = "unix://" + sock
        log("started dockerd (pid %d): %s" % (proc.pid, " ".join(cmd)))
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise Skip("dockerd exited with %d at start:\n%s" % (proc.returncode, tail(logpath)))
            if os.path.exists(sock) and self.answers():
                return
            time.sleep(0.5)
        raise Skip("dockerd did not answer within 60 s:\n" + tail(logpath))

    def data_root(self, tmp):
        """The image store: the cache's, unless another run holds it (then a temporary one)."""
        os.makedirs(self.cache_dir, exist_ok=True)
        self.lock = open(os.path.join(self.cache_dir, "lock"), "w")
        deadline = time.monotonic() + 300
        while True:
            try:
                fcntl.flock(self.lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return os.path.join(self.cache_dir, "data-root")
            except BlockingIOError:
                if time.monotonic() > deadline:
                    log("the cached image store is in use; using a temporary one")
                    self.lock.close()
                    self.lock = None
                    return os.path.join(tmp, "data-root")
                time.sleep(2)

    def stop(self):
        if self.own is None:
            return
        proc, tmp = self.own
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        # dockerd ran its own containerd; it stops with it, but not if dockerd had to be killed.
        for pidfile in glob.glob(os.path.join(tmp, "exec", "containerd", "containerd.pid")):
            try:
                pid = int(open(pidfile).read().strip())
                os.kill(pid, signal.SIGTERM)
            except (OSError, ValueError):
                pass
        log("stopped dockerd (pid %d)" % proc.pid)
        # dockerd leaves its default network namespace mounted under the exec root.
        with open("/proc/self/mountinfo") as f:
            mounts = [line.split()[4] for line in f]
        for mnt in sorted((m for m in mounts if m.startswith(tmp + "/")), reverse=True):
            run(["umount", "-l", mnt], check_rc=False)
        shutil.rmtree(tmp, ignore_errors=True)
        if self.lock is not None:
            self.lock.close()
        self.own = None

    def image_label(self, image, label):
        p = self.cli("image", "inspect", "--format", "{{json .Config.Labels}}", image, check_rc=False)
        if p.returncode != 0:
            return None
        labels = json.loads(p.stdout or "null") or {}
        return labels.get(label, "")


def make_base(docker):
    """Makes sure the daemon has debian:bookworm-slim; builds today's from debootstrap if needed."""
    key = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%d")
    have = docker.image_label(BASE, "ssoemu.base")
    if have is not None and (docker.own is None or have in ("", BASE_FORMAT + key)):
        # A real one (no label), or ours of today.
        log("base image %s is there" % BASE)
        return
    if os.geteuid() != 0 or shutil.which("debootstrap") is None:
        p = docker.cli("pull", BASE, timeout=300, check_rc=False)
        if p.returncode != 0:
            raise Skip("no %s image, it cannot be pulled (%s) and debootstrap needs root and the "
                       "debootstrap package" % (BASE, p.stderr.strip()[-300:]))
        return
    basedir = os.path.join(docker.cache_dir, "base")
    os.makedirs(basedir, exist_ok=True)
    tarball = os.path.join(basedir, "debian-bookworm-minbase-%s%s.tar" % (BASE_FORMAT, key))
    if not os.path.exists(tarball):
        for old in glob.glob(os.path.join(basedir, "debian-bookworm-minbase-*.tar*")):
            os.unlink(old)
        archive, security = debian_mirrors()
        start = time.monotonic()
        rootfs = tempfile.mkdtemp(prefix="ssoemu-rootfs-")
        try:
            p = run(["debootstrap", "--variant=minbase", "bookworm", rootfs, archive],
                    timeout=900, check_rc=False)
            if p.returncode != 0:
                raise Skip("debootstrap bookworm from %s failed (exit %d):\n%s"
                           % (archive, p.returncode, (p.stdout + p.stderr)[-1500:]))
            slim(rootfs, archive, security)
            run(["tar", "--numeric-owner", "-C", rootfs, "-cf", tarball + ".part", "."], timeout=300)
            os.rename(tarball + ".part", tarball)
        finally:
            shutil.rmtree(rootfs, ignore_errors=True)
        log("debootstrap from %s: %.0f s" % (archive, time.monotonic() - start))
    with open(tarball, "rb") as f:
        docker.cli("import", "--change", "LABEL ssoemu.base=" + BASE_FORMAT + key,
                   "--change", "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                   "--change", 'CMD ["bash"]', "-", BASE, timeout=300, stdin=f)
    log("imported %s from %s" % (BASE, tarball))


def slim(rootfs, archive, security):
    """Makes a debootstrap tree look like the official slim image: its apt sources and excludes."""
    os.chmod(rootfs, 0o755)  # mkdtemp's 0700 would become the image's /
    sources = ("Types: deb\nURIs: %s\nSuites: bookworm bookworm-updates\nComponents: main\n"
               "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n" % archive)
    if security:
        sources += ("\nTypes: deb\nURIs: %s\nSuites: bookworm-security\nComponents: main\n"
                    "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n" % security)
    with open(os.path.join(rootfs, "etc/apt/sources.list.d/debian.sources"), "w") as f:
        f.write(sources)
    try:
        os.unlink(os.path.join(rootfs, "etc/apt/sources.list"))
    except FileNotFoundError:
        pass
    with open(os.path.join(rootfs, "etc/dpkg/dpkg.cfg.d/docker"), "w") as f:
        f.write(DPKG_EXCLUDES)
    script = r"""set -e
cd "$1"
find usr/share/doc -mindepth 1 -not -type d -not -name copyright -delete
find usr/share/doc -mindepth 1 -type d -empty -delete
rm -rf usr/share/man/* usr/share/groff/* usr/share/info/* usr/share/lintian/* usr/share/linda/* usr/share/locale/*
rm -rf var/lib/apt/lists/* var/cache/apt/*.bin var/cache/apt/archives/*.deb var/log/*.log var/log/apt/* tmp/*
"""
    run(["sh", "-c", script, "sh", rootfs])


def free_port():
    """A port free on every address (the container listens on 0.0.0.0 of this machine)."""
    with socket.socket() as s:
        s.bind(("0.0.0.0", 0))
        return s.getsockname()[1]


def outside_address():
    """An address of this machine that is not loopback (None without a route out)."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("192.0.2.1", 9))  # TEST-NET-1: nothing is sent
            addr = s.getsockname()[0]
    except OSError:
        return None
    return None if addr.startswith("127.") else addr


def curl(port, method, path, auth=None, body=None, headers=(), addr="127.0.0.1"):
    """One request with curl; returns (status, parsed JSON body or None)."""
    cmd = ["curl", "-sS", "--max-time", "30", "-X", method, "-o", "-", "-w", "\n%{http_code}",
           "http://%s:%d%s" % (addr, port, path)]
    if auth:
        cmd += ["-u", auth]
    for h in headers:
        cmd += ["-H", h]
    if body is not None:
        cmd += ["-H", "Content-Type: application/json", "--data-binary", json.dumps(body)]
    p = run(cmd, timeout=40)
    text, _, status = p.stdout.rpartition("\n")
    try:
        doc = json.loads(text)
    except ValueError:
        doc = None
    return int(status), doc


def expand(value, env):
    """Compose's ${VAR}, ${VAR:-default}, ${VAR:?message} in a value."""
    def sub(m):
        name, op, arg = m.group(1), m.group(2), m.group(3)
        if env.get(name):
            return env[name]
        if op == ":?":
            raise Failure("compose.yaml needs %s: %s" % (name, arg))
        return arg or ""
    return re.sub(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:[-?])([^}]*))?\}", sub, str(value))


def compose_service(source_root, env):
    """docker/compose.yaml's ssoemu service: (environment dict, volume target)."""
    with open(os.path.join(source_root, "docker", "compose.yaml")) as f:
        doc = yaml.safe_load(f)
    svc = doc["services"]["ssoemu"]
    check(svc["build"]["dockerfile"] == "docker/Dockerfile", "compose.yaml builds docker/Dockerfile")
    environment = {k: expand(v, env) for k, v in svc["environment"].items()}
    volumes = [v for v in svc["volumes"] if v.split(":")[0] in doc.get("volumes", {})]
    check(len(volumes) == 1, "compose.yaml keeps a named volume")
    target = volumes[0].split(":")[1]
    check(environment.get("SSOEMU_DB", "").startswith(target + "/"), "compose.yaml's --db file is in the volume")
    check("ssoemu" in environment.get("SSOEMU_ALLOWED_HOSTS", "").split(","),
          "compose.yaml allows the Host name of its service")
    return environment, target


class Container:
    """ssoemu on a free port of the host's network, healthy. A port taken between the probe and
    the container's bind (other servers run on this machine) is retried with another one."""

    def __init__(self, docker, name, env, volume, target, args=()):
        self.docker, self.name = docker, name
        for attempt in range(3):
            self.port = free_port()
            cmd = ["run", "-d", "--name", name, "--label", LABEL, "--network", "host",
                   "--health-interval", "1s", "--health-start-period", "30s",
                   "-v", "%s:%s" % (volume, target)]
            for k, v in dict(env, SSOEMU_PORT=str(self.port)).items():
                cmd += ["-e", "%s=%s" % (k, v)]
            docker.cli(*(cmd + [IMAGE] + list(args)))
            try:
                self.wait_healthy()
                return
            except Failure:
                _, err = self.logs()
                if "Address already in use" not in err or attempt == 2:
                    raise
                docker.cli("rm", "-f", name)

    def logs(self):
        p = self.docker.cli("logs", self.name, check_rc=False)
        return p.stdout, p.stderr

    def state(self):
        p = self.docker.cli("inspect", "--format", "{{json .State}}", self.name)
        return json.loads(p.stdout)

    def wait_healthy(self):
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            st = self.state()
            if not st["Running"]:
                out, err = self.logs()
                raise Failure("container %s exited with %s:\n%s%s" % (self.name, st["ExitCode"], out, err))
            if st.get("Health", {}).get("Status") == "healthy":
                break
            time.sleep(0.5)
        else:
            raise Failure("container %s not healthy within 90 s: %s" % (self.name, self.state().get("Health")))
        out, _ = self.logs()
        first = out.splitlines()[0] if out else ""
        check(first == "ssoemu listening on http://0.0.0.0:%d" % self.port,
              "first stdout line is the listening line: %r" % first)

    def stop(self):
        self.docker.cli("stop", "--time", "20", self.name, timeout=60)
        st = self.state()
        check(st["ExitCode"] == 0 and not st["OOMKilled"], "docker stop: exit 0 (SIGTERM handled)")


def seed_calls(port, env):
    """The five frontend SDK seed methods, as their wire calls; returns the ids made."""
    sdk = PT + ":session-acme-admin"
    st, doc = curl(port, "POST", "/sdk/v1/b2b/sso/saml", sdk, {"display_name": "Acme Okta", "identity_provider": "okta"})
    conn = (doc or {}).get("data", {}).get("connection", {})
    check(st == 200 and re.fullmatch("saml-connection-test-" + UUID, conn.get("connection_id", "")) is not None
          and conn.get("status") == "pending" and conn.get("organization_id") == ORG_ACME,
          "sso.saml.createConnection: 200, a pending Acme connection")
    saml = conn["connection_id"]

    st, doc = curl(port, "POST", "/sdk/v1/b2b/sso/external", sdk, {
        "display_name": "Globex via Acme", "external_organization_id": ORG_GLOBEX,
        "external_connection_id": GLOBEX_SAML})
    conn = (doc or {}).get("data", {}).get("connection", {})
    check(st == 200 and re.fullmatch("external-connection-test-" + UUID, conn.get("connection_id", "")) is not None
          and conn.get("external_connection_id") == GLOBEX_SAML,
          "sso.external.createConnection: 200, pointing at Globex's SAML connection")
    ext = conn["connection_id"]

    st, doc = curl(port, "PUT", "/sdk/v1/b2b/sso/external/" + ext, sdk, {
        "display_name": "Renamed",
        "external_group_implicit_role_assignments": [{"role_id": "stytch_admin", "group": "admins"}]})
    conn = (doc or {}).get("data", {}).get("connection", {})
    check(st == 200 and conn.get("display_name") == "Renamed"
          and conn.get("external_group_implicit_role_assignments") == [{"role_id": "stytch_admin", "group": "admins"}],
          "sso.external.updateConnection: 200, renamed, group role set")

    st, doc = curl(port, "POST", "/sdk/v1/b2b/scim", sdk, {"display_name": "Acme SCIM", "identity_provider": "okta"})
    conn = (doc or {}).get("data", {}).get("connection", {})
    check(st == 200 and re.fullmatch("scim-connection-test-" + UUID, conn.get("connection_id", "")) is not None
          and re.fullmatch("[A-Za-z0-9]{48}", conn.get("bearer_token", "")) is not None,
          "scim.createConnection: 200, with its bearer token")
    scim = conn["connection_id"]

    st, doc = curl(port, "GET", "/sdk/v1/b2b/sso", sdk)
    data = (doc or {}).get("data", {})
    check(st == 200 and [c["connection_id"] for c in data.get("saml_connections", [])] == [saml]
          and [c["connection_id"] for c in data.get("external_connections", [])] == [ext],
          "sso.getConnections: 200, the two new connections")

    st, doc = curl(port, "POST", "/sdk/v1/b2b/sso/saml", PT + ":session-acme-member", {})
    check(st == 403 and (doc or {}).get("error_type") == "session_authorization_error",
          "a member without the permission gets 403 session_authorization_error")
    return saml, ext, scim


def control_checks(port, token, hardened):
    st, doc = curl(port, "GET", "/_emulator/config")
    check(st == 401 and (doc or {}).get("error_type") == "unauthorized_credentials",
          "SSOEMU_ADMIN_TOKEN: the control API without the token is 401 unauthorized_credentials")
    st, doc = curl(port, "GET", "/_emulator/config", headers=["Authorization: Bearer " + token])
    check(st == 200 and "rate_limit" in (doc or {}), "SSOEMU_ADMIN_TOKEN: with the token, 200")
    st, doc = curl(port, "GET", "/_emulator/health", headers=["Host: ssoemu:%d" % port])
    check(st == 200, "Host: the compose service name is accepted")
    st, doc = curl(port, "GET", "/sdk/v1/b2b/sso", PT + ":session-acme-admin", headers=["Host: ssoemu:%d" % port])
    check(st == 200, "Host: the compose service name is accepted on /sdk/v1")
    if not hardened:
        log("note: this ssoemu has no --allowed-hosts; the Host and protected-mode checks are left out")
        return
    st, doc = curl(port, "GET", "/sdk/v1/b2b/sso", PT + ":session-acme-admin", headers=["Host: elsewhere.example"])
    check(st == 403 and (doc or {}).get("error_type") == "host_not_allowed",
          "Host: a name not allowed is 403 host_not_allowed")


def protected_mode_checks(port):
    """Without an admin token on 0.0.0.0: the control API answers loopback clients only."""
    st, _ = curl(port, "GET", "/_emulator/config")
    check(st == 200, "protected mode: a loopback client may use the control API without a token")
    addr = outside_address()
    if addr is None:
        log("note: no non-loopback address here; protected mode from outside is not checked")
        return
    st, doc = curl(port, "GET", "/_emulator/config", addr=addr)
    check(st == 403 and (doc or {}).get("error_type") == "control_api_protected_mode",
          "protected mode: a client from %s gets 403 control_api_protected_mode" % addr)
    st, _ = curl(port, "GET", "/_emulator/health", addr=addr)
    check(st == 200, "protected mode: health stays open from %s" % addr)


def image_checks(docker):
    p = docker.cli("image", "inspect", "--format", "{{json .Config}}", IMAGE)
    cfg = json.loads(p.stdout)
    check(cfg.get("User") == "10001:10001", "the image runs as uid 10001, not root")
    check("SSOEMU_HOST=0.0.0.0" in cfg.get("Env", []), "the image listens on 0.0.0.0")
    check("/data" in (cfg.get("Volumes") or {}), "the image has the volume /data")
    hc = (cfg.get("Healthcheck") or {}).get("Test", [])
    check(any("/_emulator/health" in t for t in hc), "the image's HEALTHCHECK asks /_emulator/health")
    p = docker.cli("run", "--rm", "--label", LABEL, "--network", "host", "--entrypoint", "sh", IMAGE, "-c",
                   "dpkg-query -W -f '${Package}\\n'; echo ---; ldd /usr/local/bin/ssoemu; echo ---; "
                   "stat -c %u /data; command -v cc gcc meson || true; echo ---; ssoemu --help 2>&1")
    pkgs, lddout, rest, usage = p.stdout.split("---\n")
    pkgs = pkgs.split()
    check(not [x for x in pkgs if x.endswith("-dev") or x in ("gcc", "meson", "ninja-build", "pkg-config")],
          "the runtime image has no -dev package, compiler or meson (%d packages)" % len(pkgs))
    check("not found" not in lddout, "every library ssoemu links is in the runtime image")
    check(rest.split() == ["10001"], "/data belongs to the ssoemu user")
    return "--allowed-hosts" in usage


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--source-root", required=True)
    ap.add_argument("--cache-dir", default=os.environ.get("SSOEMU_DOCKER_CACHE")
                    or os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "ssoemu-docker"))
    args = ap.parse_args()
    source_root = os.path.abspath(args.source_root)
    t0 = time.monotonic()
    docker = Docker(args.cache_dir)
    volume = "ssoemu-docker-test-%d" % os.getpid()
    timings = []
    try:
        docker.start()
        # Leftovers of a run that was killed.
        p = docker.cli("ps", "-aq", "--filter", "label=" + LABEL)
        if p.stdout.split():
            docker.cli("rm", "-f", *p.stdout.split())
        make_base(docker)
        p = docker.cli("run", "--rm", "--label", LABEL, "--network", "host", BASE, "true", check_rc=False, timeout=60)
        if p.returncode != 0:
            raise Skip("the daemon runs, but a container does not: " + (p.stderr.strip()[-800:]))
        timings.append(("daemon and base image", time.monotonic() - t0))

        t = time.monotonic()
        # The build stage gets a name of its own so that pruning old images keeps its layers.
        for extra in (["--target", "build", "-t", BUILD_IMAGE], ["-t", IMAGE]):
            p = docker.cli("build", "--network", "host", "-f", os.path.join(source_root, "docker", "Dockerfile"),
                           *extra, source_root, timeout=1200, check_rc=False)
            if p.returncode != 0:
                raise Failure("docker build %s failed:\n%s%s" % (" ".join(extra), p.stdout[-4000:], p.stderr[-3000:]))
        timings.append(("docker build", time.monotonic() - t))
        log("ok: docker build -f docker/Dockerfile %s" % source_root)
        if docker.own is not None:
            docker.cli("image", "prune", "-f", check_rc=False)

        t = time.monotonic()
        hardened = image_checks(docker)
        token = secrets.token_hex(16)
        env, target = compose_service(source_root, {"SSOEMU_ADMIN_TOKEN": token})
        docker.cli("volume", "create", "--label", LABEL, volume)

        first = Container(docker, "ssoemu-docker-test-1-%d" % os.getpid(), env, volume, target)
        p = docker.cli("exec", first.name, "id", "-u")
        check(p.stdout.strip() == "10001", "the server runs as uid 10001")
        saml, ext, scim = seed_calls(first.port, env)
        control_checks(first.port, token, hardened)
        first.stop()
        docker.cli("rm", first.name)
        log("the first container is removed; the volume %s stays" % volume)

        # A new container on the same volume: the state made before is there. Arguments after
        # the image win over the variables. No admin token this time: protected mode.
        env2 = dict(env, SSOEMU_LOG_FORMAT="text")
        del env2["SSOEMU_ADMIN_TOKEN"]
        second = Container(docker, "ssoemu-docker-test-2-%d" % os.getpid(), env2, volume, target,
                           args=["--log-format", "json"])
        sdk = PT + ":session-acme-admin"
        st, doc = curl(second.port, "GET", "/sdk/v1/b2b/sso", sdk)
        data = (doc or {}).get("data", {})
        check(st == 200 and [c["connection_id"] for c in data.get("saml_connections", [])] == [saml]
              and [(c["connection_id"], c["display_name"]) for c in data.get("external_connections", [])] == [(ext, "Renamed")],
              "after the restart: the SAML and the updated External connection are in the --db file")
        st, doc = curl(second.port, "GET", "/sdk/v1/b2b/scim", sdk)
        check(st == 200 and (doc or {}).get("data", {}).get("connection", {}).get("connection_id") == scim,
              "after the restart: the SCIM connection is there")
        if hardened:
            protected_mode_checks(second.port)
        second.stop()
        _, err = second.logs()
        lines = [l for l in err.splitlines() if l.startswith("{")]
        check(lines and all(json.loads(l).get("path") for l in lines),
              "--log-format json given after the image wins over SSOEMU_LOG_FORMAT=text")
        docker.cli("rm", second.name)
        timings.append(("containers and calls", time.monotonic() - t))
    except Skip as e:
        log("SKIPPED: the Docker image test cannot run here: %s" % e)
        return SKIP
    except Failure as e:
        log("FAIL: %s" % e)
        return 1
    finally:
        try:
            if docker.answers():
                p = docker.cli("ps", "-aq", "--filter", "label=" + LABEL, check_rc=False)
                if p.stdout.split():
                    docker.cli("rm", "-f", *p.stdout.split(), check_rc=False)
                docker.cli("volume", "rm", "-f", volume, check_rc=False)
        finally:
            docker.stop()
    for what, secs in timings:
        log("time: %s %.0f s" % (what, secs))
    log("time: total %.0f s" % (time.monotonic() - t0))
    return 0


if __name__ == "__main__":
    sys.exit(main())
