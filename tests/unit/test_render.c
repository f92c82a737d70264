/* Unit tests for render/: SAML and OIDC status rules, callback URLs, both names of the encryption
 * key list, SCIM bearer tokens and base_url, secrets never rendered, members and sessions. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "model/model.h"
#include "util/errors_code.h"
#include "model/rbac.h"
#include "model/render.h"
#include "testutil.h"

#define PUBLIC_URL "https://sso.example.test"

/* A SAML connection with everything an active one needs. */
static se_saml saml_active(void)
{
	se_saml c = {0};
	c.connection_id = strdup("saml-connection-test-r");
	c.organization_id = strdup(T_ORG_ACME);
	c.idp_sso_url = strdup("https://idp.test/sso");
	c.idp_entity_id = strdup("https://idp.test/entity");
	c.attribute_mapping = json_pack("{s:s, s:s}", "email", "mail", "full_name", "name");
	c.verification_certificates = json_pack("[{s:s}]", "certificate_id", "v");
	ck_assert_int_eq(se_conn_fill_defaults(se_kind_get(SE_KIND_SAML), &c), 0);
	return c;
}

static const char *str(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);
	ck_assert_msg(json_is_string(v), "%s is not a string", key);
	return json_string_value(v);
}

START_TEST(test_org)
{
	se_org o = {0};
	o.organization_id = strdup(T_ORG_ACME);
	o.organization_slug = strdup("acme");
	o.organization_name = strdup("Acme");
	o.email_allowed_domains = json_pack("[s]", "acme.test");
	o.created_at = strdup("2026-01-01T00:00:00Z");
	o.settings = json_pack("{s:s}", "mfa_policy", "REQUIRED_FOR_ALL");
	json_t *j = se_render_org(&o);
	ck_assert_ptr_nonnull(j);
	/* Unset: null for the default connection and the SCIM connection, never "". */
	ck_assert(json_is_null(json_object_get(j, "sso_default_connection_id")));
	ck_assert(json_is_null(json_object_get(j, "scim_active_connection")));
	ck_assert_int_eq(json_array_size(json_object_get(j, "sso_active_connections")), 0);
	ck_assert_str_eq(str(j, "mfa_policy"), "REQUIRED_FOR_ALL");
	ck_assert_str_eq(str(j, "sso_jit_provisioning"), "ALL_ALLOWED");
	ck_assert_str_eq(str(j, "email_jit_provisioning"), "NOT_ALLOWED");
	ck_assert_str_eq(str(j, "organization_logo_url"), "");
	ck_assert_str_eq(str(j, "updated_at"), "2026-01-01T00:00:00Z");
	ck_assert(json_is_object(json_object_get(j, "trusted_metadata")));
	ck_assert_ptr_null(json_object_get(j, "organization_external_id"));
	json_decref(j);
	o.sso_default_connection_id = strdup("saml-connection-test-x");
	o.organization_external_id = strdup("ext");
	o.scim_active_connection = json_pack("{s:s, s:s}", "connection_id", "scim-connection-test-x", "display_name", "");
	j = se_render_org(&o);
	ck_assert_str_eq(str(j, "sso_default_connection_id"), "saml-connection-test-x");
	ck_assert_str_eq(str(j, "organization_external_id"), "ext");
	ck_assert_str_eq(str(json_object_get(j, "scim_active_connection"), "connection_id"), "scim-connection-test-x");
	json_decref(j);
	se_org_release(&o);
}
END_TEST

