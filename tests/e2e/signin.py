#!/usr/bin/env python3
"""Sign-in end to end against the real binary, headless (SIGNIN.md): sso/start, the built-in SAML and
OIDC IdPs, the callbacks, sso/authenticate, the control calls, and every error of section 7 the
built-in IdP or a plain HTTP client can provoke.

Usage: signin.py --bin PATH
Prints one line per failure and a summary; exits 1 on failure.
"""

import argparse
import base64
import hashlib
import http.client
import json
import os
import re
import select
import subprocess
import sys
import time
import urllib.parse

PROJECT_ID = "project-test-11111111-1111-4111-8111-111111111111"
SECRET = "secret-test-ssoemu-local-secret-0000000000000"
PT = "public-token-test-11111111-1111-4111-8111-111111111111"
ACME = "organization-test-aaaaaaaa-0000-4000-8000-000000000001"
GLOBEX = "organization-test-bbbbbbbb-0000-4000-8000-000000000002"
SAML = "saml-connection-test-bbbbbbbb-0000-4000-8000-00000000c001"
OIDC_PENDING = "oidc-connection-test-bbbbbbbb-0000-4000-8000-00000000c002"
OIDC = "oidc-connection-test-bbbbbbbb-0000-4000-8000-00000000c003"
APP = "http://localhost:3000/authenticate"
TIMEOUT = 15.0

failures = []
count = [0]


def basic(u, p):
    return "Basic " + base64.b64encode(("%s:%s" % (u, p)).encode()).decode()


API = {"Authorization": basic(PROJECT_ID, SECRET), "Content-Type": "application/json"}
SDK = {"Authorization": basic(PT, PT), "Content-Type": "application/json"}


class Server:
    def __init__(self, binary, extra=()):
        env = {k: v for k, v in os.environ.items() if not k.startswith("SSOEMU_")}
        self.proc = subprocess.Popen([binary, "--port", "0"] + list(extra), stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
        buf = b""
        deadline = time.monotonic() + 10
        while b"\n" not in buf:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.proc.stdout], [], [], left)[0]:
                self.stop()
                raise RuntimeError("no listening line")
            buf += os.read(self.proc.stdout.fileno(), 4096)
        self.port = int(re.search(rb":(\d+)\s*$", buf.split(b"\n")[0]).group(1))

    def stop(self):
        """Stops the server; returns its exit code (a sanitizer report makes it non-zero)."""
        self.proc.terminate()
        try:
            return self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            return None


S = None


def req(method, path, body=None, headers=None, form=None):
    """One request; returns (status, headers dict lower-cased, text, json or None)."""
    h = dict(headers or {})
    data = None
    if form is not None:
        data = urllib.parse.urlencode(form).encode()
        h["Content-Type"] = "application/x-www-form-urlencoded"
    elif body is not None:
        data = json.dumps(body).encode()
        h.setdefault("Content-Type", "application/json")
    c = http.client.HTTPConnection("127.0.0.1", S.port, timeout=TIMEOUT)
    c.request(method, path, body=data, headers=h)
    r = c.getresponse()
    text = r.read().decode("utf-8", "replace")
    hdrs = {k.lower(): v for k, v in r.getheaders()}
    c.close()
    try:
        js = json.loads(text)
    except ValueError:
        js = None
    return r.status, hdrs, text, js


def check(name, cond, detail=""):
    count[0] += 1
    if not cond:
        failures.append(name)
        print("FAIL %s %s" % (name, str(detail)[:400]))


def expect_error(name, res, status, error_type):
    st, _, text, js = res
    check(name, st == status and js is not None and js.get("error_type") == error_type,
          "got %s %s" % (st, text[:300]))


def start(**params):
    q = {"public_token": PT}
    q.update(params)
    return req("GET", "/v1/public/sso/start?" + urllib.parse.urlencode(q))


def follow(location, headers=None):
    """Follows a path-only (or self) Location."""
    u = urllib.parse.urlparse(location)
    return req("GET", u.path + ("?" + u.query if u.query else ""), headers=headers)


def preset(**p):
    st, _, text, js = req("POST", "/_emulator/sso/presets", body=p)
    check("preset accepted %s" % p, st == 200 and js["preset"]["id"].startswith("preset-"), text)


def sign_in(conn, **start_params):
    """start -> IdP -> callback; returns the callback's response."""
    st, h, text, _ = start(connection_id=conn, **start_params)
    if st != 302:
        return st, h, text, json.loads(text) if text.startswith("{") else None
    st, h, text, js = follow(h["location"])
    if st != 302:
        return st, h, text, js
    return follow(h["location"])


def token_of(res):
    st, h, text, js = res
    loc = h.get("location", "")
    q = urllib.parse.parse_qs(urllib.parse.urlparse(loc).query)
    return q.get("token", [None])[0], loc


def authenticate(token, sdk=True, **extra):
    body = {"sso_token": token, "session_duration_minutes": 60}
    body.update(extra)
    if sdk:
        return req("POST", "/sdk/v1/b2b/sso/authenticate", body=body, headers=SDK)
    return req("POST", "/v1/b2b/sso/authenticate", body=body, headers=API)


def reset():
    st, _, text, _ = req("POST", "/_emulator/reset")
    check("reset", st == 200, text)


# --- tests ---------------------------------------------------------------------------------------


def t_saml_login_and_authenticate():
    res = sign_in(SAML, provider_login_hint="grace@globex.test", login_redirect_url="http://localhost:3000/in?x=1")
    token, loc = token_of(res)
    check("saml login redirects to the login URL", res[0] == 302 and loc.startswith("http://localhost:3000/in?x=1&")
          and "stytch_token_type=sso" in loc and "slug=globex" in loc and token and len(token) == 44, loc)
    st, _, text, js = authenticate(token)
    d = (js or {}).get("data", {})
    check("sso.authenticate answers a session", st == 200 and d.get("member", {}).get("email_address") ==
          "grace@globex.test" and d.get("member_session") and d.get("session_token", "").startswith("session-test-")
          and d.get("session_jwt") and d.get("member_authenticated") is True and d.get("intermediate_session_token") == ""
          and "mfa_required" in d and d.get("organization", {}).get("sso_default_connection_id") == SAML, text)
    f = d.get("member_session", {}).get("authentication_factors", [{}])[0]
    check("factor names the connection", f.get("delivery_method") == "sso_saml" and
          f.get("saml_sso_factor", {}).get("provider_id") == SAML, f)
    check("member roles keep stytch_admin", any(r["role_id"] == "stytch_admin" for r in d.get("member", {}).get("roles", [])), d.get("member"))
    # The new session works like any other.
    st, _, text, _ = req("POST", "/sdk/v1/b2b/sessions/authenticate", body={},
                         headers={"Authorization": basic(PT, d.get("session_token", "x"))})
    sa = (json.loads(text) if st == 200 else {}).get("data", {})
    check("the SSO session authenticates with its factors", st == 200 and
          sa.get("member_session", {}).get("authentication_factors", [{}])[0].get("delivery_method") == "sso_saml", text[:300])
    jwt = d.get("session_jwt", "x.e30.x").split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(jwt + "=" * (-len(jwt) % 4)))
    check("the session JWT carries the SSO factor", claims["https://stytch.com/session"]["authentication_factors"][0]
          ["saml_sso_factor"]["provider_id"] == SAML, claims)
    expect_error("a used token", authenticate(token), 404, "sso_token_not_found")


