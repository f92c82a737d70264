#!/usr/bin/env python3
"""End-to-end tests of the SCIM 2.0 service provider (SCIM.md) against the real binary: an Okta-shaped
and an Entra-shaped provisioning session, their effects through the connection API on both surfaces
(getConnectionGroups, role assignments, RBAC), token rotation, hostile input, state export and reset.

Usage: scim_provider.py --bin PATH
Starts `ssoemu --port 0` on 127.0.0.1 with the default fixtures; prints one line per failed check and
a summary `N passed, M failed`; exits 1 when anything failed.
"""
import argparse
import base64
import http.client
import json
import os
import re
import subprocess
import sys
import time
import urllib.parse

PROJECT = "project-test-11111111-1111-4111-8111-111111111111"
SECRET = "secret-test-ssoemu-local-secret-0000000000000"
PUBLIC = "public-token-test-11111111-1111-4111-8111-111111111111"
ACME = "organization-test-aaaaaaaa-0000-4000-8000-000000000001"
GLOBEX = "organization-test-bbbbbbbb-0000-4000-8000-000000000002"
BOB = "member-test-aaaaaaaa-0000-4000-8000-0000000000a2"
API = "Basic " + base64.b64encode(("%s:%s" % (PROJECT, SECRET)).encode()).decode()
CORE = "urn:ietf:params:scim:schemas:core:2.0:User"
ENT = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"

passed, failed = 0, 0


def check(ok, what):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print("FAIL: " + what)
    return ok


class Server:
    def __init__(self, binary, args):
        self.p = subprocess.Popen([binary, "--port", "0", "--rate-limit", "off"] + args,
                                  stdout=subprocess.PIPE, stderr=(None if os.environ.get("SCIM_E2E_STDERR") else subprocess.DEVNULL))
        line = self.p.stdout.readline()
        m = re.search(rb":(\d+)\s*$", line)
        if not m:
            self.p.kill()
            raise SystemExit("scim_provider: the server did not start: %r" % line)
        self.port = int(m.group(1))

    def req(self, method, path, body=None, headers=None, raw=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=20)
        h = dict(headers or {})
        data = raw if raw is not None else (json.dumps(body) if body is not None else None)
        if data is not None and "Content-Type" not in h:
            h["Content-Type"] = "application/scim+json"
        conn.request(method, path, body=data, headers=h)
        r = conn.getresponse()
        text = r.read()
        conn.close()
        try:
            js = json.loads(text) if text else None
        except ValueError:
            js = None
        return r.status, js, dict((k.lower(), v) for k, v in r.getheaders()), text

    def api(self, method, path, body=None, session=None):
        h = {"Authorization": API, "Content-Type": "application/json"}
        if session:
            h["X-Stytch-Member-Session"] = session
        return self.req(method, "/v1" + path, body if body is not None else ({} if method != "GET" else None), h)

    def sdk(self, method, path, session, body=None):
        auth = "Basic " + base64.b64encode(("%s:%s" % (PUBLIC, session)).encode()).decode()
        return self.req(method, "/sdk/v1" + path, body, {"Authorization": auth, "Content-Type": "application/json"})

    def control(self, method, path, body=None):
        return self.req(method, "/_emulator" + path, body, {"Content-Type": "application/json"})

    def stop(self):
        self.p.terminate()
        try:
            self.p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()
        # Under the sanitizers a leak or an invalid access makes the exit status non-zero.
        check(self.p.returncode == 0, "the server stopped cleanly (exit status %s)" % self.p.returncode)


class Scim:
    def __init__(self, srv, base_url, token):
        u = urllib.parse.urlsplit(base_url)
        self.srv, self.path, self.token = srv, u.path, token

    def __call__(self, method, rel, body=None, token=None, raw=None, headers=None):
        h = {"Authorization": "Bearer " + (token or self.token)}
        h.update(headers or {})
        return self.srv.req(method, self.path + rel, body, h, raw)


def is_scim_error(st, js, hd, status, scim_type=None):
    ok = (js is not None and js.get("schemas") == [ERROR] and js.get("status") == str(status)
          and hd.get("content-type") == "application/scim+json" and st == status)
    if scim_type:
        ok = ok and js.get("scimType") == scim_type
    return ok


def q(s):
    return urllib.parse.quote(s, safe="")