START_TEST(test_org_settings)
{
	const char *why = NULL;
	int at = 0;
	json_t *v = json_pack("[s, s]", "sso", "pigeon");
	ck_assert_int_eq(se_org_setting_check(se_org_setting_get("allowed_auth_methods"), v, &why, &at), SE_EINVAL);
	ck_assert_int_eq(at, 1);
	json_decref(v);
	v = json_string("RESTRICTED");
	ck_assert_int_eq(se_org_setting_check(se_org_setting_get("email_invites"), v, &why, &at), 0);
	ck_assert_int_eq(se_org_setting_check(se_org_setting_get("mfa_policy"), v, &why, &at), SE_EINVAL);
	json_decref(v);
	v = json_pack("[{s:s}]", "role_id", "r");
	ck_assert_int_eq(se_org_setting_check(se_org_setting_get("rbac_email_implicit_role_assignments"), v, &why, &at),
			 SE_EINVAL);
	json_decref(v);
	ck_assert_ptr_null(se_org_setting_get("nope"));
	ck_assert(se_org_slug_valid("ac"));
	ck_assert(se_org_slug_valid("a.c_m~e-1"));
	ck_assert(!se_org_slug_valid("a"));
	ck_assert(!se_org_slug_valid("Acme"));
	ck_assert(!se_org_slug_valid("ac me"));
	char slug[130];
	memset(slug, 'a', 129);
	slug[129] = '\0';
	ck_assert(!se_org_slug_valid(slug));
	slug[128] = '\0';
	ck_assert(se_org_slug_valid(slug));
}
END_TEST

START_TEST(test_saml_status)
{
	const se_kind *k = se_kind_get(SE_KIND_SAML);
	se_saml c = saml_active();
	ck_assert_str_eq(se_saml_status(&c), "active");
	json_t *o = se_render_saml(&c, PUBLIC_URL);
	ck_assert_str_eq(str(o, "status"), "active");
	json_decref(o);

	/* Take each requirement away in turn. */
	se_saml d;
	ck_assert_int_eq(se_conn_copy(k, &c, &d), 0);
	free(d.idp_sso_url);
	d.idp_sso_url = strdup("");
	ck_assert_str_eq(se_saml_status(&d), "pending");
	se_conn_release(k, &d);

	ck_assert_int_eq(se_conn_copy(k, &c, &d), 0);
	free(d.idp_entity_id);
	d.idp_entity_id = NULL;
	ck_assert_str_eq(se_saml_status(&d), "pending");
	se_conn_release(k, &d);

	ck_assert_int_eq(se_conn_copy(k, &c, &d), 0);
	json_object_del(d.attribute_mapping, "email");
	ck_assert_str_eq(se_saml_status(&d), "pending");
	json_object_set_new(d.attribute_mapping, "email", json_string(""));
	ck_assert_str_eq(se_saml_status(&d), "pending");
	json_object_set_new(d.attribute_mapping, "email", json_integer(1));
	ck_assert_str_eq(se_saml_status(&d), "pending");
	se_conn_release(k, &d);

	ck_assert_int_eq(se_conn_copy(k, &c, &d), 0);
	json_array_clear(d.verification_certificates);
	ck_assert_str_eq(se_saml_status(&d), "pending");
	o = se_render_saml(&d, PUBLIC_URL);
	ck_assert_str_eq(str(o, "status"), "pending");
	json_decref(o);
	se_conn_release(k, &d);

	/* A signing certificate is not a verification certificate. */
	ck_assert_int_eq(se_conn_copy(k, &c, &d), 0);
	json_decref(d.signing_certificates);
	d.signing_certificates = d.verification_certificates;
	d.verification_certificates = json_array();
	ck_assert_str_eq(se_saml_status(&d), "pending");
	se_conn_release(k, &d);

	se_conn_release(k, &c);
}
END_TEST

START_TEST(test_saml_urls_and_keys)
{
	se_saml c = saml_active();
	json_decref(c.encryption_private_keys);
	c.encryption_private_keys =
	    json_pack("[{s:s, s:s}]", "private_key_id", "saml-encryption-key-test-1", "private_key", "PEM");
	json_t *o = se_render_saml(&c, PUBLIC_URL);
	ck_assert_ptr_nonnull(o);
	ck_assert_str_eq(str(o, "acs_url"), PUBLIC_URL "/v1/b2b/sso/callback/saml-connection-test-r");
	ck_assert_str_eq(str(o, "audience_uri"), PUBLIC_URL "/v1/b2b/sso/callback/saml-connection-test-r");
	ck_assert_str_eq(str(o, "connection_id"), "saml-connection-test-r");
	ck_assert_str_eq(str(o, "organization_id"), T_ORG_ACME);
	/* The frontend SDK's name and the backend's, same content, separate copies. */
	json_t *a = json_object_get(o, "encryption_private_keys"),
	       *b = json_object_get(o, "saml_encryption_private_keys");
	ck_assert(json_is_array(a));
	ck_assert(json_equal(a, b));
	ck_assert(json_equal(a, c.encryption_private_keys));
	ck_assert_ptr_ne(a, b);
	ck_assert_ptr_ne(a, c.encryption_private_keys);
	/* Role lists are named as the API names them. */
	ck_assert(json_is_array(json_object_get(o, "saml_connection_implicit_role_assignments")));
	ck_assert(json_is_array(json_object_get(o, "saml_group_implicit_role_assignments")));
	ck_assert_ptr_null(json_object_get(o, "connection_role_assignments"));
	ck_assert(json_is_false(json_object_get(o, "idp_initiated_auth_disabled")));
	json_decref(o);
	se_conn_release(se_kind_get(SE_KIND_SAML), &c);
}
END_TEST