def t_saml_jit_signup_and_roles():
    # Implicit role for the engineering group.
    st, _, text, _ = req("PUT", "/v1/b2b/sso/saml/%s/connections/%s" % (GLOBEX, SAML), headers=API,
                         body={"saml_group_implicit_role_assignments": [{"role_id": "sso_manager", "group": "engineering"}]})
    check("group role assignment set", st == 200, text)
    res = sign_in(SAML, provider_login_hint="heidi@globex.test", login_redirect_url="http://localhost:3000/login",
                  signup_redirect_url="http://localhost:3000/signup")
    token, loc = token_of(res)
    check("a new member goes to the signup URL", loc.startswith("http://localhost:3000/signup?"), loc)
    st, _, text, js = authenticate(token, sdk=False)
    check("backend authenticate", st == 200 and js.get("member_id", "").startswith("member-test-") and
          js.get("reset_session") is False, text)
    roles = {r["role_id"]: r["sources"] for r in js.get("member", {}).get("roles", [])}
    check("implicit group role with its source", roles.get("sso_manager") == [
        {"type": "sso_connection_group", "details": {"connection_id": SAML, "group": "engineering"}}], roles)
    check("session roles include it", "sso_manager" in js.get("member_session", {}).get("roles", []), js.get("member_session"))
    tok = js.get("session_token", "")
    st, _, text, _ = req("GET", "/sdk/v1/b2b/sso", headers={"Authorization": basic(PT, tok)})
    check("RBAC sees the implicit role", st == 200, text)
    st, _, text, js = req("GET", "/_emulator/sso/assertions?limit=1")
    a = (js or {}).get("assertions", [{}])[0]
    check("assertion log", a.get("is_new_member") is True and a.get("email") == "heidi@globex.test" and
          all(c["ok"] for c in a.get("checks", [])) and a.get("raw", "").startswith("<?xml"), text[:300])


def t_saml_post_binding_and_login_page():
    st, h, _, _ = start(connection_id=SAML)
    browser = {"Accept": "text/html,application/xhtml+xml"}
    st, h2, page, _ = follow(h["location"], headers=browser)
    check("login page lists the IdP users", st == 200 and "grace@globex.test" in page and "heidi@globex.test" in page
          and 'name="pending"' in page and h2.get("content-type", "").startswith("text/html"), page[:200])
    st, _, text, _ = follow(h["location"])
    expect_error("headless client at the login page", (st, None, text, json.loads(text)), 400, "emulator_idp_login_required")
    pending = re.search(r'name="pending" value="([^"]+)"', page).group(1)
    st, _, form, _ = req("POST", "/_emulator/idp/saml/login", form={"pending": pending, "email": "grace@globex.test",
                                                                     "outcome": "success"}, headers=browser)
    m = re.search(r'action="([^"]+)"', form)
    fields = dict(re.findall(r'name="(SAMLResponse|RelayState)" value="([^"]+)"', form))
    check("HTTP-POST binding form with a path-only action", st == 200 and m and m.group(1).startswith("/v1/b2b/sso/callback/")
          and "SAMLResponse" in fields and "RelayState" in fields, form[:300])
    st, h, text, _ = req("POST", m.group(1), form=fields)
    check("ACS by POST", st == 302 and h.get("location", "").startswith(APP), text)
    st, _, text, js = req("POST", "/_emulator/idp/saml/login", form={"pending": pending, "email": "grace@globex.test"})
    expect_error("a used login page", (st, None, text, js), 400, "emulator_idp_request_expired")


SAML_OUTCOMES = [
    ("cancel", "failed_saml_response"), ("tampered", "invalid_signature_saml_response"),
    ("wrong_key", "saml_certificate_mismatch"), ("expired", "expired_saml_response"),
    ("wrong_audience", "invalid_audience_saml_response"), ("wrong_issuer", "invalid_saml_response"),
    ("missing_email", "invalid_saml_response_email"), ("unsigned", "missing_signature_saml_response"),
    ("not_yet_valid", "not_yet_valid_saml_response"), ("wrong_destination", "invalid_saml_response"),
    ("malformed", "invalid_xml_saml_response"),
]


def t_saml_outcomes():
    for outcome, error in SAML_OUTCOMES:
        preset(protocol="saml", outcome=outcome, email="grace@globex.test")
        expect_error("saml outcome %s" % outcome, sign_in(SAML), 400, error)
    # replay: the connection's previous assertion again.
    res = sign_in(SAML, provider_login_hint="grace@globex.test")
    check("a good sign-in before the replay", res[0] == 302, res[2])
    preset(protocol="saml", outcome="replay")
    expect_error("saml outcome replay", sign_in(SAML), 400, "duplicate_saml_response")
    st, _, text, js = req("GET", "/_emulator/sso/flows?limit=3")
    check("flows list their end", st == 200 and js["flows"][0]["state"] == "failed" and
          js["flows"][0]["error_type"] == "duplicate_saml_response" and js["flows"][1]["state"] == "completed", text[:300])


