/* The in-memory sign-in state: jansson containers behind one mutex. */
#include "signin/state.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/errors_code.h"
#include "util/util.h"

struct se_signin {
	pthread_mutex_t lock;
	json_t *flows;      /* flow_id -> flow */
	json_t *flow_order; /* [flow_id], oldest first */
	json_t *items;      /* kind -> {key -> item} */
	json_t *item_order; /* [[kind, key]], oldest first */
	json_t *presets;    /* [preset] */
	unsigned preset_seq;
	json_t *log;  /* [entry], oldest first */
	json_t *last; /* connection_id -> Response XML */
};

static void drop_all(se_signin *s)
{
	json_decref(s->flows);
	json_decref(s->flow_order);
	json_decref(s->items);
	json_decref(s->item_order);
	json_decref(s->presets);
	json_decref(s->log);
	json_decref(s->last);
}

static int fill(se_signin *s)
{
	s->flows = json_object();
	s->flow_order = json_array();
	s->items = json_object();
	s->item_order = json_array();
	s->presets = json_array();
	s->log = json_array();
	s->last = json_object();
	s->preset_seq = 0;
	return s->flows && s->flow_order && s->items && s->item_order && s->presets && s->log && s->last ? 0
	                                                                                                 : SE_ENOMEM;
}

int se_signin_new(se_signin **ret)
{
	se_signin *s = calloc(1, sizeof *s);
	if (!s)
		return SE_ENOMEM;
	pthread_mutex_init(&s->lock, NULL);
	if (fill(s) < 0) {
		se_signin_free(s);
		return SE_ENOMEM;
	}
	*ret = s;
	return 0;
}