def okta(srv):
    st, js, hd, _ = srv.api("POST", "/b2b/scim/%s/connection" % ACME, {"display_name": "Okta", "identity_provider": "okta"})
    check(st == 200, "create SCIM connection: %s" % st)
    conn = js["connection"]
    s = Scim(srv, conn["base_url"], conn["bearer_token"])
    cid = conn["connection_id"]

    st, js, hd, _ = s("GET", "/Users?startIndex=1&count=2")
    check(st == 200 and js["totalResults"] == 0 and js["Resources"] == [] and js["itemsPerPage"] == 0 and
          js["startIndex"] == 1, "Okta's probe lists no users: %s %s" % (st, js))
    check(hd.get("content-type") == "application/scim+json", "media type application/scim+json")
    check(re.match(r"request-id-test-[0-9a-f-]{36}$", hd.get("x-request-id", "")), "X-Request-Id")
    st, js, hd, _ = s("GET", "/Users?filter=" + q('userName eq "dana@acme.test"') + "&startIndex=1&count=100")
    check(st == 200 and js["totalResults"] == 0, "filter before create")

    dana = {"schemas": [CORE], "userName": "dana@acme.test", "name": {"givenName": "Dana", "familyName": "Lee"},
            "emails": [{"primary": True, "value": "dana@acme.test", "type": "work"}], "displayName": "Dana Lee",
            "locale": "en-US", "externalId": "00u1a2b3c4d5e6f7g8h9", "groups": [], "password": "Secr3t!", "active": True}
    st, js, hd, text = s("POST", "/Users", dana, headers={"Content-Type": "text/json"})
    check(st == 201, "create user: %s %s" % (st, js))
    uid = js["id"]
    check(uid.startswith("member-test-"), "user id is a member id")
    check(hd.get("location") == js["meta"]["location"] and js["meta"]["location"].endswith("/Users/" + uid),
          "Location is meta.location")
    check(b"password" not in text and b"Secr3t" not in text, "password never returned")
    check(js["active"] is True and js["name"]["givenName"] == "Dana", "user rendered")
    st, js, hd, _ = s("POST", "/Users", dict(dana, userName="DANA@acme.test"))
    check(is_scim_error(st, js, hd, 409, "uniqueness"), "userName unique case-insensitively: %s %s" % (st, js))
    st, js, hd, _ = s("POST", "/Users", {"schemas": [CORE], "userName": "erin@acme.test"})
    check(st == 201, "second user")
    erin = js["id"]
    st, js, hd, _ = s("POST", "/Users", {"schemas": [CORE], "userName": "bob@acme.test",
                                       "name": {"formatted": "Robert"}})
    check(st == 201 and js["id"] == BOB, "a fixture member with the same email is adopted: %s" % js)

    st, js, hd, _ = s("GET", "/Users?filter=" + q('userName eq "dana@acme.test"') + "&startIndex=1&count=100")
    check(st == 200 and js["totalResults"] == 1 and js["Resources"][0]["id"] == uid, "find by userName")
    st, js, hd, _ = s("GET", "/Users?filter=" + q('emails[type eq "work"].value eq "DANA@acme.test"'))
    check(st == 200 and js["totalResults"] == 1, "find by work email: %s" % js)
    st, js, hd, _ = s("GET", "/Users?filter=" + q('externalId eq "00u1a2b3c4d5e6f7g8h9" and active eq true'))
    check(st == 200 and js["totalResults"] == 1, "externalId and active")
    st, js, hd, _ = s("GET", "/Users?startIndex=2&count=1")
    check(st == 200 and js["totalResults"] == 3 and js["itemsPerPage"] == 1 and js["Resources"][0]["id"] == erin,
          "paging in creation order")
    st, js, hd, _ = s("GET", "/Users?count=0")
    check(st == 200 and js["totalResults"] == 3 and js["Resources"] == [], "count=0")
    st, js, hd, _ = s("GET", "/Users/" + uid + "?attributes=userName")
    check(st == 200 and set(js) == {"schemas", "id", "userName"}, "attributes projection: %s" % js)

    # The member is in the organization.
    st, js, hd, _ = srv.control("POST", "/sessions", {"member_id": uid})
    check(st == 200, "session for the provisioned member: %s %s" % (st, js))
    dana_session = js.get("session_token") if js else None

    # Group push.
    st, js, hd, _ = s("POST", "/Groups", {"schemas": [GROUP], "displayName": "Engineering", "members": []})
    check(st == 201 and hd.get("location", "").endswith("/Groups/" + js["id"]), "create group")
    gid = js["id"]
    st, js, hd, _ = s("POST", "/Groups", {"schemas": [GROUP], "displayName": "engineering"})
    check(is_scim_error(st, js, hd, 409, "uniqueness"), "group name unique")
    st, _, _, text = s("PATCH", "/Groups/" + gid, {"schemas": [PATCH], "Operations": [
        {"op": "add", "path": "members", "value": [{"value": uid, "display": "dana@acme.test"}, {"value": erin}]}]})
    check(st == 204 and text == b"", "add members: 204: %s" % st)
    st, js, hd, _ = s("PATCH", "/Groups/" + gid, {"schemas": [PATCH], "Operations": [
        {"op": "replace", "value": {"id": gid, "displayName": "Eng"}}]})
    check(st == 204, "Okta rename")
    st, js, hd, _ = s("PATCH", "/Groups/" + gid, {"schemas": [PATCH], "Operations": [
        {"op": "remove", "path": 'members[value eq "%s"]' % erin}]})
    check(st == 204, "remove member by filter")
    st, js, hd, _ = s("PATCH", "/Groups/" + gid, {"schemas": [PATCH], "Operations": [
        {"op": "remove", "path": 'members[value eq "%s"]' % erin}]})
    check(st == 204, "removing an absent member is no error")
    st, js, hd, _ = s("PATCH", "/Groups/" + gid, {"schemas": [PATCH], "Operations": [
        {"op": "add", "path": "members", "value": [{"value": "member-test-nobody"}]}]})
    check(is_scim_error(st, js, hd, 400, "invalidValue"), "a member that is not a user")
    st, js, hd, _ = s("GET", "/Groups/" + gid)
    check(st == 200 and js["displayName"] == "Eng" and [m["value"] for m in js["members"]] == [uid] and
          js["members"][0]["display"] == "dana@acme.test", "group after PATCH: %s" % js)
    st, js, hd, _ = s("GET", "/Groups?filter=" + q('displayName eq "eng"') + "&excludedAttributes=members")
    check(st == 200 and js["totalResults"] == 1 and "members" not in js["Resources"][0], "group by displayName")
    st, js, hd, _ = s("GET", "/Users/" + uid)
    check(js.get("groups") and js["groups"][0]["value"] == gid and js["groups"][0]["display"] == "Eng",
          "user's groups: %s" % js.get("groups"))

    # The connection API shows the group, and the group's role reaches the member at once.
    st, js, hd, _ = srv.api("GET", "/b2b/scim/%s/connection/%s" % (ACME, cid))
    check(st == 200 and [(g["group_id"], g["group_name"]) for g in js["scim_groups"]] == [(gid, "Eng")],
          "getConnectionGroups lists the SCIM group: %s" % js)
    st, js, hd, _ = srv.api("GET", "/b2b/scim/%s/connection" % ACME, session=dana_session)
    check(st == 403, "before the role assignment the member may not get the connection: %s" % st)
    st, js, hd, _ = srv.api("PUT", "/b2b/scim/%s/connection/%s" % (ACME, cid),
                           {"scim_group_implicit_role_assignments": [{"role_id": "stytch_admin", "group_id": gid}]})
    check(st == 200 and js["connection"]["scim_group_implicit_role_assignments"][0]["group_name"] == "Eng",
          "role assignment to the group: %s" % js)
    st, js, hd, _ = srv.api("GET", "/b2b/scim/%s/connection" % ACME, session=dana_session)
    check(st == 200, "the group's role counts on the backend surface: %s" % st)
    st, js, hd, _ = srv.sdk("GET", "/b2b/scim", dana_session)
    check(st == 200 and js["data"]["connection"]["connection_id"] == cid, "and on the frontend surface: %s" % st)
    st, js, hd, _ = srv.sdk("POST", "/b2b/scim/groups", dana_session, {})
    check(st == 200 and [(g["group_id"], g["group_name"]) for g in js["data"]["scim_groups"]] == [(gid, "Eng")],
          "getConnectionGroups on the frontend surface: %s %s" % (st, js))
    st, js, hd, _ = srv.sdk("POST", "/b2b/sessions/authenticate", dana_session, {})
    member = js["data"]["member"] if st == 200 else {}
    admin = [r for r in member.get("roles", []) if r["role_id"] == "stytch_admin"]
    check(admin and admin[0]["sources"] == [{"type": "scim_connection_group",
                                              "details": {"connection_id": cid, "group_id": gid}}],
          "the member shows the role with its SCIM group source: %s" % member.get("roles"))
    reg = member.get("scim_registration", {})
    check(reg.get("connection_id") == cid and reg.get("registration_id", "").startswith("scim-member-registration-test-")
          and reg.get("external_id") == "00u1a2b3c4d5e6f7g8h9" and reg["scim_attributes"]["user_name"] == "dana@acme.test"
          and reg["scim_attributes"]["name"]["given_name"] == "Dana" and reg["scim_attributes"]["groups"] == [
              {"value": gid, "display": "Eng"}] and reg["scim_attributes"]["enterprise_extension"]["manager"]["value"] == "",
          "the member carries its SCIM registration: %s" % reg)
    check(member.get("status") == "active" and member.get("name") == "Dana Lee", "member status and name")
    s("PATCH", "/Groups/" + gid, {"schemas": [PATCH], "Operations": [{"op": "replace", "value": {"displayName": "Platform"}}]})
    st, js, hd, _ = srv.api("GET", "/b2b/scim/%s/connection" % ACME)
    check(js["connection"]["scim_group_implicit_role_assignments"][0]["group_name"] == "Platform",
          "a rename shows in the role assignments")

    # Deactivation: status deleted, sessions revoked, roles gone.
    st, js, hd, _ = s("PATCH", "/Users/" + uid, {"schemas": [PATCH], "Operations": [{"op": "replace", "value": {"active": False}}]})
    check(st == 200 and js["active"] is False, "Okta deactivation: %s %s" % (st, js))
    st, js, hd, _ = srv.api("GET", "/b2b/scim/%s/connection" % ACME, session=dana_session)
    check(st == 404 and js["error_type"] == "session_not_found", "sessions revoked on deactivation: %s" % st)
    st, js, hd, _ = srv.control("POST", "/sessions", {"member_id": uid})
    check(st == 400 and "deleted" in js.get("error_message", ""), "no new session for a deactivated member")
    st, js, hd, _ = s("GET", "/Users?filter=" + q("active eq false"))
    check(st == 200 and js["totalResults"] == 1, "deactivated users are still listed")
    st, js, hd, _ = s("PUT", "/Users/" + uid, dict(dana, active=True, displayName="Dana L."))
    check(st == 200 and js["active"] is True and js["displayName"] == "Dana L.", "reactivate with PUT")
    st, js, hd, _ = srv.control("POST", "/sessions", {"member_id": uid})
    dana_session = js.get("session_token") if js else None
    st, js, hd, _ = srv.api("GET", "/b2b/scim/%s/connection" % ACME, session=dana_session)
    check(st == 200, "group roles come back on reactivation: %s" % st)

    # Delete and reprovision.
    st, _, _, text = s("DELETE", "/Users/" + erin)
    check(st == 204 and text == b"", "delete user")
    st, js, hd, _ = s("GET", "/Users/" + erin)
    check(is_scim_error(st, js, hd, 404), "deleted user is 404")
    st, js, hd, _ = s("POST", "/Users", {"schemas": [CORE], "userName": "erin@acme.test"})
    check(st == 201 and js["id"] == erin, "reprovisioned user gets its old id back")
    st, _, _, _ = s("DELETE", "/Groups/" + gid)
    check(st == 204, "delete group")
    st, js, hd, _ = srv.api("GET", "/b2b/scim/%s/connection" % ACME)
    check(js["connection"]["scim_group_implicit_role_assignments"] == [], "role assignments of a deleted group go")
    return s, cid, uid