def t_saml_acs_errors():
    cb = "/v1/b2b/sso/callback/%s" % SAML
    expect_error("no SAMLResponse", req("POST", cb, form={"RelayState": "x"}), 400, "missing_saml_response")
    big = base64.b64encode(b"<a>" + b"x" * (300 * 1024) + b"</a>").decode()
    expect_error("SAMLResponse too long", req("POST", cb, form={"SAMLResponse": big}), 400, "saml_response_too_long")
    expect_error("not base64 XML", req("POST", cb, form={"SAMLResponse": "%%%"}), 400, "invalid_xml_saml_response")
    doctype = base64.b64encode(b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY e "x">]><r>&e;</r>').decode()
    expect_error("DOCTYPE refused", req("POST", cb, form={"SAMLResponse": doctype}), 400, "invalid_xml_saml_response")
    expect_error("unknown connection", req("POST", "/v1/b2b/sso/callback/saml-connection-test-nope", form={"SAMLResponse": "x"}),
                 404, "sso_connection_not_found")
    expect_error("pending connection", req("GET", "/v1/b2b/sso/callback/%s?code=x&state=y" % OIDC_PENDING), 400,
                 "requires_active_sso_connection")
    # A solicited response whose RelayState is unknown, and one without RelayState.
    st, h, _, _ = start(connection_id=SAML)
    st, h, _, _ = follow(h["location"] + "&login_hint=grace%40globex.test")
    loc = h["location"]
    q = urllib.parse.parse_qs(urllib.parse.urlparse(loc).query)
    expect_error("unknown RelayState with InResponseTo",
                 req("POST", cb, form={"SAMLResponse": q["SAMLResponse"][0], "RelayState": "unknown-relay"}), 400,
                 "unsolicited_saml_response")
    expect_error("InResponseTo without RelayState", req("POST", cb, form={"SAMLResponse": q["SAMLResponse"][0]}), 400,
                 "missing_saml_relay_state")
    st, h, text, _ = follow(loc)
    check("the flow still completes", st == 302, text)
    expect_error("the flow is single-use", follow(loc), 400, "duplicate_saml_response")
    # IdP-initiated: allowed by default, then disabled.
    st, h, text, _ = req("GET", "/_emulator/idp/saml/initiate?connection_id=%s&login_hint=grace%%40globex.test" % SAML)
    st, h, text, _ = follow(h["location"])
    check("IdP-initiated sign-in uses the default login URL", st == 302 and h.get("location", "").startswith(APP + "?"), text)
    st, _, text, _ = req("PUT", "/v1/b2b/sso/saml/%s/connections/%s" % (GLOBEX, SAML), headers=API,
                         body={"idp_initiated_auth_disabled": True})
    check("disable IdP-initiated", st == 200, text)
    st, h, text, _ = req("GET", "/_emulator/idp/saml/initiate?connection_id=%s&login_hint=grace%%40globex.test" % SAML)
    expect_error("IdP-initiated disabled", follow(h["location"]), 400, "saml_idp_initiated_auth_disabled")
    # A browser gets the same error as a page.
    st, h, text, _ = req("GET", "/_emulator/idp/saml/initiate?connection_id=%s&login_hint=grace%%40globex.test" % SAML)
    st, h2, page, _ = follow(h["location"], headers={"Accept": "text/html"})
    check("browser error page", st == 400 and h2.get("content-type", "").startswith("text/html") and
          'id="ssoemu-error"' in page and "saml_idp_initiated_auth_disabled" in page and "request-id-test-" in page, page[:300])


def t_start_errors():
    expect_error("start without public_token", req("GET", "/v1/public/sso/start?connection_id=%s" % SAML), 400,
                 "public_token_required")
    expect_error("start with a foreign token", req("GET", "/v1/public/sso/start?public_token=public-token-test-x&connection_id=%s" % SAML),
                 401, "unauthorized_credentials")
    expect_error("no locator", start(), 400, "missing_sso_connection_locator")
    expect_error("both locators", start(connection_id=SAML, organization_id=GLOBEX), 400, "too_many_sso_connection_locators")
    expect_error("unknown connection", start(connection_id="saml-connection-test-x"), 404, "sso_connection_not_found")
    expect_error("unknown organization", start(organization_id="nope"), 404, "organization_not_found")
    expect_error("organization without SSO", start(organization_id="acme"), 400, "no_sso_connection_exists_for_organization")
    st, h, text, _ = start(organization_id="globex")
    check("organization slug picks the default connection", st == 302 and "/_emulator/idp/saml/sso?SAMLRequest=" in
          h.get("location", "") and "SigAlg=" in h["location"] and "Signature=" in h["location"] and
          json.loads(text)["redirect_url"] == h["location"], text)
    expect_error("pending connection", start(connection_id=OIDC_PENDING), 400, "requires_active_sso_connection")
    expect_error("bad PKCE challenge", start(connection_id=SAML, pkce_code_challenge="short"), 400, "invalid_pkce_code_challenge")
    expect_error("login URL not http", start(connection_id=SAML, login_redirect_url="ftp://x/y"), 400, "invalid_login_sso_url")
    expect_error("signup URL with fragment", start(connection_id=SAML, signup_redirect_url="http://localhost/a#b"), 400,
                 "invalid_signup_sso_url")
    expect_error("unregistered URL", start(connection_id=SAML, login_redirect_url="https://evil.example/cb"), 400,
                 "no_match_for_provided_sso_url")
    st, h, text, _ = start(connection_id=SAML, login_redirect_url="HTTP://www.LocalHost:3000/authenticate")
    check("registered URL matches with www. and case", st == 302, text)
    # Two active connections and no default: indeterminate.
    oidc = {"display_name": "Acme OIDC", "client_id": "c", "client_secret": "s", "issuer": "https://idp.example",
            "authorization_url": "https://idp.example/a", "token_url": "https://idp.example/t",
            "userinfo_url": "https://idp.example/u", "jwks_url": "https://idp.example/j"}
    for i in range(2):
        st, _, text, _ = req("POST", "/v1/b2b/sso/oidc/%s" % ACME, headers=API, body={"display_name": "Acme %d" % i})
        cid = json.loads(text)["connection"]["connection_id"]
        st, _, text, _ = req("PUT", "/v1/b2b/sso/oidc/%s/connections/%s" % (ACME, cid), headers=API, body=oidc)
        check("OIDC connection made active", st == 200 and json.loads(text)["connection"]["status"] == "active", text)
    expect_error("indeterminate connection", start(organization_id=ACME), 400, "indeterminate_sso_connection_for_organization")
    st, h, text, _ = start(connection_id=cid, provider_prompt="login", provider_scope="evil", custom_scopes="groups")
    loc = h.get("location", "")
    check("real-IdP OIDC start", st == 302 and loc.startswith("https://idp.example/a?") and "prompt=login" in loc and
          "scope=openid%20email%20profile%20groups" in loc and "evil" not in loc, loc)
    st, h, text, _ = start(connection_id=SAML, login_redirect_url="https://evil.example/x")
    st, h, page, _ = req("GET", "/v1/public/sso/start?" + urllib.parse.urlencode(
        {"public_token": PT, "connection_id": SAML, "login_redirect_url": "https://evil.example/x"}),
        headers={"Accept": "text/html"})
    check("start error as a page", st == 400 and "no_match_for_provided_sso_url" in page and "<html" in page, page[:200])


