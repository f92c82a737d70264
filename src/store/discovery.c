/* The query behind SSO discovery: which organizations allow an email domain. */
#include "util/errors_code.h"
#include "store/store.h"

int se_store_org_ids_by_domain(se_db *db, const char *domain, int (*fn)(const char *org_id, void *ctx), void *ctx)
{
	/* A statement of its own rather than a cached one: fn runs queries while this one steps. */
	static const char sql[] =
	    "SELECT DISTINCT o.organization_id FROM organizations o, json_each(o.email_allowed_domains) d "
	    "WHERE d.type = 'text' AND d.value = ?1 COLLATE NOCASE ORDER BY o.rowid";
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(se_db_handle(db), sql, -1, &st, NULL) != SQLITE_OK)
		return SE_EDB;
	sqlite3_bind_text(st, 1, domain, -1, SQLITE_STATIC);
	int r = 0, rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const unsigned char *id = sqlite3_column_text(st, 0);
		if (!id) {
			r = SE_ENOMEM;
			break;
		}
		if ((r = fn((const char *)id, ctx)) != 0)
			break;
	}
	if (r == 0 && rc != SQLITE_DONE)
		r = SE_EDB;
	sqlite3_finalize(st);
	return r;
}