def entra(srv):
    st, js, hd, _ = srv.api("POST", "/b2b/scim/%s/connection" % GLOBEX, {"identity_provider": "microsoft-entra"})
    conn = js["connection"]
    check(conn["base_url"].endswith("?aadOptscim062020"), "Entra base_url")
    s = Scim(srv, conn["base_url"], conn["bearer_token"])
    st, js, hd, _ = s("GET", "/Users?filter=" + q("userName eq 4d5f9f9c-9b1e-4c1e-8a57-2a3d9c6f0e11"))
    check(st == 200 and js["totalResults"] == 0, "Entra test connection")
    user = {"schemas": [CORE, ENT], "externalId": "jyoung", "userName": "Test_User_ab6490ee@globex.test",
            "active": True, "emails": [{"primary": True, "type": "work", "value": "Test_User_ab6490ee@globex.test"}],
            "displayName": "Young", "name": {"formatted": "Jo Young", "familyName": "Young", "givenName": "Jo"},
            ENT: {"department": "R&D"}}
    st, js, hd, _ = s("POST", "/Users", user)
    check(st == 201 and ENT in js["schemas"], "Entra create: %s" % js)
    uid = js["id"]
    st, js, hd, _ = s("GET", "/Users?filter=" + q("externalId eq jyoung"))
    check(st == 200 and js["totalResults"] == 1, "bare-word filter value")
    ops = [{"op": "Replace", "path": 'emails[type eq "work"].value', "value": "jo@globex.test"},
           {"op": "Replace", "path": "displayName", "value": "Jo Y."},
           {"op": "Add", "path": "name.givenName", "value": "Joanna"},
           {"op": "Add", "path": ENT + ":manager", "value": "member-test-boss"},
           {"op": "Replace", "value": {"title": "Engineer", ENT + ":employeeNumber": "42"}},
           {"op": "Replace", "path": "active", "value": "False"}]
    st, js, hd, _ = s("PATCH", "/Users/" + uid + "?aadOptscim062020", {"schemas": [PATCH], "Operations": ops})
    check(st == 200 and js["emails"][0]["value"] == "jo@globex.test" and js["active"] is False and
          js["name"]["givenName"] == "Joanna" and js["title"] == "Engineer" and
          js[ENT] == {"department": "R&D", "manager": {"value": "member-test-boss"}, "employeeNumber": "42"},
          "Entra PATCH quirks: %s %s" % (st, js))
    st, js, hd, _ = s("GET", "/Users?filter=" + q('id eq "%s" and manager eq "member-test-boss"' % uid))
    check(st == 200 and js["totalResults"] == 1, "Entra's manager query")
    st, js, hd, _ = s("PATCH", "/Users/" + uid, {"schemas": [PATCH], "Operations": [
        {"op": "Replace", "path": ENT + ":manager", "value": [{"$ref": None, "value": "member-test-boss2"}]},
        {"op": "Replace", "path": "active", "value": "True"}]})
    check(st == 200 and js[ENT]["manager"] == {"value": "member-test-boss2"} and js["active"] is True, "manager as a list")
    st, js, hd, _ = s("PATCH", "/Users/" + uid, {"schemas": [PATCH], "Operations": [
        {"op": "Remove", "path": ENT + ":manager"}]})
    check(st == 200 and "manager" not in js[ENT], "manager cleared")
    st, js, hd, _ = s("POST", "/Groups", {"schemas": [GROUP, "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSchema/Group"],
                                        "externalId": "8aa1a0c0-c4c3-4bc0-a4a5-2ef676900159", "displayName": "Sales", "members": []})
    check(st == 201, "Entra group create")
    gid = js["id"]
    st, _, _, _ = s("PATCH", "/Groups/" + gid, {"schemas": [PATCH], "Operations": [
        {"op": "Add", "path": "members", "value": [{"$ref": None, "value": uid}]}]})
    check(st == 204, "Entra add member")
    st, _, _, _ = s("PATCH", "/Groups/" + gid, {"schemas": [PATCH], "Operations": [
        {"op": "Replace", "path": "displayName", "value": "Sales EU"}]})
    check(st == 204, "Entra rename")
    st, js, hd, _ = s("PATCH", "/Groups/" + gid + "?excludedAttributes=members", {"schemas": [PATCH], "Operations": [
        {"op": "Remove", "path": "members", "value": [{"value": uid}]}]})
    check(st == 200 and js["displayName"] == "Sales EU" and "members" not in js, "Entra remove member: %s" % js)
    st, js, hd, _ = srv.api("GET", "/b2b/scim/%s/connection/%s" % (GLOBEX, conn["connection_id"]))
    check(st == 200 and [g["group_name"] for g in js["scim_groups"]] == ["Sales EU"], "Entra group in the connection API")
    return s, uid


