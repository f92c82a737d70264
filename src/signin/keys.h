/* The built-in identity provider's fixed, public, test-only keys, embedded at build time
 * (fixtures/idp/, SIGNIN.md 6.1). Static storage. */
#ifndef SE_SIGNIN_KEYS_H
#define SE_SIGNIN_KEYS_H

const char *se_idp_saml_key(void);
const char *se_idp_saml_cert(void);
const char *se_idp_oidc_key(void);
const char *se_idp_rogue_key(void);
const char *se_idp_rogue_cert(void);

#endif
