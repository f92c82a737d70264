/* SQLite storage: one connection per server thread, numbered migrations, one transaction per write, the queries of
 * each stored object. se_store owns the connections (se_store_close); a se_db is borrowed by its thread; loaded
 * objects are the caller's to release (se_org_release, se_conn_release, ...). */
#ifndef SE_STORE_H
#define SE_STORE_H

#include <jansson.h>
#include <sqlite3.h>
#include <stdbool.h>

#include "model/model.h"

typedef struct se_store se_store;
typedef struct se_db se_db;

/* Opens (creating if needed) the database at path (":memory:" for a private in-memory one),
 * applies the migrations of schema/ and reports in *ret_fresh whether the database was new.
 * On failure *ret_error (malloc'd) says why. Free with se_store_close(). */
int se_store_open(const char *path, se_store **ret, bool *ret_fresh, char **ret_error);

/* Closes every connection of the store. NULL ok. */
void se_store_close(se_store *s);

/* The calling thread's connection, opened on first use and closed when the thread ends or the
 * store closes. NULL when it cannot be opened. Borrowed. */
se_db *se_store_db(se_store *s);

/* The schema version this program writes (the highest migration). */
int se_store_schema_version(void);

/* A prepared statement for sql, cached per connection by the address of sql (pass string
 * literals), reset and with bindings cleared. NULL on a preparation error. Borrowed. */
sqlite3_stmt *se_db_stmt(se_db *db, const char *sql);

/* Like se_db_stmt, but NULL, leaving it alone, when the cached statement is in the middle of a
 * query (a caller iterating its rows runs the same query again): prepare one of your own then. */
sqlite3_stmt *se_db_stmt_idle(se_db *db, const char *sql);

/* The raw handle, for code that needs sqlite3_changes() and the like. */
sqlite3 *se_db_handle(se_db *db);

/* The store db belongs to (borrowed), and whether db is inside a write transaction (its reads may see rows not
 * committed yet, which no cache may keep or hide). */
se_store *se_db_store(se_db *db);
bool se_db_in_tx(const se_db *db);

/* Write transactions: begin takes the store's write lock and BEGIN IMMEDIATE; commit or rollback
 * releases it. Every write goes through one. Returns 0 or SE_EDB. */
int se_db_begin(se_db *db);
int se_db_commit(se_db *db);
void se_db_rollback(se_db *db);

/* Runs one statement with no result rows (bound text parameters in order, NULL-terminated). */
int se_db_exec(se_db *db, const char *sql, ...);

/* Reads column i as a new string ("" for NULL); NULL only on allocation failure. */
char *se_db_col_text(sqlite3_stmt *st, int i);

/* Reads column i as JSON; NULL on bad JSON or allocation failure. */
json_t *se_db_col_json(sqlite3_stmt *st, int i);

/* Binds JSON text of v at i (transient). Returns 0 or SE_ENOMEM. */
int se_db_bind_json(sqlite3_stmt *st, int i, const json_t *v);

/* Empties every table (reset and import). Inside a transaction. */
int se_store_clear(se_db *db);

/* --- project ---------------------------------------------------------------------------------- */


/* Loads the project row into a new snapshot (refs = 1). SE_ENOTFOUND when there is none. */
int se_store_project_get(se_db *db, se_project **ret);

/* Inserts or replaces the project row. */
int se_store_project_put(se_db *db, const se_project *p);

/* --- organizations, members, sessions ---------------------------------------------------------- */

/* Finds an organization by id or, when by_slug, by id, slug or organization_external_id, with its
 * active connections (se_store_org_links). SE_ENOTFOUND when absent. */
int se_store_org_get(se_db *db, const char *id_or_slug, bool by_slug, se_org *ret);
/* The same without the active connections (sso_active_connections and scim_active_connection stay
 * NULL): what the pipeline needs for every request. Call se_store_org_links before rendering it. */
int se_store_org_find(se_db *db, const char *id_or_slug, bool by_slug, se_org *ret);
int se_store_org_insert(se_db *db, const se_org *o);
/* Rewrites every field of the organization o->organization_id; SE_ENOTFOUND when there is none,
 * SE_ECONFLICT when the slug or external id is another organization's. */