def rotation(srv, s, cid):
    old = s.token
    st, js, hd, _ = srv.api("POST", "/b2b/scim/%s/connection/%s/rotate/start" % (ACME, cid))
    new = js["connection"]["next_bearer_token"]
    check(s("GET", "/Users", token=old)[0] == 200 and s("GET", "/Users", token=new)[0] == 200,
          "during a rotation both tokens work")
    srv.api("POST", "/b2b/scim/%s/connection/%s/rotate/complete" % (ACME, cid))
    st, js, hd, _ = s("GET", "/Users", token=old)
    check(is_scim_error(st, js, hd, 401) and "scimType" not in js and 'error="invalid_token"' in hd.get("www-authenticate", ""),
          "after complete the old token is refused: %s %s" % (st, js))
    check(s("GET", "/Users", token=new)[0] == 200, "after complete the new token works")
    s.token = new
    st, js, hd, _ = s.srv.req("GET", s.path + "/Users", None, {"Authorization": "Basic " + base64.b64encode(b"a:b").decode()})
    check(is_scim_error(st, js, hd, 401) and hd.get("www-authenticate") == 'Bearer realm="ssoemu SCIM"' and
          js["detail"] == "A bearer token is required.", "no bearer credentials")
    st, js, hd, _ = s("GET", "/Users", token="x" * 5000)
    check(is_scim_error(st, js, hd, 401), "an over-long token")


