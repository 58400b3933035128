/*
 * preset.c
 *	  rt.resolve_params(chat_id, user_id, at, override): the effective model
 *	  parameters of one reply, layered per parameter
 *	  defaults < global < chat < user < chat_user < override.
 *
 * It runs on every auto-reply, so it does not go through SPI or the executor:
 * per stored layer it walks that layer's partial index on rt.preset_bindings
 * (newest first) to the first binding whose expires_at is null or after "at",
 * then probes rt.presets by primary key, highest layer first, and stops as
 * soon as every parameter is set; rt.settings' preset.defaults row is read
 * only for what is left.  What those reads find is cached per backend (see
 * "Per-backend caches" below) and dropped on relcache invalidation, which
 * triggers on the three tables raise on every write.
 * rt._resolve_params_plpgsql is the same rules in PL/pgSQL (the executable
 * spec); docs/decisions/006-preset-layers.md says why.
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/relscan.h"
#include "access/skey.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "datatype/timestamp.h"
#include "executor/tuptable.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "mb/pg_wchar.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

#include "preset.h"

PG_FUNCTION_INFO_V1(resolve_params);
PG_FUNCTION_INFO_V1(preset_cache_invalidate);

#define MAX_PERSONA_CHARS 4000

static const char *const param_names[PARAM_COUNT] = {
	[PARAM_TEMPERATURE] = "temperature",
	[PARAM_MAX_TOKENS] = "max_tokens",
	[PARAM_TONE] = "tone",
	[PARAM_VERBOSITY] = "verbosity",
	[PARAM_EMOTIONAL_INTENSITY] = "emotional_intensity",
	[PARAM_PERSONA] = "persona",
};

/*
 * Relations read by the resolution, looked up by name once per backend and
 * forgotten on any relcache invalidation of one of them (DROP/CREATE
 * EXTENSION, REINDEX, ALTER TABLE), so a stale OID is never used.
 */
typedef enum ResolveIndex
{
	IDX_GLOBAL,    /* preset_bindings (created_at DESC, id DESC) WHERE global */
	IDX_CHAT,      /* (chat_id, ...) WHERE chat */
	IDX_USER,      /* (user_id, ...) WHERE user */
	IDX_CHAT_USER, /* (chat_id, user_id, ...) WHERE chat_user */
	IDX_PRESETS_PKEY,
	IDX_SETTINGS_PKEY,
	IDX_COUNT
} ResolveIndex;

static const char *const index_names[IDX_COUNT] = {
	[IDX_GLOBAL] = "preset_bindings_global_idx", [IDX_CHAT] = "preset_bindings_chat_idx",
	[IDX_USER] = "preset_bindings_user_idx",     [IDX_CHAT_USER] = "preset_bindings_chat_user_idx",
	[IDX_PRESETS_PKEY] = "presets_pkey",         [IDX_SETTINGS_PKEY] = "settings_pkey",
};

typedef struct ResolveCatalog
{
	bool valid;
	bool callback_registered;
	Oid bindings_rel;
	Oid presets_rel;
	Oid settings_rel;
	Oid indexes[IDX_COUNT];
	AttrNumber binding_expires_at;
	AttrNumber binding_preset_id;
	AttrNumber binding_user_id;
	AttrNumber preset_columns[PARAM_COUNT];
	AttrNumber settings_value;
} ResolveCatalog;

static ResolveCatalog catalog;

/* built-in defaults (rt.setting's preset.defaults), for keys the settings row lacks */
static Numeric default_temperature = NULL;

#define DEFAULT_MAX_TOKENS 512
#define DEFAULT_TONE "neutral"
#define DEFAULT_VERBOSITY "short"
#define DEFAULT_EMOTIONAL_INTENSITY 50

/* one resolved parameter: a Datum of the column's type (numeric, int4 or text) */
typedef struct ParamValue
{
	Datum value;
	int layer; /* -1: not set by any layer yet */
} ParamValue;

static void
ReportFieldError(const char *field, const char *problem)
{
	ereport(ERROR, errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			errmsg("field \"%s\" %s", field, problem),
			err_generic_string(PG_DIAG_COLUMN_NAME, field));
}

static Numeric
NumericFromCString(const char *s)
{
	return DatumGetNumeric(DirectFunctionCall3(numeric_in, CStringGetDatum(s),
											   ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1)));
}