def t_external():
    st, _, text, js = req("POST", "/v1/b2b/sso/external/%s" % ACME, headers=API,
                          body={"display_name": "Globex via Acme", "external_organization_id": GLOBEX,
                                "external_connection_id": SAML})
    check("External connection created", st == 200, text)
    ext = js["connection"]["connection_id"]
    res = sign_in(ext, provider_login_hint="alice@acme.test")
    token, loc = token_of(res)
    st, _, text, js = authenticate(token, sdk=False)
    check("External sign-in lands in the External connection's organization", st == 200 and
          js.get("organization_id") == ACME and js["member"]["email_address"] == "alice@acme.test" and
          js["member_session"]["authentication_factors"][0]["saml_sso_factor"]["provider_id"] == ext, text[:400])
    # An External connection to a pending connection is refused when created (API.md: Stytch's rule).
    st, _, text, js = req("POST", "/v1/b2b/sso/saml/%s" % GLOBEX, headers=API, body={"display_name": "pending one"})
    pending = js["connection"]["connection_id"]
    st, _, text, js = req("POST", "/v1/b2b/sso/external/%s" % ACME, headers=API,
                          body={"display_name": "to pending", "external_organization_id": GLOBEX,
                                "external_connection_id": pending})
    check("External to a pending connection is refused", st == 400 and
          (js or {}).get("error_type") == "external_connection_not_active", text)


OIDC_OUTCOMES = [
    ("cancel", "oidc_auth_code_error"), ("tampered", "id_token_invalid"), ("wrong_key", "id_token_invalid"),
    ("expired", "id_token_expired"), ("wrong_audience", "id_token_incorrect_audience"),
    ("wrong_issuer", "id_token_invalid"), ("missing_email", "oidc_response_email_missing"),
    ("wrong_nonce", "id_token_nonce_invalid"), ("unverified_email", "oidc_response_unverified_email"),
    ("token_error", "oidc_auth_code_error"), ("userinfo_mismatch", "oidc_response_subject_mismatch"),
]


def t_oidc():
    res = sign_in(OIDC, provider_login_hint="heidi@globex.test")
    token, loc = token_of(res)
    check("oidc sign-in", res[0] == 302 and token, res[2])
    st, _, text, js = authenticate(token)
    d = (js or {}).get("data", {})
    check("oidc authenticate", st == 200 and d["member"]["email_address"] == "heidi@globex.test" and
          d["member_session"]["authentication_factors"][0]["delivery_method"] == "sso_oidc", text[:300])
    for outcome, error in OIDC_OUTCOMES:
        preset(protocol="oidc", outcome=outcome, email="grace@globex.test")
        expect_error("oidc outcome %s" % outcome, sign_in(OIDC), 400, error)
    cb = "/v1/b2b/sso/callback/%s" % OIDC
    expect_error("no state", req("GET", cb + "?code=x"), 400, "missing_oidc_state_param")
    expect_error("unknown state", req("GET", cb + "?code=x&state=nope"), 400, "unsolicited_oidc_response")
    st, h, _, _ = start(connection_id=SAML)
    relay = urllib.parse.parse_qs(urllib.parse.urlparse(h["location"]).query)["RelayState"][0]
    expect_error("another connection's flow", req("GET", cb + "?code=x&state=" + relay), 400, "oidc_invalid_callback_request")
    st, h, _, _ = start(connection_id=OIDC)
    state = urllib.parse.parse_qs(urllib.parse.urlparse(h["location"]).query)["state"][0]
    expect_error("no code", req("GET", cb + "?state=" + state), 400, "oidc_invalid_callback_request")
    expect_error("used state", req("GET", cb + "?state=%s&code=x" % state), 400, "unsolicited_oidc_response")
    expect_error("OIDC callback by POST", req("POST", cb, form={"code": "x"}), 400, "oidc_invalid_callback_request")
    # Built-in provider endpoints.
    st, _, text, js = req("GET", "/_emulator/idp/oidc/.well-known/openid-configuration", headers={"Host": "127.0.0.1:%d" % S.port})
    check("discovery", st == 200 and js["issuer"].endswith("/_emulator/idp/oidc") and "S256" in js["code_challenge_methods_supported"], text)
    st, _, text, js = req("GET", "/_emulator/idp/oidc/jwks")
    k = (js or {}).get("keys", [{}])[0]
    check("jwks", st == 200 and k.get("kid") == "ssoemu-idp-oidc-1" and k.get("kty") == "RSA" and k.get("alg") == "RS256"
          and "d" not in k, text)
    expect_error("unknown client", req("GET", "/_emulator/idp/oidc/authorize?client_id=nope&redirect_uri=x"), 400,
                 "emulator_idp_invalid_request")
    expect_error("foreign redirect_uri", req("GET", "/_emulator/idp/oidc/authorize?client_id=globex-emulator-client&redirect_uri=https://evil.example/cb"),
                 400, "emulator_idp_invalid_request")
    cbq = urllib.parse.quote("https://test.stytch.com/v1/b2b/sso/callback/" + OIDC, safe="")
    st, h, text, _ = req("GET", "/_emulator/idp/oidc/authorize?client_id=globex-emulator-client&redirect_uri=%s"
                         "&response_type=token&scope=openid&state=s1" % cbq)
    check("bad response_type: redirect with error", st == 302 and "error=unsupported_response_type" in h.get("location", "")
          and "state=s1" in h["location"], text[:200])
    st, h, text, _ = req("GET", "/_emulator/idp/oidc/authorize?client_id=globex-emulator-client&redirect_uri=%s"
                         "&response_type=code&scope=email&state=s2" % cbq)
    check("no openid scope: redirect with error", st == 302 and "error=invalid_scope" in h.get("location", ""), text[:200])
    st, _, text, js = req("POST", "/_emulator/idp/oidc/token", form={"grant_type": "authorization_code", "code": "nope"},
                          headers={"Authorization": basic("globex-emulator-client", "ssoemu-globex-oidc-secret")})
    check("token endpoint: RFC 6749 error", st == 400 and js == {"error": "invalid_grant", "error_description": js.get("error_description")}, text)
    st, _, text, js = req("POST", "/_emulator/idp/oidc/token", form={"grant_type": "authorization_code", "code": "x"},
                          headers={"Authorization": basic("globex-emulator-client", "wrong")})
    check("token endpoint: bad client secret", st == 401 and js.get("error") == "invalid_client", text)
    st, _, text, js = req("GET", "/_emulator/idp/oidc/userinfo", headers={"Authorization": "Bearer nope"})
    check("userinfo: unknown token", st == 401 and js.get("error") == "invalid_token", text)