START_TEST(test_unset_strings_are_empty)
{
	/* Fields never set render as "" and JSON lists as their defaults, never null. */
	se_saml c = {0};
	c.connection_id = strdup("saml-connection-test-bare");
	c.organization_id = strdup(T_ORG_ACME);
	json_t *o = se_render_saml(&c, PUBLIC_URL);
	ck_assert_ptr_nonnull(o);
	ck_assert_str_eq(str(o, "display_name"), "");
	ck_assert_str_eq(str(o, "idp_sso_url"), "");
	ck_assert(json_is_array(json_object_get(o, "signing_certificates")));
	ck_assert(json_is_object(json_object_get(o, "attribute_mapping")));
	ck_assert(json_is_array(json_object_get(o, "saml_encryption_private_keys")));
	ck_assert_str_eq(str(o, "status"), "pending");
	const char *key;
	json_t *v;
	json_object_foreach (o, key, v)
		ck_assert_msg(!json_is_null(v), "%s is null", key);
	json_decref(o);
	se_conn_release(se_kind_get(SE_KIND_SAML), &c);
}
END_TEST

START_TEST(test_oidc)
{
	const se_kind *k = se_kind_get(SE_KIND_OIDC);
	se_oidc c = {0};
	c.connection_id = strdup("oidc-connection-test-r");
	c.organization_id = strdup(T_ORG_ACME);
	c.issuer = strdup("https://issuer.test");
	c.client_id = strdup("id");
	c.client_secret = strdup("secret");
	c.authorization_url = strdup("https://issuer.test/a");
	c.token_url = strdup("https://issuer.test/t");
	c.userinfo_url = strdup("https://issuer.test/u");
	c.jwks_url = strdup("https://issuer.test/j");
	ck_assert_int_eq(se_conn_fill_defaults(k, &c), 0);
	ck_assert_str_eq(se_oidc_status(&c), "active");
	json_t *o = se_render_oidc(&c, PUBLIC_URL);
	ck_assert_str_eq(str(o, "status"), "active");
	ck_assert_str_eq(str(o, "redirect_url"), PUBLIC_URL "/v1/b2b/sso/callback/oidc-connection-test-r");
	json_decref(o);
	/* userinfo_url is optional (ORG.md section 6). */
	free(c.userinfo_url);
	c.userinfo_url = strdup("");
	ck_assert_str_eq(se_oidc_status(&c), "active");
	char **fields[] = {&c.issuer, &c.client_id, &c.client_secret, &c.authorization_url, &c.token_url, &c.jwks_url};
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
		char *saved = *fields[i];
		*fields[i] = (char *)"";
		ck_assert_msg(strcmp(se_oidc_status(&c), "pending") == 0, "field %zu", i);
		*fields[i] = saved;
	}
	ck_assert_str_eq(se_oidc_status(&c), "active");
	se_conn_release(k, &c);
}
END_TEST

