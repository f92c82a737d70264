#!/usr/bin/env python3
"""Checks that docker/Dockerfile's build stage installs every -dev package of scripts/deps.sh that
building needs, so a library added to the build is not forgotten in the image (whose build would
then fail only where Docker runs). Sanitizer runtimes are for the test builds only.

  deps_lint.py SOURCE_ROOT
"""

import os
import re
import sys

NOT_FOR_THE_IMAGE = re.compile(r"^libclang-rt-[0-9]+-dev$")


def deps_packages(path):
    text = open(path).read()
    m = re.search(r"^packages=\((.*?)^\)", text, re.S | re.M)
    if not m:
        raise SystemExit("%s: no packages=( ... ) array" % path)
    body = "\n".join(line.split("#", 1)[0] for line in m.group(1).splitlines())
    return body.split()


def build_stage_packages(path):
    text = open(path).read()
    m = re.search(r"^FROM\s+\S+\s+AS\s+build\s*$(.*?)^FROM\s", text, re.S | re.M | re.I)
    if not m:
        raise SystemExit("%s: no build stage" % path)
    stage = m.group(1).replace("\\\n", " ")
    pkgs = set()
    for install in re.findall(r"apt-get install([^&\n]*)", stage):
        pkgs.update(w for w in install.split() if not w.startswith("-"))
    return pkgs


def main():
    root = sys.argv[1]
    needed = [p for p in deps_packages(os.path.join(root, "scripts", "deps.sh"))
              if p.endswith("-dev") and not NOT_FOR_THE_IMAGE.match(p)]
    have = build_stage_packages(os.path.join(root, "docker", "Dockerfile"))
    missing = [p for p in needed if p not in have]
    if not needed:
        print("FAIL: no -dev package found in scripts/deps.sh")
        return 1
    if missing:
        print("FAIL: docker/Dockerfile's build stage does not install %s (from scripts/deps.sh)"
              % " ".join(missing))
        return 1
    print("ok: the build stage installs the %d -dev packages of scripts/deps.sh: %s"
          % (len(needed), " ".join(needed)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