def t_authn_request_signature():
    """The AuthnRequest's Redirect-binding signature verifies with the signing certificate the
    connection shows (openssl, SAML Bindings 3.4.4.1)."""
    import tempfile
    st, h, text, _ = start(connection_id=SAML)
    loc = h["location"]
    query = loc.split("?", 1)[1]
    signed, sig = query.split("&Signature=")
    st, _, text, js = req("GET", "/v1/b2b/sso/%s" % GLOBEX, headers=API)
    cert = [c for c in js["saml_connections"] if c["connection_id"] == SAML][0]["signing_certificates"][0]["certificate"]
    with tempfile.TemporaryDirectory() as d:
        open(os.path.join(d, "c.pem"), "w").write(cert)
        open(os.path.join(d, "m"), "wb").write(signed.encode())
        open(os.path.join(d, "s"), "wb").write(base64.b64decode(urllib.parse.unquote(sig)))
        pub = subprocess.run(["openssl", "x509", "-in", os.path.join(d, "c.pem"), "-pubkey", "-noout"],
                             capture_output=True, check=True).stdout
        open(os.path.join(d, "p.pem"), "wb").write(pub)
        ok = subprocess.run(["openssl", "dgst", "-sha256", "-verify", os.path.join(d, "p.pem"), "-signature",
                             os.path.join(d, "s"), os.path.join(d, "m")], capture_output=True)
        check("AuthnRequest signature verifies with the shown signing certificate", ok.returncode == 0, ok.stdout + ok.stderr)
        open(os.path.join(d, "m"), "wb").write(signed.replace("RelayState=", "RelayState=x").encode())
        bad = subprocess.run(["openssl", "dgst", "-sha256", "-verify", os.path.join(d, "p.pem"), "-signature",
                              os.path.join(d, "s"), os.path.join(d, "m")], capture_output=True)
        check("an altered query does not verify", bad.returncode != 0, bad.stdout)


def t_metadata_url_of_the_builtin_idp():
    st, _, text, js = req("POST", "/v1/b2b/sso/saml/%s" % ACME, headers=API, body={"display_name": "Acme built-in"})
    cid = js["connection"]["connection_id"]
    st, _, text, js = req("PUT", "/v1/b2b/sso/saml/%s/connections/%s/url" % (ACME, cid), headers=API,
                          body={"metadata_url": "http://127.0.0.1:%d/_emulator/idp/saml/metadata" % S.port})
    c = (js or {}).get("connection", {})
    check("metadata URL of the built-in IdP, served in-process", st == 200 and c.get("idp_entity_id") == "urn:ssoemu:idp:saml"
          and c.get("idp_sso_url", "").endswith("/_emulator/idp/saml/sso"), text[:300])
    st, _, text, js = req("PUT", "/v1/b2b/sso/saml/%s/connections/%s" % (ACME, cid), headers=API,
                          body={"attribute_mapping": {"email": "email", "full_name": "name"}})
    check("then active", st == 200 and js["connection"]["status"] == "active", text[:300])
    token, loc = token_of(sign_in(cid, provider_login_hint="bob@acme.test"))
    st, _, text, js = authenticate(token, sdk=False)
    check("sign-in through it", st == 200 and js["member"]["email_address"] == "bob@acme.test" and
          js["organization_id"] == ACME, text[:300])


def t_pipeline_rules():
    # The SAML IdP takes the POST binding too (base64 without DEFLATE).
    import zlib
    st, h, _, _ = start(connection_id=SAML)
    q = urllib.parse.parse_qs(urllib.parse.urlparse(h["location"]).query)
    xml = zlib.decompress(base64.b64decode(q["SAMLRequest"][0]), -15)
    st, h2, text, _ = req("POST", "/_emulator/idp/saml/sso", form={"SAMLRequest": base64.b64encode(xml).decode(),
                                                                   "RelayState": q["RelayState"][0],
                                                                   "login_hint": "grace@globex.test"})
    check("IdP POST binding", st == 302 and "SAMLResponse=" in h2.get("location", ""), text[:200])
    st, h3, text, _ = follow(h2["location"])
    check("... and its response signs in", st == 302 and h3.get("location", "").startswith(APP), text[:200])
    expect_error("RelayState over 80 bytes", req("POST", "/_emulator/idp/saml/sso", form={
        "SAMLRequest": base64.b64encode(xml).decode(), "RelayState": "r" * 81}), 400, "emulator_idp_invalid_request")
    expect_error("IdP-initiated for no connection", req("GET", "/_emulator/idp/saml/initiate?connection_id=nope"), 400,
                 "emulator_idp_invalid_request")
    # Faults match callbacks, never the IdP.
    st, _, text, _ = req("POST", "/_emulator/faults", body={"path": "/v1/b2b/sso/callback/*", "status": 503, "count": 1})
    check("fault added", st == 200, text)
    st, _, text, _ = req("POST", "/_emulator/faults", body={"path": "/_emulator/idp/*", "status": 500, "count": 5})
    res = sign_in(SAML, provider_login_hint="grace@globex.test")
    expect_error("a fault on the callback", res, 503, "service_unavailable")
    st, _, text, _ = req("GET", "/_emulator/idp/saml/metadata")
    check("the IdP is never faulted", st == 200, text[:100])
    req("DELETE", "/_emulator/faults")
    # The request log: surfaces public and idp, no query strings or tokens.
    st, _, text, js = req("GET", "/_emulator/requests?limit=20")
    surfaces = {r["surface"] for r in js["requests"]}
    check("request log surfaces", {"public", "idp"} <= surfaces, surfaces)
    check("no tokens or SAML in the request log", "SAMLRequest" not in text and "SAMLResponse" not in text and
          "token=" not in text and "public_token" not in text, text[:300])


def t_idp_documents():
    st, h, text, _ = req("GET", "/_emulator/idp/saml/metadata")
    check("SAML metadata", st == 200 and 'entityID="urn:ssoemu:idp:saml"' in text and "X509Certificate" in text and
          "/_emulator/idp/saml/sso" in text and "samlmetadata" in h.get("content-type", ""), text[:200])
    st, _, cert, _ = req("GET", "/_emulator/idp/saml/certificate")
    st2, _, state, js = req("GET", "/v1/b2b/sso/%s" % GLOBEX, headers=API)
    vc = [c for c in js["saml_connections"] if c["connection_id"] == SAML][0]["verification_certificates"][0]
    check("the connection trusts the built-in certificate", st == 200 and vc["certificate"].strip() == cert.strip(), vc)
    sc = [c for c in js["saml_connections"] if c["connection_id"] == SAML][0]["signing_certificates"][0]
    check("signing private key is never shown", "private_key" not in sc, sc.keys())
    expect_error("bad AuthnRequest", req("GET", "/_emulator/idp/saml/sso?SAMLRequest=bm9wZQ"), 400, "emulator_idp_invalid_request")