START_TEST(test_external)
{
	se_external c = {0};
	c.connection_id = strdup("external-connection-test-r");
	c.organization_id = strdup(T_ORG_ACME);
	c.external_organization_id = strdup(T_ORG_GLOBEX);
	c.external_connection_id = strdup(T_GLOBEX_SAML);
	c.group_role_assignments = json_pack("[{s:s, s:s}]", "role_id", "stytch_admin", "group", "g");
	json_t *o = se_render_conn(se_kind_get(SE_KIND_EXTERNAL), &c, PUBLIC_URL);
	ck_assert_ptr_nonnull(o);
	ck_assert_str_eq(str(o, "status"), "active");
	ck_assert_str_eq(str(o, "display_name"), "");
	ck_assert_str_eq(str(o, "external_connection_id"), T_GLOBEX_SAML);
	ck_assert(json_equal(json_object_get(o, "external_group_implicit_role_assignments"), c.group_role_assignments));
	ck_assert_uint_eq(json_array_size(json_object_get(o, "external_connection_implicit_role_assignments")), 0);
	json_decref(o);
	se_conn_release(se_kind_get(SE_KIND_EXTERNAL), &c);
}
END_TEST

static se_scim scim(const char *idp)
{
	se_scim c = {0};
	c.connection_id = strdup("scim-connection-test-r");
	c.organization_id = strdup(T_ORG_ACME);
	c.identity_provider = strdup(idp);
	c.bearer_token_hash = strdup("hash-of-the-token");
	c.bearer_token_last_four = strdup("WXYZ");
	c.bearer_token_expires_at = strdup("2027-01-01T00:00:00Z");
	c.next_bearer_token_hash = strdup("hash-of-the-next");
	c.next_bearer_token_last_four = strdup("NEXT");
	ck_assert_int_eq(se_conn_fill_defaults(se_kind_get(SE_KIND_SCIM), &c), 0);
	return c;
}