int se_store_org_update(se_db *db, const se_org *o);
/* (Re)reads o's sso_active_connections (active SAML and OIDC connections, then External ones, with
 * the identity provider of their target) and scim_active_connection (JSON null when none). */
int se_store_org_links(se_db *db, se_org *o);
/* Calls fn for each organization, in creation order; stops at the first non-zero return. */
int se_store_org_each(se_db *db, int (*fn)(const se_org *o, void *ctx), void *ctx);
/* Calls fn with the id (borrowed, valid during the call) of each organization whose email_allowed_domains holds
 * domain, compared case-insensitively, in creation order; stops at the first non-zero return (discovery.c). */
int se_store_org_ids_by_domain(se_db *db, const char *domain, int (*fn)(const char *org_id, void *ctx), void *ctx);

int se_store_member_get(se_db *db, const char *member_id, se_member *ret);
/* Finds a member by email address (case-insensitive) across the project. */
int se_store_member_by_email(se_db *db, const char *email, se_member *ret);
int se_store_member_insert(se_db *db, const se_member *m);
int se_store_member_each(se_db *db, int (*fn)(const se_member *m, void *ctx), void *ctx);

int se_store_session_get(se_db *db, const char *session_token, se_session *ret);
int se_store_session_by_id(se_db *db, const char *member_session_id, se_session *ret);
int se_store_session_insert(se_db *db, const se_session *s);
/* Deletes a session; SE_ENOTFOUND when there was none. */
int se_store_session_delete(se_db *db, const char *session_token);
int se_store_session_each(se_db *db, int (*fn)(const se_session *s, void *ctx), void *ctx);

/* --- connections (all four kinds, through their field tables) ---------------------------------- */

/* Loads the connection id of organization org_id (NULL: any organization) into *ret (a struct of
 * that kind). SE_ENOTFOUND when absent. */
int se_store_conn_get(se_db *db, const se_kind *k, const char *org_id, const char *id, void *ret);
int se_store_conn_insert(se_db *db, const se_kind *k, const void *obj);
/* Rewrites every non-key field of an existing connection. */
int se_store_conn_update(se_db *db, const se_kind *k, const void *obj);
/* SE_ENOTFOUND when there was none. */
int se_store_conn_delete(se_db *db, const se_kind *k, const char *org_id, const char *id);
/* Calls fn for each connection of org_id (NULL: of every organization), in creation order. The
 * object is only valid during the call. */
int se_store_conn_each(se_db *db, const se_kind *k, const char *org_id, int (*fn)(void *obj, void *ctx), void *ctx);

/* Whether org_id already has an External connection to target_connection_id. */
int se_store_external_exists(se_db *db, const char *org_id, const char *target_connection_id, bool *ret);
/* Finds the SAML or OIDC connection id of org_id that an External connection may point at, reading
 * only what the External rules need: *ret_kind, and for SAML its attribute_mapping (a new
 * reference; NULL for OIDC). SE_ENOTFOUND when org_id has neither. */
int se_store_sso_target(se_db *db, const char *org_id, const char *id, se_kind_id *ret_kind, json_t **ret_mapping);

/* Deletes the External connections of every organization that point at target_connection_id;
 * *ret_count gets how many. */
int se_store_external_delete_by_target(se_db *db, const char *target_connection_id, int *ret_count);

/* --- SCIM ------------------------------------------------------------------------------------- */

/* The SCIM connection of an organization; SE_ENOTFOUND when it has none. */
int se_store_scim_by_org(se_db *db, const char *org_id, se_scim *ret);

typedef struct se_scim_group {
	char *group_id;
	char *organization_id;
	char *connection_id;
	char *group_name;
} se_scim_group;

void se_scim_group_release(se_scim_group *g);
int se_store_scim_group_insert(se_db *db, const se_scim_group *g);
/* The name of a group of connection_id, malloc'd; SE_ENOTFOUND when unknown. */
int se_store_scim_group_name(se_db *db, const char *connection_id, const char *group_id, char **ret);
/* Up to limit groups of connection_id with group_id > after (NULL: from the start), in group_id
 * order, appended to arr as rendered objects; *ret_more says whether more follow. */
int se_store_scim_group_page(se_db *db, const char *connection_id, const char *after, int limit, json_t *arr,
			     bool *ret_more);