def t_authenticate_errors():
    expect_error("no sso_token", req("POST", "/sdk/v1/b2b/sso/authenticate", body={}, headers=SDK), 400, "bad_request")
    expect_error("unknown token", authenticate("x" * 44), 404, "sso_token_not_found")
    st, _, text, js = req("POST", "/_emulator/sso/tokens", body={"email": "grace@globex.test", "connection_id": SAML})
    check("control token", st == 200 and js.get("is_new_member") is False and len(js.get("token", "")) == 44, text)
    tok = js["token"]
    expect_error("session duration", authenticate(tok, session_duration_minutes=4), 400, "invalid_session_duration_minutes")
    expect_error("two session arguments", authenticate(tok, session_token="a", session_jwt="b"), 400, "too_many_session_arguments")
    expect_error("custom claims", authenticate(tok, session_custom_claims={"k": "v" * 5000}), 400, "custom_claims_too_large")
    expect_error("intermediate session", authenticate(tok, intermediate_session_token="ist"), 404, "intermediate_session_not_found")
    expect_error("verifier without challenge", authenticate(tok, pkce_code_verifier="abc"), 400, "pkce_did_not_expect_code_verifier")
    expect_error("another member's session", authenticate(tok, session_token="session-acme-admin"), 400,
                 "session_on_code_does_not_match_session_passed_in")
    st, _, text, js = authenticate(tok, session_token="session-globex-admin")
    check("an existing session is extended", st == 200 and js["data"]["session_token"] == "session-globex-admin", text[:300])
    # PKCE through the whole flow.
    verifier = "v" * 64
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
    token, _ = token_of(sign_in(SAML, provider_login_hint="grace@globex.test", pkce_code_challenge=challenge))
    expect_error("challenge but no verifier", authenticate(token), 400, "pkce_expected_code_verifier")
    expect_error("wrong verifier", authenticate(token, pkce_code_verifier="w" * 64), 400, "pkce_mismatch")
    st, _, text, _ = authenticate(token, pkce_code_verifier=verifier)
    check("right verifier", st == 200, text[:200])


def t_jit_rules_and_settings():
    st, _, text, doc = req("GET", "/_emulator/state")
    doc["organizations"][1]["sso_jit_provisioning"] = "NOT_ALLOWED"
    st, _, text, _ = req("PUT", "/_emulator/state", body=doc)
    check("state import with JIT rules", st == 200, text)
    expect_error("JIT refused", sign_in(SAML, provider_login_hint="newcomer@globex.test"), 403,
                 "invalid_connection_for_jit_provisioning")
    res = sign_in(SAML, provider_login_hint="grace@globex.test")
    check("existing members still sign in", res[0] == 302, res[2])
    doc["organizations"][1]["sso_jit_provisioning"] = "RESTRICTED"
    doc["organizations"][1]["sso_jit_provisioning_allowed_connections"] = [SAML]
    st, _, text, _ = req("PUT", "/_emulator/state", body=doc)
    res = sign_in(SAML, provider_login_hint="newcomer@globex.test")
    check("RESTRICTED allows the listed connection", res[0] == 302, res[2])
    st, _, text, js = req("PATCH", "/_emulator/config", body={"pkce_required_for_sso": True, "sso_token_lifetime_seconds": 30})
    check("config patch", st == 200 and js.get("pkce_required_for_sso") is True and js.get("sso_token_lifetime_seconds") == 30, text)
    st, _, text, js = req("GET", "/sdk/v1/projects/bootstrap/%s" % PT)
    check("bootstrap reflects pkce_required_for_sso", js["data"]["pkce_required_for_sso"] is True, text[:200])
    expect_error("bad lifetime", req("PATCH", "/_emulator/config", body={"sso_token_lifetime_seconds": 0}), 400, "bad_request")
    expect_error("bad preset", req("POST", "/_emulator/sso/presets", body={"outcome": "nope"}), 400, "bad_request")
    st, _, text, js = req("DELETE", "/_emulator/sso/presets")
    check("presets cleared", st == 200 and js == {"presets": []}, text)
    token, _ = token_of(sign_in(SAML, provider_login_hint="grace@globex.test"))
    reset()
    expect_error("reset clears SSO tokens", authenticate(token), 404, "sso_token_not_found")


def t_outside_oidc_provider(binary):
    """An OIDC provider that is not this server (a second ssoemu's built-in provider, on another port):
    the callback exchanges the code, fetches the JWKS through the fetch worker, and signs in."""
    global S
    a = S
    b = Server(binary)
    try:
        issuer = "http://127.0.0.1:%d/_emulator/idp/oidc" % b.port
        S = b
        st, _, text, _ = req("PUT", "/v1/b2b/sso/oidc/%s/connections/%s" % (GLOBEX, OIDC), headers=API, body={"issuer": issuer})
        check("outside provider: its issuer set", st == 200, text[:200])
        S = a
        st, _, text, _ = req("PUT", "/v1/b2b/sso/oidc/%s/connections/%s" % (GLOBEX, OIDC), headers=API, body={
            "issuer": issuer, "authorization_url": issuer + "/authorize", "token_url": issuer + "/token",
            "jwks_url": issuer + "/jwks", "userinfo_url": issuer + "/userinfo"})
        check("connection pointed at the outside provider", st == 200, text[:200])
        st, h, text, _ = start(connection_id=OIDC, provider_login_hint="heidi@globex.test")
        loc = h.get("location", "")
        check("start goes to the outside provider", loc.startswith(issuer + "/authorize?"), loc)
        S = b
        st, h, text, _ = follow(loc)
        S = a
        back = h.get("location", "")
        st, h, text, _ = follow(back)
        token, app = token_of((st, h, text, None))
        check("signed in through the outside provider", st == 302 and app.startswith(APP) and token, text[:300])
        st, _, text, js = authenticate(token, sdk=False)
        check("... and authenticated", st == 200 and js["member"]["email_address"] == "heidi@globex.test", text[:200])
        # The provider refuses a second use of the code: oidc_auth_code_error through the worker.
        st, h, text, _ = start(connection_id=OIDC, provider_login_hint="heidi@globex.test")
        S = b
        st, h, _, _ = follow(h["location"])
        S = a
        q = urllib.parse.urlparse(h["location"]).query
        state = urllib.parse.parse_qs(q)["state"][0]
        st, h2, text, _ = follow(h["location"])
        check("second sign-in", st == 302, text[:200])
        # A userinfo endpoint that answers 404, needed because the ID token has no email: oidc_invalid_userinfo.
        st, _, text, _ = req("PUT", "/v1/b2b/sso/oidc/%s/connections/%s" % (GLOBEX, OIDC), headers=API,
                             body={"userinfo_url": issuer + "/no-such-userinfo"})
        check("userinfo URL changed", st == 200, text[:200])
        S = b
        preset(protocol="oidc", outcome="missing_email", email="heidi@globex.test")
        S = a
        st, h, text, _ = start(connection_id=OIDC)
        S = b
        st, h, _, _ = follow(h["location"])
        S = a
        expect_error("outside userinfo answers 404", follow(h["location"]), 400, "oidc_invalid_userinfo")
        # Now the provider is gone: unreachable is oidc_auth_code_error, the server thread never waits long.
        st, h, text, _ = start(connection_id=OIDC, provider_login_hint="heidi@globex.test")
        S = b
        st, h, _, _ = follow(h["location"])
        S = a
    finally:
        S = a
        check("outside provider exits", b.stop() == 0)
    expect_error("outside provider unreachable", follow(h["location"]), 400, "oidc_auth_code_error")