static bool
NumericIsIntegral(Numeric n)
{
	Numeric truncated =
		DatumGetNumeric(DirectFunctionCall2(numeric_trunc, NumericGetDatum(n), Int32GetDatum(0)));

	return !numeric_is_nan(n) && !numeric_is_inf(n) &&
		   DatumGetBool(
			   DirectFunctionCall2(numeric_eq, NumericGetDatum(n), NumericGetDatum(truncated)));
}

static bool
NumericBetween(Numeric n, int64 lo, int64 hi)
{
	Datum d = NumericGetDatum(n);

	return !numeric_is_nan(n) &&
		   DatumGetBool(
			   DirectFunctionCall2(numeric_ge, d, NumericGetDatum(int64_to_numeric(lo)))) &&
		   DatumGetBool(DirectFunctionCall2(numeric_le, d, NumericGetDatum(int64_to_numeric(hi))));
}

static bool
StringIs(const JsonbValue *v, const char *s)
{
	size_t len = strlen(s);

	return v->type == jbvString && (size_t) v->val.string.len == len &&
		   memcmp(v->val.string.val, s, len) == 0;
}

static int64
IntegerField(const JsonbValue *v, const char *field, int64 lo, int64 hi)
{
	if (v->type != jbvNumeric || !NumericIsIntegral(v->val.numeric))
		ReportFieldError(field, "must be an integer");
	if (!NumericBetween(v->val.numeric, lo, hi))
		ReportFieldError(field,
						 psprintf("must be between " INT64_FORMAT " and " INT64_FORMAT, lo, hi));
	return DatumGetInt64(DirectFunctionCall1(numeric_int8, NumericGetDatum(v->val.numeric)));
}

/*
 * Reads override, a params subset, into out[] (layer LAYER_OVERRIDE), or
 * returns its preset id when it is {"preset_id": N}.  JSON null values mean
 * "not set".  Errors name the field as override.<key>, like the SQL side.
 */
static int64
ReadOverride(Jsonb *override, ParamValue *out)
{
	JsonbIterator *it;
	JsonbValue v;
	JsonbIteratorToken tok;
	int64 preset_id = 0;
	int nkeys = 0;
	bool has_preset_id = false;

	if (JB_ROOT_IS_SCALAR(override))
	{
		JsonbValue scalar;

		if (JsonbExtractScalar(&override->root, &scalar) && scalar.type == jbvNull)
			return 0;
		ReportFieldError("override", "must be a json object");
	}
	if (!JB_ROOT_IS_OBJECT(override))
		ReportFieldError("override", "must be a json object");

	it = JsonbIteratorInit(&override->root);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		char *key;
		char *field;
		int param;

		if (tok != WJB_KEY)
			continue;
		key = pnstrdup(v.val.string.val, v.val.string.len);
		field = psprintf("override.%s", key);
		nkeys++;
		tok = JsonbIteratorNext(&it, &v, true);
		Assert(tok == WJB_VALUE);

		if (strcmp(key, "preset_id") == 0)
		{
			has_preset_id = true;
			preset_id = IntegerField(&v, field, 1, PG_INT64_MAX);
			continue;
		}
		for (param = 0; param < PARAM_COUNT; param++)
			if (strcmp(key, param_names[param]) == 0)
				break;
		if (param == PARAM_COUNT)
			ereport(ERROR, errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					errmsg("unknown field \"%s\"", field),
					err_generic_string(PG_DIAG_COLUMN_NAME, field),
					errhint("Known fields: preset_id, or temperature, max_tokens, tone, verbosity, "
							"emotional_intensity, persona."));
		if (v.type == jbvNull)
			continue;

		switch ((PresetParam) param)
		{
			case PARAM_TEMPERATURE:
				if (v.type != jbvNumeric)
					ReportFieldError(field, "must be a number");
				if (!NumericBetween(v.val.numeric, 0, 2))
					ReportFieldError(field, "must be between 0 and 2");
				out[param].value = NumericGetDatum(v.val.numeric);
				break;
			case PARAM_MAX_TOKENS:
				out[param].value = Int32GetDatum((int32) IntegerField(&v, field, 1, 32000));
				break;
			case PARAM_EMOTIONAL_INTENSITY:
				out[param].value = Int32GetDatum((int32) IntegerField(&v, field, 0, 100));
				break;
			case PARAM_TONE:
				if (!StringIs(&v, "formal") && !StringIs(&v, "friendly") &&
					!StringIs(&v, "neutral") && !StringIs(&v, "aggressive"))
					ReportFieldError(field, "must be one of formal, friendly, neutral, aggressive");
				out[param].value =
					PointerGetDatum(cstring_to_text_with_len(v.val.string.val, v.val.string.len));
				break;
			case PARAM_VERBOSITY:
				if (!StringIs(&v, "short") && !StringIs(&v, "detailed"))
					ReportFieldError(field, "must be one of short, detailed");
				out[param].value =
					PointerGetDatum(cstring_to_text_with_len(v.val.string.val, v.val.string.len));
				break;
			case PARAM_PERSONA:
				if (v.type != jbvString)
					ReportFieldError(field, "must be a string");
				if (pg_mbstrlen_with_len(v.val.string.val, v.val.string.len) > MAX_PERSONA_CHARS)
					ReportFieldError(field, "must be at most 4000 characters long");
				out[param].value =
					PointerGetDatum(cstring_to_text_with_len(v.val.string.val, v.val.string.len));
				break;
			case PARAM_COUNT:
				break;
		}
		out[param].layer = LAYER_OVERRIDE;
	}
	if (has_preset_id && nkeys > 1)
		ereport(ERROR, errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				errmsg("field \"override\" must be either {\"preset_id\": N} or a params subset"),
				err_generic_string(PG_DIAG_COLUMN_NAME, "override"));
	return preset_id;
}