int se_store_scim_group_each(se_db *db, int (*fn)(const se_scim_group *g, void *ctx), void *ctx);

/* --- SCIM provisioning (scim.c): users, full groups, member effects ---------------------------- */

/* A SCIM user: the Member it provisions and the stored User document (without id, meta, groups). */
typedef struct se_scim_user {
	char *member_id;
	char *connection_id;
	char *registration_id;
	json_t *resource;
	char *created_at;
	char *updated_at;
} se_scim_user;

void se_scim_user_release(se_scim_user *u);

/* The SCIM user of member_id in connection_id (NULL: any connection). SE_ENOTFOUND when none. */
int se_store_scim_user_get(se_db *db, const char *connection_id, const char *member_id, se_scim_user *ret);
/* The member id (malloc'd) of the user of connection_id whose userName is user_name, compared
 * case-insensitively. SE_ENOTFOUND when none. */
int se_store_scim_user_by_name(se_db *db, const char *connection_id, const char *user_name, char **ret);
/* Inserts or rewrites a user. SE_ECONFLICT when its userName is taken in the connection. */
int se_store_scim_user_put(se_db *db, const se_scim_user *u);
int se_store_scim_user_delete(se_db *db, const char *member_id);
/* Calls fn for each user of connection_id (NULL: every connection), in creation order. */
int se_store_scim_user_each(se_db *db, const char *connection_id, int (*fn)(const se_scim_user *u, void *ctx),
			    void *ctx);

/* A SCIM group with everything the SCIM service provider keeps. */
typedef struct se_scim_group_full {
	char *group_id;
	char *organization_id;
	char *connection_id;
	char *group_name;
	char *external_id;
	json_t *members; /* member ids in the order added */
	char *created_at;
	char *updated_at;
} se_scim_group_full;

void se_scim_group_full_release(se_scim_group_full *g);
/* SE_ENOTFOUND when connection_id has no group group_id. */
int se_store_scim_group_get(se_db *db, const char *connection_id, const char *group_id, se_scim_group_full *ret);
/* The id (malloc'd) of the group of connection_id named name (case-insensitive); SE_ENOTFOUND. */
int se_store_scim_group_by_name(se_db *db, const char *connection_id, const char *name, char **ret);
/* Inserts or rewrites a group; a rename also renames it in the connection's role assignments. */
int se_store_scim_group_put(se_db *db, const se_scim_group_full *g);
/* Deletes a group and the role assignments naming it. */
int se_store_scim_group_delete(se_db *db, const char *connection_id, const char *group_id);
/* Calls fn for each group of connection_id (NULL: every connection), in creation order. */
int se_store_scim_group_full_each(se_db *db, const char *connection_id,
				  int (*fn)(const se_scim_group_full *g, void *ctx), void *ctx);
/* Appends {value, display} of each group of connection_id that member_id belongs to, in creation order. */
int se_store_scim_groups_of(se_db *db, const char *connection_id, const char *member_id, json_t *arr);
/* Takes member_id out of every group of connection_id. */
int se_store_scim_groups_drop_member(se_db *db, const char *connection_id, const char *member_id);

/* The Member email of a SCIM User document (SCIM.md 6.1): the first usable address among the
 * primary email, the first work email, the first email and userName; lower-case, malloc'd; NULL
 * when none is usable. */
char *se_store_scim_derive_email(const json_t *resource);

/* The member of organization org_id with email (case-insensitive); SE_ENOTFOUND. */
int se_store_member_in_org_by_email(se_db *db, const char *org_id, const char *email, se_member *ret);
/* Rewrites email_address, name and status of an existing member. SE_ECONFLICT when the email is taken
 * in its organization. */
int se_store_member_update_scim(se_db *db, const se_member *m);
/* Deprovisioning: explicit roles removed and every session of the member deleted. */
int se_store_member_deprovision(se_db *db, const char *member_id);
/* Completes a loaded member with what SCIM gives it (SCIM.md 6.4, 6.5): the roles of its SCIM groups
 * appended to m->roles when not there yet (counted in n_scim_roles), their sources in
 * scim_role_sources, and its scim_registration. Nothing for a deleted member's roles. */
int se_store_scim_member_complete(se_db *db, se_member *m);

#endif