def t_state_and_restart(binary):
    """SSO tokens, JIT members, registrations and sessions are stored like everything else: they survive
    a restart with --db FILE, and the state export carries registrations and trusted metadata."""
    global S
    import tempfile
    main_server = S
    with tempfile.TemporaryDirectory() as d:
        db = os.path.join(d, "s.db")
        S = Server(binary, ["--db", db])
        try:
            st, _, text, _ = req("PUT", "/v1/b2b/sso/saml/%s/connections/%s" % (GLOBEX, SAML), headers=API,
                                 body={"attribute_mapping": {"email": "email", "full_name": "name", "groups": "groups",
                                                             "department": "department"}})
            preset(protocol="saml", email="heidi@globex.test", attributes={"department": "R&D"})
            token, _ = token_of(sign_in(SAML))
            other, _ = token_of(sign_in(SAML, provider_login_hint="grace@globex.test"))
            st, _, text, js = req("GET", "/_emulator/state")
            m = [x for x in js["members"] if x["email_address"] == "heidi@globex.test"]
            check("export carries the JIT member, its registration and trusted metadata", len(m) == 1 and
                  m[0]["trusted_metadata"] == {"department": "R&D"} and
                  m[0]["sso_registrations"][0]["connection_id"] == SAML, m)
            check("export has no SSO token", token not in text and other not in text, "")
            st2, _, _, _ = req("PUT", "/_emulator/state", body=js)
            st3, _, text3, js3 = req("GET", "/_emulator/state")
            check("state round trip", st2 == 200 and js3 == js, "")
        finally:
            check("first server exits", S.stop() == 0)
        S = Server(binary, ["--db", db])
        try:
            # The import above replaced the store: tokens went with it; the state import keeps members.
            expect_error("tokens do not survive a state import", authenticate(token), 404, "sso_token_not_found")
            token, _ = token_of(sign_in(SAML, provider_login_hint="heidi@globex.test"))
        finally:
            check("second server exits", S.stop() == 0)
        S = Server(binary, ["--db", db])
        try:
            st, _, text, js = authenticate(token, sdk=False)
            check("an SSO token survives a restart with --db", st == 200 and
                  js["member"]["trusted_metadata"] == {"department": "R&D"}, text[:300])
            tok = js.get("session_token", "")
        finally:
            check("third server exits", S.stop() == 0)
        S = Server(binary, ["--db", db])
        try:
            st, _, text, _ = req("POST", "/sdk/v1/b2b/sessions/authenticate", body={},
                                 headers={"Authorization": basic(PT, tok)})
            check("the SSO session survives a restart", st == 200, text[:200])
        finally:
            check("fourth server exits", S.stop() == 0)
    S = main_server


def authn_signature_ok(location, cert):
    """Whether a Redirect-binding AuthnRequest's signature (SAML Bindings 3.4.4.1) verifies with cert (PEM),
    checked by openssl; also checks that an altered query does not."""
    import tempfile
    query = location.split("?", 1)[1]
    if "&Signature=" not in query or "SigAlg=" not in query:
        return False
    signed, sig = query.split("&Signature=")
    sig = sig.split("&", 1)[0]
    with tempfile.TemporaryDirectory() as d:
        open(os.path.join(d, "c.pem"), "w").write(cert)
        open(os.path.join(d, "s"), "wb").write(base64.b64decode(urllib.parse.unquote(sig)))
        pub = subprocess.run(["openssl", "x509", "-in", os.path.join(d, "c.pem"), "-pubkey", "-noout"],
                             capture_output=True, check=True).stdout
        open(os.path.join(d, "p.pem"), "wb").write(pub)
        results = []
        for m in (signed, signed.replace("RelayState=", "RelayState=x")):
            open(os.path.join(d, "m"), "wb").write(m.encode())
            results.append(subprocess.run(["openssl", "dgst", "-sha256", "-verify", os.path.join(d, "p.pem"),
                                           "-signature", os.path.join(d, "s"), os.path.join(d, "m")],
                                          capture_output=True).returncode)
        return results[0] == 0 and results[1] != 0


def new_saml_connection(sdk):
    """A SAML connection of Globex made through /v1 or /sdk/v1 (so with a generated signing certificate), wired
    to the built-in IdP and active; returns (connection_id, the signing certificate it shows)."""
    if sdk:
        h = {"Authorization": basic(PT, "session-globex-admin"), "Content-Type": "application/json"}
        base = "/sdk/v1/b2b/sso/saml"
        st, _, text, js = req("POST", base, headers=h, body={"display_name": "made by SDK"})
        conn = ((js or {}).get("data") or {}).get("connection", {})
    else:
        h = API
        base = "/v1/b2b/sso/saml/%s" % GLOBEX
        st, _, text, js = req("POST", base, headers=h, body={"display_name": "made by API"})
        conn = (js or {}).get("connection", {})
    check("create through %s" % ("/sdk/v1" if sdk else "/v1"), st == 200 and "PRIVATE KEY" not in text, text[:300])
    cid = conn["connection_id"]
    cert = conn["signing_certificates"][0]["certificate"]
    _, _, idp_cert, _ = req("GET", "/_emulator/idp/saml/certificate")
    path = "%s/%s" % (base, cid) if sdk else "%s/connections/%s" % (base, cid)
    st, _, text, js = req("PUT", path, headers=h, body={"idp_entity_id": "urn:ssoemu:idp:saml",
                                                         "idp_sso_url": "http://127.0.0.1:%d/_emulator/idp/saml/sso" % S.port,
                                                         "x509_certificate": idp_cert})
    conn = ((js or {}).get("data") or js or {}).get("connection", {})
    check("wired to the built-in IdP and active", st == 200 and conn.get("status") == "active" and
          conn["signing_certificates"][0]["certificate"] == cert and "PRIVATE KEY" not in text, text[:300])
    return cid, cert


