#!/usr/bin/env python3
"""Writes tests/e2e/data/scim-groups.json: the default fixtures plus a SCIM connection for Acme with a
known bearer token and 250 groups, for the SCIM paging cases (scim.cases). Deterministic: running it
again gives the same file.

Usage: make_scim_fixture.py [OUTPUT]   (default: scim-groups.json next to this script)
"""

import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT = os.path.join(HERE, "..", "..", "..", "fixtures", "default.json")

ORG_ACME = "organization-test-aaaaaaaa-0000-4000-8000-000000000001"
CONNECTION_ID = "scim-connection-test-aaaaaaaa-0000-4000-8000-00000000e001"
BEARER_TOKEN = "scimTokenAcmeFixture0123456789abcdefghijklmnopqr"  # 48 characters of [A-Za-z0-9]
GROUPS = 250


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "scim-groups.json")
    with open(DEFAULT, encoding="utf-8") as f:
        doc = json.load(f)
    doc["scim_connections"] = [{
        "connection_id": CONNECTION_ID,
        "organization_id": ORG_ACME,
        "display_name": "Acme Okta SCIM",
        "identity_provider": "okta",
        "bearer_token": BEARER_TOKEN,
    }]
    # Ids are not created in their sort order, so paging (by group_id) is not insertion order. A
    # group's name is its rank in group_id order ("Group 000" first), so a case can state which groups
    # a page must hold, in order.
    ids = ["scim-group-test-aaaaaaaa-0000-4000-8000-%012d" % ((i * 7919) % 1000003) for i in range(1, GROUPS + 1)]
    rank = {gid: n for n, gid in enumerate(sorted(ids))}
    doc["scim_groups"] = [{
        "group_id": gid,
        "connection_id": CONNECTION_ID,
        "group_name": "Group %03d" % rank[gid],
    } for gid in ids]
    with open(out, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
