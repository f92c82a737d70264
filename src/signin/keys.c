/* Accessors of the embedded built-in IdP keys (src/meson.build, embedded_idp_keys). */
#include "signin/keys.h"

extern const char *const se_idp_keys[];

const char *se_idp_saml_key(void)
{
	return se_idp_keys[0];
}
const char *se_idp_saml_cert(void)
{
	return se_idp_keys[1];
}
const char *se_idp_oidc_key(void)
{
	return se_idp_keys[2];
}
const char *se_idp_rogue_key(void)
{
	return se_idp_keys[3];
}
const char *se_idp_rogue_cert(void)
{
	return se_idp_keys[4];
}