def hostile(srv, s, uid):
    st, before, _, _ = s("GET", "/Users/" + uid)
    bad_filters = ['userName eq', 'userName zz "a"', '(userName eq "a"', 'userName eq "a" and', 'emails[type eq "work"',
                   'active gt true', 'userName co 1', '"a" eq userName', 'not userName eq "a"', 'a' * 5000,
                   "(" * 40 + 'userName eq "a"' + ")" * 40,
                   " or ".join(['userName eq "a"'] * 101), 'userName eq "a\\', 'userName eq "a" xor b eq "c"']
    for f in bad_filters:
        st, js, hd, _ = s("GET", "/Users?filter=" + q(f))
        check(is_scim_error(st, js, hd, 400, "invalidFilter"), "filter %r: %s %s" % (f[:40], st, js))
    st, js, hd, _ = s("GET", "/Users?filter=" + q('userName eq "%s"' % ("a" * 10000)))
    check(is_scim_error(st, js, hd, 400, "invalidFilter"), "a filter longer than the edge keeps: %s" % st)
    st, js, hd, _ = s("GET", "/Users?" + "&".join("p%d=1" % i for i in range(40)) + "&filter=" + q('userName eq "x"'))
    check(is_scim_error(st, js, hd, 400, "invalidFilter"), "a filter past the parameter limit: %s" % st)
    st, js, hd, _ = s("GET", "/Users?startIndex=abc")
    check(is_scim_error(st, js, hd, 400, "invalidValue"), "non-integer startIndex")
    st, js, hd, _ = s("GET", "/Users?attributes=" + ",".join("a%d" % i for i in range(101)))
    check(is_scim_error(st, js, hd, 400, "invalidValue"), "over 100 attribute names")
    st, js, hd, _ = s("GET", "/Users?count=5000")
    check(st == 200 and js["itemsPerPage"] <= 1000, "a huge count is capped")
    patches = [
        ("not json", None, "invalidSyntax", "{"),
        ("not an object", None, "invalidSyntax", "[1]"),
        ("no Operations", {"schemas": [PATCH]}, "invalidSyntax", None),
        ("empty Operations", {"schemas": [PATCH], "Operations": []}, "invalidSyntax", None),
        ("wrong schemas", {"schemas": [CORE], "Operations": [{"op": "add", "path": "title", "value": "x"}]}, "invalidSyntax", None),
        ("unknown op", {"Operations": [{"op": "move", "path": "title", "value": "x"}]}, "invalidSyntax", None),
        ("too many ops", {"Operations": [{"op": "add", "path": "title", "value": "x"}] * 1001}, "invalidSyntax", None),
        ("remove without path", {"Operations": [{"op": "remove"}]}, "noTarget", None),
        ("add without value", {"Operations": [{"op": "add", "path": "title"}]}, "invalidValue", None),
        ("bad path", {"Operations": [{"op": "add", "path": "emails[type eq", "value": "x"}]}, "invalidPath", None),
        ("sub of a simple attribute", {"Operations": [{"op": "add", "path": "userName.x", "value": "x"}]}, "invalidPath", None),
        ("path on id", {"Operations": [{"op": "replace", "path": "id", "value": "x"}]}, "mutability", None),
        ("path on groups", {"Operations": [{"op": "add", "path": "groups", "value": [{"value": "x"}]}]}, "mutability", None),
        ("id in value", {"Operations": [{"op": "replace", "value": {"id": "other"}}]}, "mutability", None),
        ("no match on replace", {"Operations": [{"op": "replace", "path": 'emails[type eq "home"].value', "value": "h@x.test"}]}, "noTarget", None),
        ("remove userName", {"Operations": [{"op": "remove", "path": "userName"}]}, "invalidValue", None),
        ("wrong type", {"Operations": [{"op": "replace", "path": "active", "value": "maybe"}]}, "invalidValue", None),
        ("string for a complex", {"Operations": [{"op": "replace", "path": "name", "value": 5}]}, "invalidValue", None),
        ("second op fails", {"Operations": [{"op": "replace", "path": "title", "value": "Boss"},
                                            {"op": "remove", "path": "userName"}]}, "invalidValue", None),
        ("deep value", None, "invalidSyntax", '{"Operations":[{"op":"add","path":"x","value":' + "[" * 40 + "]" * 40 + "}]}"),
    ]
    for name, body, scim_type, raw in patches:
        st, js, hd, _ = s("PATCH", "/Users/" + uid, body, raw=raw)
        check(is_scim_error(st, js, hd, 400, scim_type), "PATCH %s: %s %s" % (name, st, js))
    st, after, _, _ = s("GET", "/Users/" + uid)
    check(after == before, "failed PATCHes changed nothing")
    st, js, hd, _ = s("POST", "/Users", {"userName": "x@acme.test", "emails": [{"value": "y"}] * 1001})
    check(is_scim_error(st, js, hd, 400, "invalidSyntax"), "a list over 1000 items")
    st, js, hd, _ = s("POST", "/Users", {"userName": "no-email"})
    check(is_scim_error(st, js, hd, 400, "invalidValue"), "no usable email")
    st, js, hd, _ = s("POST", "/Users", {"emails": [{"value": "z@acme.test"}]})
    check(is_scim_error(st, js, hd, 400, "invalidValue"), "userName missing")
    st, js, hd, _ = s("POST", "/Users", raw="x" * (1024 * 1024 + 10))
    check(is_scim_error(st, js, hd, 413), "body over 1 MiB")
    st, js, hd, _ = s("GET", "/Nothing")
    check(is_scim_error(st, js, hd, 404), "unknown SCIM path")
    st, js, hd, _ = s("DELETE", "/Users")
    check(is_scim_error(st, js, hd, 404), "method the table lacks")
    st, js, hd, _ = s("POST", "/Bulk", {})
    check(is_scim_error(st, js, hd, 501), "Bulk is 501")
    st, js, hd, _ = s("GET", "/Schemas?filter=" + q('id eq "x"'))
    check(is_scim_error(st, js, hd, 403), "filter on discovery is 403")
    st, js, hd, _ = s("GET", "/Users/" + "x" * 600)
    check(is_scim_error(st, js, hd, 404), "an over-long id segment")
    st, js, hd, _ = s("GET", "/Users/%ZZ")
    check(is_scim_error(st, js, hd, 404), "an undecodable id segment")
    st, js, hd, _ = s("PUT", "/Users/" + uid, {"id": "member-test-other", "userName": "jo@globex.test"})
    check(is_scim_error(st, js, hd, 400, "mutability"), "PUT with another id")
    st, js, hd, _ = s("PUT", "/Users/" + uid, {"schemas": [GROUP], "userName": "jo@globex.test"})
    check(is_scim_error(st, js, hd, 400, "invalidSyntax"), "PUT with the wrong schemas")
    st, js, hd, _ = s("POST", "/Users", {"userName": "other@globex.test"})
    other = js["id"]
    st, js, hd, _ = s("PATCH", "/Users/" + other, {"Operations": [{"op": "replace", "path": "userName",
                                                                      "value": "Test_User_ab6490ee@globex.test"}]})
    check(is_scim_error(st, js, hd, 409, "uniqueness"), "PATCH onto another user's userName: %s %s" % (st, js))
    st, js, hd, _ = s("PATCH", "/Users/" + other, {"Operations": [{"op": "add", "path": "emails",
                                                                      "value": [{"value": "jo@globex.test", "primary": True}]}]})
    check(is_scim_error(st, js, hd, 409, "uniqueness"), "PATCH onto another member's email: %s %s" % (st, js))
    st, js, hd, _ = s("POST", "/Users", {"userName": "grace@globex.test"})
    check(st == 201, "adopting the fixture member of this organization")
    st, js, hd, _ = s("POST", "/Users", {"userName": "x@globex.test", "emails": [{"value": "grace@globex.test"}]})
    check(is_scim_error(st, js, hd, 409, "uniqueness"), "an email another user of the connection has")
    st, js, hd, _ = s("POST", "/Groups", {"displayName": "G2"})
    g2 = js["id"]
    for name, body, code, t in [
            ("no displayName", {"members": []}, 400, "invalidValue"),
            ("displayName not a string", {"displayName": 5}, 400, "invalidValue"),
            ("wrong schemas", {"schemas": [CORE], "displayName": "G3"}, 400, "invalidSyntax"),
            ("a member of another connection", {"displayName": "G3", "members": [{"value": BOB}]}, 400, "invalidValue")]:
        st, js, hd, _ = s("POST", "/Groups", body)
        check(is_scim_error(st, js, hd, code, t), "group create %s: %s %s" % (name, st, js))
    st, js, hd, _ = s("PUT", "/Groups/" + g2, {"id": "scim-group-test-other", "displayName": "G2"})
    check(is_scim_error(st, js, hd, 400, "mutability"), "group PUT with another id")
    st, js, hd, _ = s("PUT", "/Groups/" + g2, {"displayName": "Sales EU"})
    check(is_scim_error(st, js, hd, 409, "uniqueness"), "group PUT onto a taken name")
    st, js, hd, _ = s("PATCH", "/Groups/" + g2, {"Operations": [{"op": "remove", "path": "displayName"}]})
    check(is_scim_error(st, js, hd, 400, "invalidValue"), "removing a group's displayName")
    st, js, hd, _ = s("PUT", "/Groups/" + g2, {"displayName": "G2b", "externalId": "e2", "members": [{"value": uid}]})
    check(st == 200 and js["externalId"] == "e2" and [m["value"] for m in js["members"]] == [uid], "group PUT")
    st, js, hd, _ = s("PUT", "/Groups/" + g2, {"displayName": "G2b"})
    check(st == 200 and len(js.get("members", [])) == 1 and "externalId" not in js, "group PUT keeps members when absent")
    st, js, hd, _ = s("PUT", "/Groups/" + g2, {"displayName": "G2b", "members": None})
    check(st == 200 and "members" not in js, "group PUT with null members empties it")
    for path in ["/Groups/scim-group-test-nothing", "/Users/member-test-nothing"]:
        for method in ["GET", "PUT", "PATCH", "DELETE"]:
            st, js, hd, _ = s(method, path, {"displayName": "x", "userName": "y@globex.test",
                                             "Operations": [{"op": "add", "path": "title", "value": "x"}]})
            check(is_scim_error(st, js, hd, 404), "%s %s unknown: %s" % (method, path, st))
    st, js, hd, _ = s("GET", "/ResourceTypes/Nothing")
    check(is_scim_error(st, js, hd, 404), "unknown resource type")
    st, js, hd, _ = s("GET", "/")
    check(is_scim_error(st, js, hd, 404), "the bare base URL")
    check(s("GET", "/ServiceProviderConfig")[0] == 200, "the server keeps serving")


