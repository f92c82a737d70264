#!/usr/bin/env python3
"""Makes the fuzzer's seed corpus (tests/fuzz/corpus/) from the end-to-end case files: one input per
case, in the format tests/fuzz/fuzz_pipeline.c decodes (method byte, credentials byte, flags byte,
then path, header lines, an empty line and the body). Captured ${names} become the fixtures' ids.

  make_corpus.py [CASES_DIR] [CORPUS_DIR]
"""
import hashlib
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "TRACE"]
# Index of each credential in fuzz_pipeline.c's table.
CREDS = {
    "none": 0,
    "api": 1,
    "sdk session-acme-admin": 3,
    "sdk session-acme-member": 4,
    "sdk session-acme-sso-manager": 5,
    "sdk session-globex-admin": 6,
    "sdk-public": 7,
    "api-member session-acme-member": 12,
    "api-member session-globex-admin": 13,
}
VARS = {
    "org_acme": "organization-test-aaaaaaaa-0000-4000-8000-000000000001",
    "org_globex": "organization-test-bbbbbbbb-0000-4000-8000-000000000002",
}
SAML = "saml-connection-test-bbbbbbbb-0000-4000-8000-00000000c001"
OIDC = "oidc-connection-test-bbbbbbbb-0000-4000-8000-00000000c002"


def subst(text):
    def one(m):
        name = m.group(1)
        if name in VARS:
            return VARS[name]
        if "oidc" in name:
            return OIDC
        if "scim" in name:
            return "scim-connection-test-00000000-0000-4000-8000-000000000000"
        return SAML
    return re.sub(r"\$\{([^}]+)\}", one, text)


def cases(path):
    with open(path, encoding="utf-8") as f:
        block = []
        for line in f.read().split("\n") + [""]:
            if line.strip() == "":
                if block:
                    yield block
                block = []
            elif not line.startswith("#"):
                block.append(line)


def encode(block):
    method = path = None
    auth, headers, body = "none", [], ""
    for line in block:
        key, _, value = line.partition(":")
        value = value.strip()
        if key == "request":
            method, _, path = value.partition(" ")
        elif key == "auth":
            auth = value
        elif key == "header":
            headers.append(value)
        elif key == "body":
            body = value
    if not method or not path:
        return None
    m = METHODS.index(method) if method in METHODS else 7
    if auth.startswith("basic ") or auth.startswith("bearer "):
        c = 9
        headers.append("Authorization: " + ("Bearer " + auth[7:] if auth.startswith("bearer ") else "Basic x"))
    else:
        c = CREDS.get(auth, 0)
    flags = 1 if body else 0
    text = subst(path) + "\n" + "".join(subst(h) + "\n" for h in headers) + "\n" + subst(body)
    return bytes([m, c, flags]) + text.encode()


def main():
    cases_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "tests", "e2e", "cases")
    out = sys.argv[2] if len(sys.argv) > 2 else os.path.join(HERE, "corpus")
    os.makedirs(out, exist_ok=True)
    n = 0
    for name in sorted(os.listdir(cases_dir)):
        if not name.endswith(".cases"):
            continue
        for block in cases(os.path.join(cases_dir, name)):
            data = encode(block)
            if data is None:
                continue
            digest = hashlib.sha1(data).hexdigest()
            with open(os.path.join(out, digest), "wb") as f:
                f.write(data)
            n += 1
    print("%d inputs in %s" % (n, out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