static void
PushKey(JsonbParseState **state, const char *key)
{
	JsonbValue k;

	k.type = jbvString;
	k.val.string.val = (char *) key;
	k.val.string.len = strlen(key);
	pushJsonbValue(state, WJB_KEY, &k);
}

static void
PushText(JsonbParseState **state, text *t)
{
	JsonbValue v;

	v.type = jbvString;
	v.val.string.val = VARDATA_ANY(t);
	v.val.string.len = VARSIZE_ANY_EXHDR(t);
	pushJsonbValue(state, WJB_VALUE, &v);
}

static void
PushNumeric(JsonbParseState **state, Numeric n)
{
	JsonbValue v;

	v.type = jbvNumeric;
	v.val.numeric = n;
	pushJsonbValue(state, WJB_VALUE, &v);
}

static void
PushCString(JsonbParseState **state, const char *s)
{
	JsonbValue v;

	v.type = jbvString;
	v.val.string.val = (char *) s;
	v.val.string.len = strlen(s);
	pushJsonbValue(state, WJB_VALUE, &v);
}

/* keys in jsonb's own order (shorter first), so pushJsonbValue has nothing to sort */
static const PresetParam output_order[PARAM_COUNT] = {
	PARAM_TONE,       PARAM_PERSONA,     PARAM_VERBOSITY,
	PARAM_MAX_TOKENS, PARAM_TEMPERATURE, PARAM_EMOTIONAL_INTENSITY,
};

static Jsonb *
BuildResult(const ParamValue *params)
{
	JsonbParseState *state = NULL;
	JsonbValue *res;
	int i;

	pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
	for (i = 0; i < PARAM_COUNT; i++)
	{
		PresetParam p = output_order[i];
		bool set = params[p].layer >= 0;

		PushKey(&state, param_names[p]);
		switch (p)
		{
			case PARAM_TEMPERATURE:
				PushNumeric(&state, set ? DatumGetNumeric(params[p].value) : default_temperature);
				break;
			case PARAM_MAX_TOKENS:
				PushNumeric(&state, int64_to_numeric(set ? DatumGetInt32(params[p].value)
														 : DEFAULT_MAX_TOKENS));
				break;
			case PARAM_EMOTIONAL_INTENSITY:
				PushNumeric(&state, int64_to_numeric(set ? DatumGetInt32(params[p].value)
														 : DEFAULT_EMOTIONAL_INTENSITY));
				break;
			case PARAM_TONE:
				if (set)
					PushText(&state, DatumGetTextPP(params[p].value));
				else
					PushCString(&state, DEFAULT_TONE);
				break;
			case PARAM_VERBOSITY:
				if (set)
					PushText(&state, DatumGetTextPP(params[p].value));
				else
					PushCString(&state, DEFAULT_VERBOSITY);
				break;
			case PARAM_PERSONA:
				if (set)
					PushText(&state, DatumGetTextPP(params[p].value));
				else
					PushCString(&state, "");
				break;
			case PARAM_COUNT:
				break;
		}
	}
	res = pushJsonbValue(&state, WJB_END_OBJECT, NULL);
	return JsonbValueToJsonb(res);
}