def discovery(s):
    st, js, hd, _ = s("GET", "/ServiceProviderConfig")
    check(st == 200 and js["patch"]["supported"] is True and js["bulk"]["supported"] is False and
          js["filter"]["maxResults"] == 1000 and js["authenticationSchemes"][0]["type"] == "oauthbearertoken",
          "ServiceProviderConfig")
    st, js, hd, _ = s("GET", "/ResourceTypes")
    check(st == 200 and [r["id"] for r in js["Resources"]] == ["User", "Group"] and
          js["Resources"][0]["schemaExtensions"][0]["schema"] == ENT, "ResourceTypes")
    st, js, hd, _ = s("GET", "/resourcetypes/Group/")
    check(st == 200 and js["endpoint"] == "/Groups", "one ResourceType, case-insensitive, trailing slash")
    st, js, hd, _ = s("GET", "/Schemas")
    names = [a["name"] for a in js["Resources"][0]["attributes"]]
    check(st == 200 and len(js["Resources"]) == 3 and "userName" in names and "password" not in names, "Schemas")
    st, js, hd, _ = s("GET", "/Schemas/" + q(GROUP))
    check(st == 200 and js["id"] == GROUP, "one Schema")
    st, js, hd, _ = s("GET", "/Schemas/urn:nothing")
    check(is_scim_error(st, js, hd, 404), "unknown schema")


