#!/usr/bin/env python3
"""Writes a fixtures document for the benchmarks: the default fixtures plus generated organizations,
each with one stytch_admin member and a never-expiring session, and optionally OIDC connections.

  gen_fixtures.py --orgs 1000 --hot-orgs 10 --hot-conns 10 --total-conns 100000 -o big.json

Organization i has id organization-test-00000000-0000-4000-8000-<i:012>, slug bench-<i> and session
token bench-session-<i>. The first --hot-orgs organizations get --hot-conns OIDC connections each; the
rest of --total-conns are spread evenly over the other organizations.
"""
import argparse
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def org_id(i):
    return "organization-test-00000000-0000-4000-8000-%012d" % i


def session_token(i):
    return "bench-session-%d" % i


def build(orgs, hot_orgs, hot_conns, total_conns):
    with open(os.path.join(ROOT, "fixtures", "default.json")) as f:
        doc = json.load(f)
    for i in range(orgs):
        oid = org_id(i)
        doc["organizations"].append({
            "organization_id": oid,
            "organization_slug": "bench-%d" % i,
            "organization_name": "Bench %d" % i,
            "email_allowed_domains": ["bench%d.test" % i],
        })
        mid = "member-test-00000000-0000-4000-8000-%012d" % i
        doc["members"].append({
            "member_id": mid,
            "organization_id": oid,
            "email_address": "admin@bench%d.test" % i,
            "name": "Admin %d" % i,
            "roles": ["stytch_admin"],
        })
        doc["sessions"].append({
            "session_token": session_token(i),
            "member_session_id": "member-session-test-00000000-0000-4000-8000-%012d" % i,
            "member_id": mid,
            "expires_at": None,
        })
    n = 0

    def conn(i):
        nonlocal n
        n += 1
        doc["oidc_connections"].append({
            "connection_id": "oidc-connection-test-00000000-0000-4000-8000-%012d" % n,
            "organization_id": org_id(i),
            "display_name": "Bench OIDC %d" % n,
            "identity_provider": "okta",
            "client_id": "client-%d" % n,
            "issuer": "https://idp%d.bench.test" % n,
        })

    for i in range(min(hot_orgs, orgs)):
        for _ in range(hot_conns):
            conn(i)
    cold = orgs - hot_orgs
    rest = max(0, total_conns - n)
    if cold > 0:
        for k in range(rest):
            conn(hot_orgs + k % cold)
    return doc


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--orgs", type=int, default=1000)
    ap.add_argument("--hot-orgs", type=int, default=0)
    ap.add_argument("--hot-conns", type=int, default=0)
    ap.add_argument("--total-conns", type=int, default=0)
    ap.add_argument("-o", "--output", required=True)
    a = ap.parse_args()
    doc = build(a.orgs, a.hot_orgs, a.hot_conns, a.total_conns)
    with open(a.output, "w") as f:
        json.dump(doc, f, separators=(",", ":"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