/*
 * Per-backend caches of what resolution reads, in the spirit of the catcache:
 * the bindings of one layer and target (newest first), presets by id and the
 * preset.defaults row.  They are filled with the latest snapshot and dropped
 * whole on a relcache invalidation of rt.presets, rt.preset_bindings or
 * rt.settings, which the statement trigger rt._preset_cache_invalidate()
 * raises for every write (sent to all backends at commit, applied locally at
 * the end of the command).  See docs/decisions/006-preset-layers.md.
 */
#define MAX_CACHED_BINDINGS 64    /* per target; beyond it the index is read each time */
#define MAX_CACHED_TARGETS 131072 /* the cache starts over past this many targets */

typedef struct BindingKey
{
	int64 chat_id;
	int64 user_id;
	int32 layer;
	int32 whole_chat; /* chat_user layer: every user of chat_id at once */
} BindingKey;

typedef struct BindingItem
{
	int64 user_id;       /* whole_chat entries only */
	TimestampTz expires; /* DT_NOEND for a permanent binding */
	int64 preset_id;
} BindingItem;

/* a target's bindings, newest first; none at all is cached too */
typedef struct BindingEntry
{
	BindingKey key;
	int count;
	bool overflow;
	BindingItem *items; /* in cache_context */
} BindingEntry;

typedef struct PresetEntry
{
	int64 id;
	bool found;
	bool isset[PARAM_COUNT];
	Datum values[PARAM_COUNT]; /* in cache_context */
} PresetEntry;

static MemoryContext cache_context = NULL;
static HTAB *binding_cache = NULL;
static HTAB *preset_cache = NULL;
static bool defaults_cached = false;
static PresetEntry defaults_entry;

static void
ResetCaches(void)
{
	if (cache_context != NULL)
		MemoryContextReset(cache_context);
	binding_cache = NULL;
	preset_cache = NULL;
	defaults_cached = false;
}