def members(srv, uid, cid):
    st, js, hd, _ = srv.control("GET", "/members/" + uid)
    m = js.get("member", {}) if js else {}
    check(st == 200 and m.get("member_id") == uid and m.get("status") == "active" and
          m.get("scim_registration", {}).get("connection_id") == cid, "GET /_emulator/members/{id}: %s" % js)
    st, js, hd, _ = srv.control("GET", "/members?organization_id=%s&limit=2" % ACME)
    check(st == 200 and len(js["members"]) == 2 and all(x["organization_id"] == ACME for x in js["members"]),
          "GET /_emulator/members by organization and limit")
    st, js, hd, _ = srv.control("GET", "/members?organization_id=acme&limit=1000")
    check(st == 200 and any(x["member_id"] == uid for x in js["members"]), "members by slug")
    for q, code, et in [("limit=0", 400, "bad_request"), ("limit=1001", 400, "bad_request"), ("limit=x", 400, "bad_request"),
                        ("organization_id=nope", 404, "organization_not_found")]:
        st, js, hd, _ = srv.control("GET", "/members?" + q)
        check(st == code and js.get("error_type") == et, "members %s: %s %s" % (q, st, js))
    st, js, hd, _ = srv.control("GET", "/members/member-test-nobody")
    check(st == 404 and js.get("error_type") == "member_not_found", "unknown member")


def logs(srv):
    st, js, hd, _ = srv.control("GET", "/requests?limit=1000")
    scim = [r for r in js["requests"] if r.get("surface") == "scim"]
    check(scim and any(r.get("error_type") == "invalidFilter" for r in scim) and
          any(r.get("error_type") == "scim_401" for r in scim), "the request log shows SCIM calls")


