#!/usr/bin/env python3
"""Writes tests/e2e/data/discovery.json for discovery.cases: the default fixtures with the SDK's
"member actions" setting off (discovery must not depend on it) and a third organization, Globex Labs,
that shares Globex's email domain (stored in upper case) and holds an active OIDC connection and a
pending SAML one. Deterministic: running it again gives the same file.

Usage: make_discovery_fixture.py [OUTPUT]   (default: discovery.json next to this script)
"""

import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT = os.path.join(HERE, "..", "..", "..", "fixtures", "default.json")

ORG_LABS = "organization-test-cccccccc-0000-4000-8000-000000000003"


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "discovery.json")
    with open(DEFAULT, encoding="utf-8") as f:
        doc = json.load(f)
    doc["project"]["sdk_member_actions_enabled"] = False
    doc["organizations"].append({
        "organization_id": ORG_LABS,
        "organization_slug": "globex-labs",
        "organization_name": "Globex Labs",
        "email_allowed_domains": ["labs.test", "GLOBEX.TEST"],
    })
    doc["oidc_connections"].append({
        "connection_id": "oidc-connection-test-cccccccc-0000-4000-8000-00000000c003",
        "organization_id": ORG_LABS,
        "display_name": "Labs Keycloak",
        "identity_provider": "keycloak",
        "client_id": "labs-client",
        "client_secret": "labs-secret",
        "issuer": "https://sso.labs.test/realms/labs",
        "authorization_url": "https://sso.labs.test/realms/labs/protocol/openid-connect/auth",
        "token_url": "https://sso.labs.test/realms/labs/protocol/openid-connect/token",
        "userinfo_url": "https://sso.labs.test/realms/labs/protocol/openid-connect/userinfo",
        "jwks_url": "https://sso.labs.test/realms/labs/protocol/openid-connect/certs",
    })
    doc["saml_connections"].append({
        "connection_id": "saml-connection-test-cccccccc-0000-4000-8000-00000000c004",
        "organization_id": ORG_LABS,
        "display_name": "Labs pending SAML",
        "identity_provider": "generic",
    })
    with open(out, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
