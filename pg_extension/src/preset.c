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
 * only for what is left.  Relation OIDs are cached per backend and dropped on
 * relcache invalidation.  rt._resolve_params_plpgsql is the same rules in
 * PL/pgSQL (the executable spec); docs/decisions/006-preset-layers.md says why.
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
#include "executor/tuptable.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "mb/pg_wchar.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
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

static void
InvalidateCatalog(Datum arg, Oid relid)
{
	int i;

	if (!catalog.valid)
		return;
	if (relid == InvalidOid || relid == catalog.bindings_rel || relid == catalog.presets_rel ||
		relid == catalog.settings_rel)
	{
		catalog.valid = false;
		return;
	}
	for (i = 0; i < IDX_COUNT; i++)
		if (relid == catalog.indexes[i])
			catalog.valid = false;
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
 * The preset id of the newest binding in one layer's partial index whose
 * expires_at is null or after "at", or 0.  The index order is newest first,
 * so the scan stops at the first binding still in force.
 */
static int64
FindBinding(Relation bindings, TupleTableSlot *slot, ResolveIndex which, int nkeys, int64 key1,
			int64 key2, TimestampTz at)
{
	Relation index = index_open(catalog.indexes[which], AccessShareLock);
	ScanKeyData keys[2];
	IndexScanDesc scan;
	int64 preset_id = 0;

	if (nkeys > 0)
		ScanKeyInit(&keys[0], 1, BTEqualStrategyNumber, F_INT8EQ, Int64GetDatum(key1));
	if (nkeys > 1)
		ScanKeyInit(&keys[1], 2, BTEqualStrategyNumber, F_INT8EQ, Int64GetDatum(key2));
	scan = index_beginscan(bindings, index, GetActiveSnapshot(), nkeys, 0);
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
	index_close(index, NoLock);
	ExecClearTuple(slot);
	return preset_id;
}

/*
 * Fills the parameters still unset from preset preset_id, at layer "layer".
 * Values are detoasted copies: the slot's buffer goes away after the scan.
 * Returns false when there is no such preset.
 */
static bool
ReadPreset(Relation presets, TupleTableSlot *slot, int64 preset_id, int layer, ParamValue *params)
{
	Relation index = index_open(catalog.indexes[IDX_PRESETS_PKEY], AccessShareLock);
	ScanKeyData key;
	IndexScanDesc scan;
	bool found;

	ScanKeyInit(&key, 1, BTEqualStrategyNumber, F_INT8EQ, Int64GetDatum(preset_id));
	scan = index_beginscan(presets, index, GetActiveSnapshot(), 1, 0);
	index_rescan(scan, &key, 1, NULL, 0);
	found = index_getnext_slot(scan, ForwardScanDirection, slot);
	if (found)
	{
		int i;

		for (i = 0; i < PARAM_COUNT; i++)
		{
			bool isnull;
			Datum value;

			if (params[i].layer >= 0)
				continue;
			value = slot_getattr(slot, catalog.preset_columns[i], &isnull);
			if (isnull)
				continue;
			if (i == PARAM_MAX_TOKENS || i == PARAM_EMOTIONAL_INTENSITY)
				params[i].value = value;
			else
				params[i].value = PointerGetDatum(PG_DETOAST_DATUM_COPY(value));
			params[i].layer = layer;
		}
	}
	index_endscan(scan);
	index_close(index, NoLock);
	ExecClearTuple(slot);
	return found;
}

/* the rt.settings row preset.defaults, for parameters no layer set */
static void
ReadDefaults(ParamValue *params)
{
	Relation settings = table_open(catalog.settings_rel, AccessShareLock);
	Relation index = index_open(catalog.indexes[IDX_SETTINGS_PKEY], AccessShareLock);
	TupleTableSlot *slot = table_slot_create(settings, NULL);
	ScanKeyData key;
	IndexScanDesc scan;

	CheckSelect(catalog.settings_rel);
	/* the index's own collation, so the btree descent compares as the index was built */
	ScanKeyEntryInitialize(&key, 0, 1, BTEqualStrategyNumber, InvalidOid, index->rd_indcollation[0],
						   F_TEXTEQ, CStringGetTextDatum("preset.defaults"));
	scan = index_beginscan(settings, index, GetActiveSnapshot(), 1, 0);
	index_rescan(scan, &key, 1, NULL, 0);
	if (index_getnext_slot(scan, ForwardScanDirection, slot))
	{
		bool isnull;
		Datum value = slot_getattr(slot, catalog.settings_value, &isnull);
		Jsonb *defaults = isnull ? NULL : DatumGetJsonbPCopy(value);
		int i;

		for (i = 0; defaults != NULL && JB_ROOT_IS_OBJECT(defaults) && i < PARAM_COUNT; i++)
		{
			JsonbValue v;

			if (params[i].layer >= 0 ||
				getKeyJsonValueFromContainer(&defaults->root, param_names[i],
											 strlen(param_names[i]), &v) == NULL)
				continue;
			if (i == PARAM_TEMPERATURE && v.type == jbvNumeric)
				params[i].value = NumericGetDatum(v.val.numeric);
			else if ((i == PARAM_MAX_TOKENS || i == PARAM_EMOTIONAL_INTENSITY) &&
					 v.type == jbvNumeric)
				params[i].value = DirectFunctionCall1(numeric_int4, NumericGetDatum(v.val.numeric));
			else if ((i == PARAM_TONE || i == PARAM_VERBOSITY || i == PARAM_PERSONA) &&
					 v.type == jbvString)
				params[i].value =
					PointerGetDatum(cstring_to_text_with_len(v.val.string.val, v.val.string.len));
			else
				continue;
			params[i].layer = LAYER_DEFAULT;
		}
	}
	index_endscan(scan);
	index_close(index, NoLock);
	ExecDropSingleTupleTableSlot(slot);
	table_close(settings, NoLock);
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
	Relation bindings;
	Relation presets;
	TupleTableSlot *binding_slot;
	TupleTableSlot *preset_slot;
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

	LoadCatalog();
	CheckSelect(catalog.bindings_rel);
	CheckSelect(catalog.presets_rel);
	bindings = table_open(catalog.bindings_rel, AccessShareLock);
	presets = table_open(catalog.presets_rel, AccessShareLock);
	binding_slot = table_slot_create(bindings, NULL);
	preset_slot = table_slot_create(presets, NULL);

	/* highest layer first; each fills only what the layers above left unset */
	if (override_preset != 0 &&
		!ReadPreset(presets, preset_slot, override_preset, LAYER_OVERRIDE, params))
		ereport(ERROR, errcode(ERRCODE_NO_DATA_FOUND),
				errmsg("preset " INT64_FORMAT " does not exist", override_preset),
				err_generic_string(PG_DIAG_COLUMN_NAME, "override.preset_id"));
	for (i = LAYER_CHAT_USER; i >= LAYER_GLOBAL && !AllSet(params); i--)
	{
		int64 preset_id = 0;

		switch ((PresetLayer) i)
		{
			case LAYER_CHAT_USER:
				if (has_chat && has_user)
					preset_id =
						FindBinding(bindings, binding_slot, IDX_CHAT_USER, 2, chat_id, user_id, at);
				break;
			case LAYER_USER:
				if (has_user)
					preset_id = FindBinding(bindings, binding_slot, IDX_USER, 1, user_id, 0, at);
				break;
			case LAYER_CHAT:
				if (has_chat)
					preset_id = FindBinding(bindings, binding_slot, IDX_CHAT, 1, chat_id, 0, at);
				break;
			case LAYER_GLOBAL:
				preset_id = FindBinding(bindings, binding_slot, IDX_GLOBAL, 0, 0, 0, at);
				break;
			default:
				break;
		}
		if (preset_id != 0)
			ReadPreset(presets, preset_slot, preset_id, i, params);
	}
	ExecDropSingleTupleTableSlot(binding_slot);
	ExecDropSingleTupleTableSlot(preset_slot);
	table_close(bindings, NoLock);
	table_close(presets, NoLock);

	if (!AllSet(params))
		ReadDefaults(params);
	PG_RETURN_JSONB_P(BuildResult(params));
}