def state(srv, uid):
    st, doc, hd, text = srv.control("GET", "/state")
    st, js, hd, _ = srv.control("PUT", "/state", doc)
    check(st == 200, "the exported state imports again: %s %s" % (st, js))
    st, again, hd, text2 = srv.control("GET", "/state")
    if not check(text2 == text, "export, import, export is byte for byte the same"):
        import difflib
        a, b = json.dumps(doc, indent=1).splitlines(), json.dumps(again, indent=1).splitlines()
        print("\n".join(list(difflib.unified_diff(a, b, lineterm=""))[:40]))
    bad = json.loads(text)
    bad["scim_users"][0]["resource"]["userName"] = "someone-else@acme.test"
    bad["scim_users"][0]["resource"].pop("emails", None)
    st, js, hd, _ = srv.control("PUT", "/state", bad)
    check(st == 400 and "scim_users[0]" in js.get("error_message", ""), "a SCIM user whose email does not match: %s" % js)
    bad = json.loads(text)
    bad["scim_groups"][0]["members"] = ["member-test-nobody"]
    st, js, hd, _ = srv.control("PUT", "/state", bad)
    check(st == 400 and "scim_groups[0].members[0]" in js.get("error_message", ""), "a group member that is no user: %s" % js)
    st, js, hd, _ = srv.control("GET", "/state")
    check(json.dumps(js) == json.dumps(again), "a refused import changes nothing")
    # A token past its expiry does not count.
    st, cur, hd, _ = srv.api("GET", "/b2b/scim/%s/connection" % ACME)
    conn = cur["connection"]
    expired = json.loads(text)
    for c in expired["scim_connections"]:
        if c["connection_id"] == conn["connection_id"]:
            c["bearer_token"] = "ExpiredTokenExpiredTokenExpiredTokenExpiredTk01"
            c.pop("bearer_token_hash", None)
            c.pop("bearer_token_last_four", None)
            c["bearer_token_expires_at"] = "2020-01-01T00:00:00Z"
    st, js, hd, _ = srv.control("PUT", "/state", expired)
    check(st == 200, "state with an expired token: %s %s" % (st, js))
    s = Scim(srv, conn["base_url"], "ExpiredTokenExpiredTokenExpiredTokenExpiredTk01")
    st, js, hd, _ = s("GET", "/Users")
    check(is_scim_error(st, js, hd, 401) and 'error="invalid_token"' in hd.get("www-authenticate", ""),
          "an expired token is refused: %s %s" % (st, js))
    srv.control("PUT", "/state", doc)
    st, js, hd, _ = srv.control("GET", "/state")
    users = js.get("scim_users", []) if js else []
    check(st == 200 and any(u["member_id"] == uid and u["resource"]["userName"] for u in users),
          "SCIM users in the state export")
    check(all("status" in m for m in js.get("members", [])), "members carry status in the export")
    srv.control("POST", "/reset")
    st, js, hd, _ = srv.control("GET", "/state")
    check(js.get("scim_users") == [] and js.get("scim_connections") == [], "reset clears SCIM users")


def after_delete(srv, s, cid):
    srv.api("DELETE", "/b2b/scim/%s/connection/%s" % (ACME, cid))
    st, js, hd, _ = s("GET", "/Users")
    check(is_scim_error(st, js, hd, 401), "after delete the token is refused")
    st, js, hd, _ = srv.control("POST", "/sessions", {"member_id": BOB})
    check(st == 200, "members keep their status when the connection goes")


def seeded(binary):
    """Under --seed the ids of SCIM users, groups and registrations come from the one stream."""
    runs = []
    for _ in range(2):
        srv = Server(binary, ["--seed", "7"])
        try:
            st, js, hd, _ = srv.api("POST", "/b2b/scim/%s/connection" % ACME, {})
            s = Scim(srv, js["connection"]["base_url"], js["connection"]["bearer_token"])
            st, u, hd, _ = s("POST", "/Users", {"userName": "z@acme.test"})
            st, g, hd, _ = s("POST", "/Groups", {"displayName": "Z"})
            st, m, hd, _ = srv.control("GET", "/members/" + u["id"])
            runs.append((u["id"], g["id"], m["member"]["scim_registration"]["registration_id"]))
        finally:
            srv.stop()
    check(runs[0] == runs[1], "--seed makes SCIM ids reproducible: %s" % runs)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", required=True)
    a = ap.parse_args()
    srv = Server(a.bin, [])
    try:
        s, cid, uid = okta(srv)
        discovery(s)
        es, euid = entra(srv)
        hostile(srv, es, euid)
        rotation(srv, s, cid)
        logs(srv)
        members(srv, uid, cid)
        state(srv, uid)
    finally:
        srv.stop()
    srv = Server(a.bin, [])
    try:
        st, js, hd, _ = srv.api("POST", "/b2b/scim/%s/connection" % ACME, {})
        s = Scim(srv, js["connection"]["base_url"], js["connection"]["bearer_token"])
        s("POST", "/Users", {"userName": "bob@acme.test"})
        after_delete(srv, s, js["connection"]["connection_id"])
    finally:
        srv.stop()
    srv = Server(a.bin, [])
    try:
        srv.req("PATCH", "/_emulator/config", {"rate_limit": {"requests": 2, "seconds": 60}},
                {"Content-Type": "application/json"})
        st, js, hd, _ = srv.api("POST", "/b2b/scim/%s/connection" % ACME, {})
        s = Scim(srv, js["connection"]["base_url"], js["connection"]["bearer_token"])
        codes = [s("GET", "/Users")[0] for _ in range(3)]
        st, js, hd, _ = s("GET", "/Users")
        check(codes[:2] == [200, 200] and is_scim_error(st, js, hd, 429) and int(hd.get("retry-after", "0")) >= 1,
              "per-connection rate limit: %s %s" % (codes, hd.get("retry-after")))
        check(s("POST", "/Users", {"userName": "rl@acme.test"})[0] == 201, "another operation has its own bucket")
        srv.req("PATCH", "/_emulator/config", {"rate_limit": None}, {"Content-Type": "application/json"})
        srv.req("POST", "/_emulator/faults", {"method": "GET", "path": s.path + "/Groups", "status": 503, "count": 1},
                {"Content-Type": "application/json"})
        st, js, hd, _ = s("GET", "/Groups")
        check(is_scim_error(st, js, hd, 503), "a fault answers with the SCIM error body: %s %s" % (st, js))
        check(s("GET", "/Groups")[0] == 200, "the fault is used up")
    finally:
        srv.stop()
    seeded(a.bin)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
