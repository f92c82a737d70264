/* The project's JSON Web Key Set: the public half of the key that signs session JWTs, as the
 * backend clients fetch it to verify JWTs locally (GET /v1/b2b/sessions/jwks/{project_id}). */
#include "crypto/digest.h"
#include "crypto/jwt.h"
#include "handlers/handlers.h"

int se_h_sessions_jwks(se_req *r)
{
	json_t *jwk = NULL;
	/* No credentials are needed (the clients fetch it without), but only our project has keys. */
	if (!se_crypto_streq(se_req_arg(r, "project_id"), r->project->project_id))
		return se_req_fail(r, SE_ERR_UNAUTHORIZED_CREDENTIALS, NULL);
	if (se_crypto_jwt_key_public_jwk(r->jwt_key, &jwk) < 0)
		return se_req_internal(r);
	r->out = json_pack("{s:[o]}", "keys", jwk);
	return r->out ? 0 : se_req_internal(r);
}