def shown_signing_cert(cid):
    st, _, text, js = req("GET", "/v1/b2b/sso/%s" % GLOBEX, headers=API)
    c = [c for c in js["saml_connections"] if c["connection_id"] == cid]
    return c[0]["signing_certificates"][0]["certificate"] if c else None


def t_generated_signing_keys(binary):
    """Connections made through the API keep the key behind their generated signing certificate: their
    AuthnRequests verify with the certificate shown, after a restart with --db and an export/import round
    trip too; an imported key must belong to its certificate; reset clears them."""
    global S
    import tempfile
    main_server = S
    with tempfile.TemporaryDirectory() as d:
        db = os.path.join(d, "s.db")
        S = Server(binary, ["--db", db])
        try:
            made = [new_saml_connection(False), new_saml_connection(True)]
            for cid, cert in made:
                st, h, text, _ = start(connection_id=cid)
                check("AuthnRequest of a new connection is signed with the key behind its shown certificate",
                      st == 302 and authn_signature_ok(h.get("location", ""), cert), text[:200])
                token, _ = token_of(sign_in(cid, provider_login_hint="grace@globex.test"))
                st, _, text, js = authenticate(token)
                check("and the sign-in completes", st == 200, text[:200])
            st, _, text, js = req("GET", "/_emulator/state")
            exported = [c for c in js["saml_connections"] if c["connection_id"] in (made[0][0], made[1][0])]
            check("the state export carries the signing keys", len(exported) == 2 and all(
                c["signing_certificates"][0].get("private_key", "").startswith("-----BEGIN RSA PRIVATE KEY-----")
                for c in exported), exported)
            doc = js
        finally:
            check("first server exits", S.stop() == 0)
        S = Server(binary, ["--db", db])
        try:
            for cid, cert in made:
                check("the signing certificate survives a restart", shown_signing_cert(cid) == cert)
                st, h, text, _ = start(connection_id=cid)
                check("after a restart with --db the AuthnRequest still verifies", st == 302 and
                      authn_signature_ok(h.get("location", ""), cert), text[:200])
        finally:
            check("second server exits", S.stop() == 0)
    S = Server(binary)
    try:
        st, _, text, _ = req("PUT", "/_emulator/state", body=doc)
        check("state import of the export", st == 200, text[:300])
        for cid, cert in made:
            st, h, text, _ = start(connection_id=cid)
            check("after an import the AuthnRequest verifies with the imported certificate", st == 302 and
                  authn_signature_ok(h.get("location", ""), cert), text[:200])
        # A key that is not the certificate's, or not a key, is refused and changes nothing.
        bad = json.loads(json.dumps(doc))
        c0 = [c for c in bad["saml_connections"] if c["connection_id"] == made[0][0]][0]
        c1 = [c for c in bad["saml_connections"] if c["connection_id"] == made[1][0]][0]
        c0["signing_certificates"][0]["private_key"] = c1["signing_certificates"][0]["private_key"]
        c0["display_name"] = "changed"
        expect_error("import: another certificate's key", req("PUT", "/_emulator/state", body=bad), 400, "bad_request")
        c0["signing_certificates"][0]["private_key"] = "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n"
        expect_error("import: not a key", req("PUT", "/_emulator/state", body=bad), 400, "bad_request")
        c0["signing_certificates"][0]["private_key"] = 7
        expect_error("import: not a string", req("PUT", "/_emulator/state", body=bad), 400, "bad_request")
        st, _, text, js = req("GET", "/_emulator/state")
        check("a refused import changes nothing", st == 200 and json.dumps(js, sort_keys=True) == json.dumps(doc, sort_keys=True), "")
        # A certificate imported without its key (as an older build stored them) cannot sign: the start says so.
        del c0["signing_certificates"][0]["private_key"]
        c0["display_name"] = "made by API"
        st, _, text, _ = req("PUT", "/_emulator/state", body=bad)
        check("import of a certificate without its key", st == 200, text[:300])
        st, _, text, js = start(connection_id=made[0][0])
        check("a start with no key to sign with is refused, never sent unsigned", st == 500 and
              "signing_private_key" in (js or {}).get("error_message", ""), text[:300])
        reset()
        st, _, text, js = req("GET", "/_emulator/state")
        check("reset clears the generated keys", all(made[i][0] not in text for i in range(2)) and
              all(made[i][1] not in text for i in range(2)), "")
        expect_error("and their connections", start(connection_id=made[0][0]), 404, "sso_connection_not_found")
    finally:
        check("import server exits", S.stop() == 0)
    S = main_server


def main():
    global S
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    args = ap.parse_args()
    S = Server(args.bin)
    try:
        for t in [t_saml_login_and_authenticate, t_saml_jit_signup_and_roles, t_saml_post_binding_and_login_page,
                  t_saml_outcomes, t_saml_acs_errors, t_start_errors, t_external, t_oidc, t_idp_documents,
                  t_authn_request_signature, t_metadata_url_of_the_builtin_idp, t_pipeline_rules,
                  t_authenticate_errors, t_jit_rules_and_settings]:
            reset()
            try:
                t()
            except Exception as e:  # a crash in one test is one failure
                failures.append(t.__name__)
                print("FAIL %s raised %r" % (t.__name__, e))
        try:
            reset()
            t_outside_oidc_provider(args.bin)
        except Exception as e:
            failures.append("t_outside_oidc_provider")
            print("FAIL t_outside_oidc_provider raised %r" % (e,))
        try:
            reset()
            t_generated_signing_keys(args.bin)
        except Exception as e:
            failures.append("t_generated_signing_keys")
            print("FAIL t_generated_signing_keys raised %r" % (e,))
        try:
            reset()
            t_state_and_restart(args.bin)
        except Exception as e:
            failures.append("t_state_and_restart")
            print("FAIL t_state_and_restart raised %r" % (e,))
    finally:
        rc = S.stop()
    check("the server exits cleanly", rc == 0, "exit code %r" % rc)
    print("%d checks, %d failed" % (count[0], len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