START_TEST(test_scim_tokens)
{
	se_scim c = scim("okta");
	/* Stored view: last four, never a hash. */
	json_t *o = se_render_conn(se_kind_get(SE_KIND_SCIM), &c, PUBLIC_URL);
	ck_assert_str_eq(str(o, "bearer_token_last_four"), "WXYZ");
	ck_assert_str_eq(str(o, "next_bearer_token_last_four"), "NEXT");
	ck_assert_ptr_null(json_object_get(o, "bearer_token"));
	ck_assert_ptr_null(json_object_get(o, "bearer_token_hash"));
	ck_assert_ptr_null(json_object_get(o, "next_bearer_token_hash"));
	ck_assert_str_eq(str(o, "status"), "active");
	ck_assert(json_is_array(json_object_get(o, "scim_group_implicit_role_assignments")));
	json_decref(o);

	/* Create: the whole token replaces the last four. */
	o = se_render_scim(&c, PUBLIC_URL, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRWXYZ", NULL);
	ck_assert_str_eq(str(o, "bearer_token"), "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRWXYZ");
	ck_assert_ptr_null(json_object_get(o, "bearer_token_last_four"));
	ck_assert_str_eq(str(o, "next_bearer_token_last_four"), "NEXT");
	ck_assert_ptr_null(json_object_get(o, "next_bearer_token"));
	json_decref(o);

	/* Rotate start: the next token likewise. */
	o = se_render_scim(&c, PUBLIC_URL, NULL, "the-next-token");
	ck_assert_str_eq(str(o, "next_bearer_token"), "the-next-token");
	ck_assert_ptr_null(json_object_get(o, "next_bearer_token_last_four"));
	ck_assert_str_eq(str(o, "bearer_token_last_four"), "WXYZ");
	ck_assert_ptr_null(json_object_get(o, "bearer_token"));
	json_decref(o);

	/* No secret field of any kind is rendered. */
	for (int kind = 0; kind < SE_KIND__COUNT; kind++) {
		const se_kind *k = se_kind_get((se_kind_id)kind);
		for (size_t i = 0; i < k->n_fields; i++)
			if (k->fields[i].flags & SE_FIELD_SECRET) {
				ck_assert_int_eq(kind, SE_KIND_SCIM);
				o = se_render_fields(k, &c);
				ck_assert_ptr_null(json_object_get(o, k->fields[i].column));
				json_decref(o);
			}
	}
	se_conn_release(se_kind_get(SE_KIND_SCIM), &c);
}
END_TEST

START_TEST(test_scim_base_url)
{
	se_scim c = scim("okta");
	json_t *o = se_render_scim(&c, PUBLIC_URL, NULL, NULL);
	ck_assert_str_eq(str(o, "base_url"), PUBLIC_URL "/v1/b2b/scim/scim-connection-test-r");
	json_decref(o);
	se_conn_release(se_kind_get(SE_KIND_SCIM), &c);

	c = scim("microsoft-entra");
	o = se_render_scim(&c, PUBLIC_URL, NULL, NULL);
	ck_assert_str_eq(str(o, "base_url"), PUBLIC_URL "/v1/b2b/scim/scim-connection-test-r?aadOptscim062020");
	json_decref(o);
	se_conn_release(se_kind_get(SE_KIND_SCIM), &c);
}
END_TEST

START_TEST(test_member_and_session)
{
	se_member m = {
	    .member_id = (char *)T_MEMBER_ALICE,
	    .organization_id = (char *)T_ORG_ACME,
	    .email_address = (char *)"alice@acme.test",
	    .name = (char *)"Alice",
	    .created_at = (char *)"2026-01-01T00:00:00Z",
	};
	m.roles = json_pack("[s]", "stytch_admin");
	json_t *o = se_render_member(&m);
	ck_assert_ptr_nonnull(o);
	ck_assert_str_eq(str(o, "member_id"), T_MEMBER_ALICE);
	ck_assert_str_eq(str(o, "status"), "active");
	json_t *roles = json_object_get(o, "roles");
	ck_assert_uint_eq(json_array_size(roles), 2);
	ck_assert_str_eq(str(json_array_get(roles, 0), "role_id"), SE_RBAC_DEFAULT_ROLE);
	ck_assert_str_eq(str(json_array_get(roles, 1), "role_id"), "stytch_admin");
	json_decref(o);

	se_org org = {.organization_id = (char *)T_ORG_ACME,
	              .organization_slug = (char *)"acme",
	              .organization_name = (char *)"Acme",
	              .created_at = (char *)"2026-01-01T00:00:00Z"};
	org.email_allowed_domains = json_pack("[s]", "acme.test");
	o = se_render_org(&org);
	ck_assert_ptr_nonnull(o);
	ck_assert_str_eq(str(o, "organization_slug"), "acme");
	ck_assert(json_equal(json_object_get(o, "email_allowed_domains"), org.email_allowed_domains));
	json_decref(o);

	se_session s = {.session_token = (char *)"session-acme-admin",
	                .member_session_id = (char *)"member-session-test-1",
	                .member_id = (char *)T_MEMBER_ALICE,
	                .started_at = (char *)"2026-01-01T00:00:00Z"};
	o = se_render_member_session(&s, &m, &org);
	ck_assert_ptr_nonnull(o);
	ck_assert_str_eq(str(o, "member_session_id"), "member-session-test-1");
	ck_assert_str_eq(str(o, "organization_slug"), "acme");
	/* A session that never expires still shows a date. */
	ck_assert(t_match(str(o, "expires_at"), "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z"));
	ck_assert_ptr_null(json_object_get(o, "session_token"));
	roles = json_object_get(o, "roles");
	ck_assert_str_eq(json_string_value(json_array_get(roles, 0)), SE_RBAC_DEFAULT_ROLE);
	ck_assert_str_eq(json_string_value(json_array_get(roles, 1)), "stytch_admin");
	json_decref(o);
	json_decref(org.email_allowed_domains);
	json_decref(m.roles);
}
END_TEST

static Suite *render_suite(void)
{
	Suite *s = suite_create("render");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_saml_status);
	tcase_add_test(tc, test_org);
	tcase_add_test(tc, test_org_settings);
	tcase_add_test(tc, test_saml_urls_and_keys);
	tcase_add_test(tc, test_unset_strings_are_empty);
	tcase_add_test(tc, test_oidc);
	tcase_add_test(tc, test_external);
	tcase_add_test(tc, test_scim_tokens);
	tcase_add_test(tc, test_scim_base_url);
	tcase_add_test(tc, test_member_and_session);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(render_suite());
	srunner_set_fork_status(sr, CK_FORK);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed != 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