static void
EnsureCaches(void)
{
	HASHCTL ctl;

	if (cache_context == NULL)
		cache_context = AllocSetContextCreate(CacheMemoryContext, "roundtable preset cache",
											  ALLOCSET_DEFAULT_SIZES);
	if (binding_cache == NULL)
	{
		memset(&ctl, 0, sizeof(ctl));
		ctl.keysize = sizeof(BindingKey);
		ctl.entrysize = sizeof(BindingEntry);
		ctl.hcxt = cache_context;
		binding_cache = hash_create("roundtable preset bindings", 1024, &ctl,
									HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	}
	if (preset_cache == NULL)
	{
		memset(&ctl, 0, sizeof(ctl));
		ctl.keysize = sizeof(int64);
		ctl.entrysize = sizeof(PresetEntry);
		ctl.hcxt = cache_context;
		preset_cache =
			hash_create("roundtable presets", 256, &ctl, HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	}
}

static void
InvalidateCatalog(Datum arg, Oid relid)
{
	int i;

	if (!catalog.valid)
	{
		ResetCaches();
		return;
	}
	if (relid == InvalidOid || relid == catalog.bindings_rel || relid == catalog.presets_rel ||
		relid == catalog.settings_rel)
	{
		catalog.valid = false;
		ResetCaches();
		return;
	}
	for (i = 0; i < IDX_COUNT; i++)
		if (relid == catalog.indexes[i])
		{
			catalog.valid = false;
			ResetCaches();
		}
}

static Oid
RelationInRt(const char *name, Oid nsp)
{
	Oid relid = get_relname_relid(name, nsp);

	if (!OidIsValid(relid))
		ereport(ERROR, errcode(ERRCODE_UNDEFINED_OBJECT),
				errmsg("relation \"rt.%s\" does not exist", name),
				errhint("Reinstall the roundtable extension."));
	return relid;
}

static AttrNumber
Column(Oid relid, const char *name)
{
	AttrNumber attnum = get_attnum(relid, name);

	if (attnum == InvalidAttrNumber)
		ereport(ERROR, errcode(ERRCODE_UNDEFINED_COLUMN),
				errmsg("column \"%s\" of an rt table does not exist", name),
				errhint("Reinstall the roundtable extension."));
	return attnum;
}

static void
LoadCatalog(void)
{
	Oid nsp;
	int i;

	if (catalog.valid)
		return;
	if (!catalog.callback_registered)
	{
		CacheRegisterRelcacheCallback(InvalidateCatalog, (Datum) 0);
		catalog.callback_registered = true;
	}
	nsp = get_namespace_oid("rt", false);
	catalog.bindings_rel = RelationInRt("preset_bindings", nsp);
	catalog.presets_rel = RelationInRt("presets", nsp);
	catalog.settings_rel = RelationInRt("settings", nsp);
	for (i = 0; i < IDX_COUNT; i++)
		catalog.indexes[i] = RelationInRt(index_names[i], nsp);
	catalog.binding_expires_at = Column(catalog.bindings_rel, "expires_at");
	catalog.binding_preset_id = Column(catalog.bindings_rel, "preset_id");
	catalog.binding_user_id = Column(catalog.bindings_rel, "user_id");
	for (i = 0; i < PARAM_COUNT; i++)
		catalog.preset_columns[i] = Column(catalog.presets_rel, param_names[i]);
	catalog.settings_value = Column(catalog.settings_rel, "value");
	catalog.valid = true;
}

static void
CheckSelect(Oid relid)
{
	AclResult acl = pg_class_aclcheck(relid, GetUserId(), ACL_SELECT);

	if (acl != ACLCHECK_OK)
		aclcheck_error(acl, OBJECT_TABLE, get_rel_name(relid));
}

/*
 * Reads the bindings of one layer and target from its partial index, newest
 * first, into items (at most MAX_CACHED_BINDINGS; *overflow when there are
 * more), skipping those behind a permanent one of the same user: they can
 * never win.  With whole_chat the chat_user index is read for every user of
 * the chat (ordered by user, then newest first).  Uses the latest snapshot,
 * so what is cached is never older than an invalidation already processed.
 */
static int
ScanBindings(ResolveIndex which, int nkeys, int64 key1, int64 key2, bool whole_chat,
			 BindingItem *items, bool *overflow)
{
	Relation bindings = table_open(catalog.bindings_rel, AccessShareLock);
	Relation index = index_open(catalog.indexes[which], AccessShareLock);
	TupleTableSlot *slot = table_slot_create(bindings, NULL);
	ScanKeyData keys[2];
	IndexScanDesc scan;
	int count = 0;
	bool user_done = false;
	int64 last_user = 0;

	*overflow = false;
	if (nkeys > 0)
		ScanKeyInit(&keys[0], 1, BTEqualStrategyNumber, F_INT8EQ, Int64GetDatum(key1));
	if (nkeys > 1)
		ScanKeyInit(&keys[1], 2, BTEqualStrategyNumber, F_INT8EQ, Int64GetDatum(key2));
	scan = index_beginscan(bindings, index, GetLatestSnapshot(), nkeys, 0);
	index_rescan(scan, keys, nkeys, NULL, 0);
	while (index_getnext_slot(scan, ForwardScanDirection, slot))
	{
		bool isnull;
		Datum expires;
		int64 user_id = 0;

		if (whole_chat)
		{
			user_id = DatumGetInt64(slot_getattr(slot, catalog.binding_user_id, &isnull));
			if (count == 0 || user_id != last_user)
				user_done = false;
			last_user = user_id;
		}
		if (user_done)
			continue;
		if (count == MAX_CACHED_BINDINGS)
		{
			*overflow = true;
			break;
		}
		expires = slot_getattr(slot, catalog.binding_expires_at, &isnull);
		items[count].user_id = user_id;
		items[count].expires = isnull ? DT_NOEND : DatumGetTimestampTz(expires);
		items[count].preset_id =
			DatumGetInt64(slot_getattr(slot, catalog.binding_preset_id, &isnull));
		count++;
		if (items[count - 1].expires == DT_NOEND)
		{
			if (!whole_chat)
				break;
			user_done = true;
		}
	}
	index_endscan(scan);
	ExecDropSingleTupleTableSlot(slot);
	index_close(index, NoLock);
	table_close(bindings, NoLock);
	return count;
}

/* the bindings of one target, read each time (more than MAX_CACHED_BINDINGS to skip) */
static int64
FindBindingUncached(ResolveIndex which, int nkeys, int64 key1, int64 key2, TimestampTz at)
{
	Relation bindings = table_open(catalog.bindings_rel, AccessShareLock);
	Relation index = index_open(catalog.indexes[which], AccessShareLock);
	TupleTableSlot *slot = table_slot_create(bindings, NULL);
	ScanKeyData keys[2];
	IndexScanDesc scan;
	int64 preset_id = 0;

	if (nkeys > 0)
		ScanKeyInit(&keys[0], 1, BTEqualStrategyNumber, F_INT8EQ, Int64GetDatum(key1));
	if (nkeys > 1)
		ScanKeyInit(&keys[1], 2, BTEqualStrategyNumber, F_INT8EQ, Int64GetDatum(key2));
	scan = index_beginscan(bindings, index, GetLatestSnapshot(), nkeys, 0);
	index_rescan(scan, keys, nkeys, NULL, 0);
	while (index_getnext_slot(scan, ForwardScanDirection, slot))
	{
		bool isnull;
		Datum expires = slot_getattr(slot, catalog.binding_expires_at, &isnull);

		if (isnull || DatumGetTimestampTz(expires) > at)
		{
			preset_id = DatumGetInt64(slot_getattr(slot, catalog.binding_preset_id, &isnull));
			break;
		}
	}
	index_endscan(scan);
	ExecDropSingleTupleTableSlot(slot);
	index_close(index, NoLock);
	table_close(bindings, NoLock);
	return preset_id;
}

/* the cache entry of one target, read from the index on a miss */
static BindingEntry *
CachedBindings(ResolveIndex which, int nkeys, int64 key1, int64 key2, bool whole_chat)
{
	BindingKey key;
	BindingEntry *entry;
	BindingItem items[MAX_CACHED_BINDINGS];
	bool overflow;
	bool found;
	int count;

	memset(&key, 0, sizeof(key));
	key.layer = which;
	key.chat_id = key1;
	key.user_id = key2;
	key.whole_chat = whole_chat;
	entry = hash_search(binding_cache, &key, HASH_FIND, &found);
	if (entry != NULL)
		return entry;

	/* opening the relations may process invalidations: touch the cache only afterwards */
	count = ScanBindings(which, nkeys, key1, key2, whole_chat, items, &overflow);
	EnsureCaches();
	entry = hash_search(binding_cache, &key, HASH_ENTER, &found);
	entry->count = count;
	entry->overflow = overflow;
	entry->items = NULL;
	if (count > 0)
	{
		entry->items = MemoryContextAlloc(cache_context, count * sizeof(BindingItem));
		memcpy(entry->items, items, count * sizeof(BindingItem));
	}
	return entry;
}

/* the preset id of the newest binding of one layer and target in force at "at", or 0 */
static int64
FindBinding(ResolveIndex which, int nkeys, int64 key1, int64 key2, TimestampTz at)
{
	BindingEntry *entry;
	int i;

	/* chat_user: one entry per chat serves every member, unless the chat has too many */
	if (which == IDX_CHAT_USER)
	{
		entry = CachedBindings(which, 1, key1, 0, true);
		if (!entry->overflow)
		{
			for (i = 0; i < entry->count; i++)
				if (entry->items[i].user_id == key2 && entry->items[i].expires > at)
					return entry->items[i].preset_id;
			return 0;
		}
	}
	entry = CachedBindings(which, nkeys, key1, key2, false);
	for (i = 0; i < entry->count; i++)
		if (entry->items[i].expires > at)
			return entry->items[i].preset_id;
	/* more bindings than cached, none of the newest in force: read them all */
	return entry->overflow ? FindBindingUncached(which, nkeys, key1, key2, at) : 0;
}

/* reads one preset's parameters into entry (values copied into the cache context) */
static void
ScanPreset(int64 preset_id, PresetEntry *entry)
{
	Relation presets = table_open(catalog.presets_rel, AccessShareLock);
	Relation index = index_open(catalog.indexes[IDX_PRESETS_PKEY], AccessShareLock);
	TupleTableSlot *slot = table_slot_create(presets, NULL);
	ScanKeyData key;
	IndexScanDesc scan;
	int i;

	entry->found = false;
	for (i = 0; i < PARAM_COUNT; i++)
		entry->isset[i] = false;
	ScanKeyInit(&key, 1, BTEqualStrategyNumber, F_INT8EQ, Int64GetDatum(preset_id));
	scan = index_beginscan(presets, index, GetLatestSnapshot(), 1, 0);
	index_rescan(scan, &key, 1, NULL, 0);
	if (index_getnext_slot(scan, ForwardScanDirection, slot))
	{
		MemoryContext old = MemoryContextSwitchTo(cache_context);

		entry->found = true;
		for (i = 0; i < PARAM_COUNT; i++)
		{
			bool isnull;
			Datum value = slot_getattr(slot, catalog.preset_columns[i], &isnull);

			if (isnull)
				continue;
			entry->isset[i] = true;
			if (i == PARAM_MAX_TOKENS || i == PARAM_EMOTIONAL_INTENSITY)
				entry->values[i] = value;
			else
				entry->values[i] = PointerGetDatum(PG_DETOAST_DATUM_COPY(value));
		}
		MemoryContextSwitchTo(old);
	}
	index_endscan(scan);
	ExecDropSingleTupleTableSlot(slot);
	index_close(index, NoLock);
	table_close(presets, NoLock);
}

/* copies a cached value into the call's memory: an invalidation may free the cache */
static Datum
CopyParam(int param, Datum value)
{
	if (param == PARAM_MAX_TOKENS || param == PARAM_EMOTIONAL_INTENSITY)
		return value;
	return PointerGetDatum(PG_DETOAST_DATUM_COPY(value));
}

static void
ApplyEntry(const PresetEntry *entry, int layer, ParamValue *params)
{
	int i;

	for (i = 0; i < PARAM_COUNT; i++)
		if (params[i].layer < 0 && entry->isset[i])
		{
			params[i].value = CopyParam(i, entry->values[i]);
			params[i].layer = layer;
		}
}

/* fills the parameters still unset from a preset; false when it does not exist */
static bool
ApplyPreset(int64 preset_id, int layer, ParamValue *params)
{
	bool found;
	PresetEntry *entry = hash_search(preset_cache, &preset_id, HASH_FIND, &found);

	if (entry == NULL)
	{
		PresetEntry scanned;

		EnsureCaches();
		ScanPreset(preset_id, &scanned);
		EnsureCaches();
		entry = hash_search(preset_cache, &preset_id, HASH_ENTER, &found);
		memcpy((char *) entry + sizeof(int64), (char *) &scanned + sizeof(int64),
			   sizeof(PresetEntry) - sizeof(int64));
	}
	if (entry->found)
		ApplyEntry(entry, layer, params);
	return entry->found;
}

/* the rt.settings row preset.defaults, for parameters no layer set */
static void
ScanDefaults(PresetEntry *entry)
{
	Relation settings = table_open(catalog.settings_rel, AccessShareLock);
	Relation index = index_open(catalog.indexes[IDX_SETTINGS_PKEY], AccessShareLock);
	TupleTableSlot *slot = table_slot_create(settings, NULL);
	ScanKeyData key;
	IndexScanDesc scan;
	int i;

	entry->found = false;
	for (i = 0; i < PARAM_COUNT; i++)
		entry->isset[i] = false;
	/* the index's own collation, so the btree descent compares as the index was built */
	ScanKeyEntryInitialize(&key, 0, 1, BTEqualStrategyNumber, InvalidOid, index->rd_indcollation[0],
						   F_TEXTEQ, CStringGetTextDatum("preset.defaults"));
	scan = index_beginscan(settings, index, GetLatestSnapshot(), 1, 0);
	index_rescan(scan, &key, 1, NULL, 0);
	if (index_getnext_slot(scan, ForwardScanDirection, slot))
	{
		bool isnull;
		Datum value = slot_getattr(slot, catalog.settings_value, &isnull);
		MemoryContext old = MemoryContextSwitchTo(cache_context);
		Jsonb *defaults = isnull ? NULL : DatumGetJsonbPCopy(value);

		entry->found = true;
		for (i = 0; defaults != NULL && JB_ROOT_IS_OBJECT(defaults) && i < PARAM_COUNT; i++)
		{
			JsonbValue v;

			if (getKeyJsonValueFromContainer(&defaults->root, param_names[i],
											 strlen(param_names[i]), &v) == NULL)
				continue;
			if (i == PARAM_TEMPERATURE && v.type == jbvNumeric)
				entry->values[i] = NumericGetDatum(v.val.numeric);
			else if ((i == PARAM_MAX_TOKENS || i == PARAM_EMOTIONAL_INTENSITY) &&
					 v.type == jbvNumeric)
				entry->values[i] =
					DirectFunctionCall1(numeric_int4, NumericGetDatum(v.val.numeric));
			else if ((i == PARAM_TONE || i == PARAM_VERBOSITY || i == PARAM_PERSONA) &&
					 v.type == jbvString)
				entry->values[i] =
					PointerGetDatum(cstring_to_text_with_len(v.val.string.val, v.val.string.len));
			else
				continue;
			entry->isset[i] = true;
		}
		MemoryContextSwitchTo(old);
	}
	index_endscan(scan);
	ExecDropSingleTupleTableSlot(slot);
	index_close(index, NoLock);
	table_close(settings, NoLock);
}

static void
ApplyDefaults(ParamValue *params)
{
	if (!defaults_cached)
	{
		PresetEntry scanned;

		EnsureCaches();
		ScanDefaults(&scanned);
		EnsureCaches();
		defaults_entry = scanned;
		defaults_cached = true;
	}
	ApplyEntry(&defaults_entry, LAYER_DEFAULT, params);
}

static bool
AllSet(const ParamValue *params)
{
	int i;

	for (i = 0; i < PARAM_COUNT; i++)
		if (params[i].layer < 0)
			return false;
	return true;
}

Datum
resolve_params(PG_FUNCTION_ARGS)
{
	ParamValue params[PARAM_COUNT];
	bool has_chat = !PG_ARGISNULL(0);
	bool has_user = !PG_ARGISNULL(1);
	int64 chat_id = has_chat ? PG_GETARG_INT64(0) : 0;
	int64 user_id = has_user ? PG_GETARG_INT64(1) : 0;
	/* a null "at" means now, as in the PL/pgSQL version */
	TimestampTz at =
		PG_ARGISNULL(2) ? GetCurrentTransactionStartTimestamp() : PG_GETARG_TIMESTAMPTZ(2);
	int64 override_preset = 0;
	int layer;
	int i;

	if (default_temperature == NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);

		default_temperature = NumericFromCString("0.7");
		MemoryContextSwitchTo(old);
	}
	for (i = 0; i < PARAM_COUNT; i++)
		params[i].layer = -1;
	if (!PG_ARGISNULL(3))
		override_preset = ReadOverride(PG_GETARG_JSONB_P(3), params);

	/* changes committed elsewhere since the last lock taken drop the caches now */
	AcceptInvalidationMessages();
	LoadCatalog();
	CheckSelect(catalog.bindings_rel);
	CheckSelect(catalog.presets_rel);
	CheckSelect(catalog.settings_rel);
	/* only here, never between a scan and the entry it fills: a reset frees cached values */
	if (binding_cache != NULL && hash_get_num_entries(binding_cache) >= MAX_CACHED_TARGETS)
		ResetCaches();
	EnsureCaches();

	/* highest layer first; each fills only what the layers above left unset */
	if (override_preset != 0 && !ApplyPreset(override_preset, LAYER_OVERRIDE, params))
		ereport(ERROR, errcode(ERRCODE_NO_DATA_FOUND),
				errmsg("preset " INT64_FORMAT " does not exist", override_preset),
				err_generic_string(PG_DIAG_COLUMN_NAME, "override.preset_id"));
	for (layer = LAYER_CHAT_USER; layer >= LAYER_GLOBAL && !AllSet(params); layer--)
	{
		int64 preset_id = 0;

		switch ((PresetLayer) layer)
		{
			case LAYER_CHAT_USER:
				if (has_chat && has_user)
					preset_id = FindBinding(IDX_CHAT_USER, 2, chat_id, user_id, at);
				break;
			case LAYER_USER:
				if (has_user)
					preset_id = FindBinding(IDX_USER, 1, user_id, 0, at);
				break;
			case LAYER_CHAT:
				if (has_chat)
					preset_id = FindBinding(IDX_CHAT, 1, chat_id, 0, at);
				break;
			case LAYER_GLOBAL:
				preset_id = FindBinding(IDX_GLOBAL, 0, 0, 0, at);
				break;
			default:
				break;
		}
		if (preset_id != 0)
			ApplyPreset(preset_id, layer, params);
	}
	if (!AllSet(params))
		ApplyDefaults(params);
	PG_RETURN_JSONB_P(BuildResult(params));
}

/*
 * rt._preset_cache_invalidate(): statement trigger on rt.presets,
 * rt.preset_bindings and rt.settings.  A relcache invalidation of the table
 * reaches every backend's InvalidateCatalog (locally at the end of this
 * command, elsewhere at commit), which drops the resolution caches.
 */
Datum
preset_cache_invalidate(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR, errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				errmsg("rt._preset_cache_invalidate() must be called as a trigger"));
	CacheInvalidateRelcacheByRelid(RelationGetRelid(trigdata->tg_relation));
	return PointerGetDatum(NULL);
}
