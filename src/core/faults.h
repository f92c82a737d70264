/* Fault rules of the control API: the next N API requests matching a method and path get a documented error
 * instead of being carried out, or are only delayed. se_faults owns its rules (se_faults_new/se_faults_free);
 * JSON it returns is a new reference, error texts are malloc'd for the caller. */
#ifndef SE_FAULTS_H
#define SE_FAULTS_H

#include <jansson.h>
#include <stddef.h>

#include "request/errors.h"

/* At most this many rules at once. */
#define SE_FAULTS_MAX 100
#define SE_FAULTS_MAX_COUNT 1000000
#define SE_FAULTS_MAX_DELAY_MS 60000

typedef struct se_faults se_faults;

/* An empty rule set. Free with se_faults_free(). Returns 0 or SE_ENOMEM. */
int se_faults_new(se_faults **ret);

/* Frees the set; NULL ok. */
void se_faults_free(se_faults *f);

/* Validates rule, a JSON object {method?, path?, error_type?, status?, count?, delay_ms?}, and
 * appends it with a new id. It needs error_type or status (a status alone picks the catalog's
 * error for it; both must agree), or delay_ms alone for a rule that only delays. On success
 * *ret_rule is the stored rule as rendered by se_faults_list (new reference). On failure returns
 * SE_EINVAL (or SE_ELIMIT when the set is full, SE_ENOMEM) and *ret_error (malloc'd) names the
 * field; nothing is added. Thread-safe. */
int se_faults_add(se_faults *f, const json_t *rule, json_t **ret_rule, char **ret_error);

/* The rules in the order they match, as a new JSON array of {id, method, path, error_type,
 * status, count (uses left), delay_ms}; absent settings are null. NULL on allocation failure. */
json_t *se_faults_list(se_faults *f);

/* Removes every rule; returns how many there were. Ids start again from 1. */
size_t se_faults_clear(se_faults *f);

/* Finds the first rule matching method and raw path and uses it up once (a rule whose count
 * reaches 0 goes away). Returns 1 with *ret_error (SE_ERR_NONE for a delay-only rule) and
 * *ret_delay_ms set, or 0 when no rule matches. Thread-safe. */
int se_faults_take(se_faults *f, const char *method, const char *path, se_error_id *ret_error,
		   unsigned *ret_delay_ms);

#endif