void se_signin_free(se_signin *s)
{
	if (!s)
		return;
	drop_all(s);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

void se_signin_reset(se_signin *s)
{
	pthread_mutex_lock(&s->lock);
	drop_all(s);
	fill(s);
	pthread_mutex_unlock(&s->lock);
}

int se_signin_flow_put(se_signin *s, json_t *flow)
{
	const char *id = se_json_str(flow, "flow_id");
	int r = SE_ENOMEM;
	pthread_mutex_lock(&s->lock);
	if (!id || json_object_set_new(flow, "state", json_string("started")) < 0)
		goto done;
	while (json_array_size(s->flow_order) >= SE_SIGNIN_MAX_FLOWS) {
		json_object_del(s->flows, json_string_value(json_array_get(s->flow_order, 0)));
		json_array_remove(s->flow_order, 0);
	}
	if (json_array_append_new(s->flow_order, json_string(id)) < 0 || json_object_set(s->flows, id, flow) < 0)
		goto done;
	r = 0;
done:
	pthread_mutex_unlock(&s->lock);
	json_decref(flow);
	return r;
}

int se_signin_flow_take(se_signin *s, const char *flow_id, time_t now, json_t **ret, bool *ret_expired)
{
	int r = SE_ENOTFOUND;
	pthread_mutex_lock(&s->lock);
	json_t *f = flow_id ? json_object_get(s->flows, flow_id) : NULL;
	const char *state = se_json_str(f, "state");
	if (!f || !state || strcmp(state, "started") != 0)
		goto done;
	bool expired = json_integer_value(json_object_get(f, "expires_at")) <= (json_int_t)now;
	json_object_set_new(f, expired ? "state" : "state", json_string(expired ? "expired" : "completed"));
	if (expired)
		json_object_set_new(f, "error_type", json_string("expired"));
	*ret = json_deep_copy(f);
	*ret_expired = expired;
	r = *ret ? 0 : SE_ENOMEM;
done:
	pthread_mutex_unlock(&s->lock);
	return r;
}

json_t *se_signin_flow_peek(se_signin *s, const char *flow_id)
{
	pthread_mutex_lock(&s->lock);
	json_t *f = flow_id ? json_object_get(s->flows, flow_id) : NULL;
	const char *state = se_json_str(f, "state");
	json_t *copy = f && state && strcmp(state, "started") == 0 ? json_deep_copy(f) : NULL;
	pthread_mutex_unlock(&s->lock);
	return copy;
}

void se_signin_flow_end(se_signin *s, const char *flow_id, const char *state, const char *error_type)
{
	pthread_mutex_lock(&s->lock);
	json_t *f = flow_id ? json_object_get(s->flows, flow_id) : NULL;
	if (f) {
		json_object_set_new(f, "state", json_string(state));
		if (error_type)
			json_object_set_new(f, "error_type", json_string(error_type));
	}
	pthread_mutex_unlock(&s->lock);
}

json_t *se_signin_flows(se_signin *s, size_t limit, time_t now)
{
	json_t *out = json_array();
	pthread_mutex_lock(&s->lock);
	for (size_t i = json_array_size(s->flow_order); out && i-- > 0 && json_array_size(out) < limit;) {
		json_t *f = json_object_get(s->flows, json_string_value(json_array_get(s->flow_order, i)));
		json_t *c = f ? json_deep_copy(f) : NULL;
		if (!c)
			continue;
		const char *state = se_json_str(c, "state");
		if (state && strcmp(state, "started") == 0 &&
		    json_integer_value(json_object_get(c, "expires_at")) <= (json_int_t)now)
			json_object_set_new(c, "state", json_string("expired"));
		json_array_append_new(out, c);
	}
	pthread_mutex_unlock(&s->lock);
	return out;
}

int se_signin_item_put(se_signin *s, const char *kind, const char *key, json_t *v)
{
	int r = SE_ENOMEM;
	pthread_mutex_lock(&s->lock);
	json_t *bucket = json_object_get(s->items, kind);
	if (!bucket) {
		bucket = json_object();
		if (!bucket || json_object_set_new(s->items, kind, bucket) < 0)
			goto done;
	}
	while (json_array_size(s->item_order) >= SE_SIGNIN_MAX_ITEMS) {
		json_t *old = json_array_get(s->item_order, 0);
		json_object_del(json_object_get(s->items, json_string_value(json_array_get(old, 0))),
		                json_string_value(json_array_get(old, 1)));
		json_array_remove(s->item_order, 0);
	}
	if (json_array_append_new(s->item_order, json_pack("[s,s]", kind, key)) < 0 ||
	    json_object_set(bucket, key, v) < 0)
		goto done;
	r = 0;
done:
	pthread_mutex_unlock(&s->lock);
	json_decref(v);
	return r;
}

json_t *se_signin_item_take(se_signin *s, const char *kind, const char *key)
{
	pthread_mutex_lock(&s->lock);
	json_t *bucket = json_object_get(s->items, kind);
	json_t *v = key ? json_incref(json_object_get(bucket, key)) : NULL;
	if (v)
		json_object_del(bucket, key);
	pthread_mutex_unlock(&s->lock);
	return v;
}

json_t *se_signin_item_get(se_signin *s, const char *kind, const char *key)
{
	pthread_mutex_lock(&s->lock);
	json_t *v = key ? json_object_get(json_object_get(s->items, kind), key) : NULL;
	json_t *c = v ? json_deep_copy(v) : NULL;
	pthread_mutex_unlock(&s->lock);
	return c;
}

json_t *se_signin_preset_add(se_signin *s, json_t *preset)
{
	json_t *c = NULL;
	pthread_mutex_lock(&s->lock);
	if (json_array_size(s->presets) < SE_SIGNIN_MAX_PRESETS) {
		char id[32];
		snprintf(id, sizeof id, "preset-%u", ++s->preset_seq);
		if (json_object_set_new(preset, "id", json_string(id)) == 0 &&
		    json_array_append(s->presets, preset) == 0)
			c = json_deep_copy(preset);
	}
	pthread_mutex_unlock(&s->lock);
	json_decref(preset);
	return c;
}

static bool matches(const json_t *p, const char *key, const char *value)
{
	const char *want = se_json_str(p, key);
	return !want || (value && strcmp(want, value) == 0);
}

json_t *se_signin_preset_take(se_signin *s, const char *protocol, const char *connection_id)
{
	json_t *c = NULL;
	pthread_mutex_lock(&s->lock);
	size_t i;
	json_t *p;
	json_array_foreach (s->presets, i, p) {
		if (!matches(p, "protocol", protocol) || !matches(p, "connection_id", connection_id))
			continue;
		json_int_t left = json_integer_value(json_object_get(p, "count")) - 1;
		c = json_deep_copy(p);
		if (left <= 0)
			json_array_remove(s->presets, i);
		else
			json_object_set_new(p, "count", json_integer(left));
		break;
	}
	pthread_mutex_unlock(&s->lock);
	return c;
}

json_t *se_signin_presets(se_signin *s)
{
	pthread_mutex_lock(&s->lock);
	json_t *c = json_deep_copy(s->presets);
	pthread_mutex_unlock(&s->lock);
	return c;
}

void se_signin_presets_clear(se_signin *s)
{
	pthread_mutex_lock(&s->lock);
	json_array_clear(s->presets);
	pthread_mutex_unlock(&s->lock);
}

void se_signin_log_add(se_signin *s, json_t *entry)
{
	pthread_mutex_lock(&s->lock);
	while (json_array_size(s->log) >= SE_SIGNIN_LOG_SIZE)
		json_array_remove(s->log, 0);
	json_array_append(s->log, entry);
	pthread_mutex_unlock(&s->lock);
	json_decref(entry);
}

json_t *se_signin_log(se_signin *s, size_t limit)
{
	json_t *out = json_array();
	pthread_mutex_lock(&s->lock);
	for (size_t i = json_array_size(s->log); out && i-- > 0 && json_array_size(out) < limit;)
		json_array_append_new(out, json_deep_copy(json_array_get(s->log, i)));
	pthread_mutex_unlock(&s->lock);
	return out;
}

void se_signin_last_response_put(se_signin *s, const char *connection_id, const char *xml)
{
	pthread_mutex_lock(&s->lock);
	if (json_object_size(s->last) < SE_SIGNIN_MAX_ITEMS)
		json_object_set_new(s->last, connection_id, json_string(xml));
	pthread_mutex_unlock(&s->lock);
}

char *se_signin_last_response_get(se_signin *s, const char *connection_id)
{
	pthread_mutex_lock(&s->lock);
	char *c = se_strdup(se_json_str(s->last, connection_id));
	pthread_mutex_unlock(&s->lock);
	return c;
}
