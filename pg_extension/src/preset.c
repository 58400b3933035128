/*
 * preset.c
 *	  rt.resolve_params(chat_id, user_id, at, override): the effective model
 *	  parameters of one reply, layered per parameter
 *	  defaults < global < chat < user < chat_user < override.
 *
 * It runs on every auto-reply, so it costs one execution of one kept plan:
 * the settings row of the defaults plus, per stored layer, the newest binding
 * with expires_at > at (an index-only probe of preset_bindings_lookup_idx),
 * joined to its preset.  rt._resolve_params_plpgsql is the same rules in
 * PL/pgSQL (the executable spec); docs/decisions/006-preset-layers.md says why.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
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
 * Column 1 is the layer, columns 2..7 the parameters in PresetParam order.
 * $1 chat_id, $2 user_id, $3 at, $4 override preset id (null: none).  Names
 * are schema-qualified because the function has no SET search_path.
 */
static const char resolve_sql[] =
	"SELECT 0, CASE WHEN jsonb_typeof(s.value->'temperature') = 'number' "
	"THEN (s.value->'temperature')::numeric END, "
	"CASE WHEN jsonb_typeof(s.value->'max_tokens') = 'number' "
	"THEN (s.value->'max_tokens')::numeric::int END, "
	"s.value->>'tone', s.value->>'verbosity', "
	"CASE WHEN jsonb_typeof(s.value->'emotional_intensity') = 'number' "
	"THEN (s.value->'emotional_intensity')::numeric::int END, "
	"s.value->>'persona' "
	"FROM rt.settings s WHERE s.key = 'preset.defaults' "
	"UNION ALL "
	"SELECT w.layer, p.temperature, p.max_tokens, p.tone, p.verbosity, p.emotional_intensity, "
	"p.persona FROM ("
	"(SELECT 1 AS layer, b.preset_id FROM rt.preset_bindings b WHERE b.scope = 'global' "
	"AND b.chat_id IS NULL AND b.user_id IS NULL AND (b.expires_at IS NULL OR b.expires_at > $3) "
	"ORDER BY b.created_at DESC, b.id DESC LIMIT 1) "
	"UNION ALL "
	"(SELECT 2, b.preset_id FROM rt.preset_bindings b WHERE b.scope = 'chat' "
	"AND b.chat_id = $1 AND b.user_id IS NULL AND (b.expires_at IS NULL OR b.expires_at > $3) "
	"ORDER BY b.created_at DESC, b.id DESC LIMIT 1) "
	"UNION ALL "
	"(SELECT 3, b.preset_id FROM rt.preset_bindings b WHERE b.scope = 'user' "
	"AND b.chat_id IS NULL AND b.user_id = $2 AND (b.expires_at IS NULL OR b.expires_at > $3) "
	"ORDER BY b.created_at DESC, b.id DESC LIMIT 1) "
	"UNION ALL "
	"(SELECT 4, b.preset_id FROM rt.preset_bindings b WHERE b.scope = 'chat_user' "
	"AND b.chat_id = $1 AND b.user_id = $2 AND (b.expires_at IS NULL OR b.expires_at > $3) "
	"ORDER BY b.created_at DESC, b.id DESC LIMIT 1) "
	"UNION ALL "
	"SELECT 5, $4 WHERE $4 IS NOT NULL"
	") w JOIN rt.presets p ON p.id = w.preset_id";

/* prepared once per backend and kept; the plan cache revalidates it after DDL */
static SPIPlanPtr resolve_plan = NULL;

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

static void
PrepareResolvePlan(void)
{
	Oid argtypes[4] = {INT8OID, INT8OID, TIMESTAMPTZOID, INT8OID};
	SPIPlanPtr plan;

	if (resolve_plan != NULL)
		return;
	plan = SPI_prepare(resolve_sql, 4, argtypes);
	if (plan == NULL)
		elog(ERROR, "rt.resolve_params: SPI_prepare failed: %s",
			 SPI_result_code_string(SPI_result));
	if (SPI_keepplan(plan) != 0)
		elog(ERROR, "rt.resolve_params: SPI_keepplan failed");
	resolve_plan = plan;
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

Datum
resolve_params(PG_FUNCTION_ARGS)
{
	ParamValue params[PARAM_COUNT];
	Datum args[4];
	char nulls[4] = {' ', ' ', ' ', 'n'};
	int64 override_preset = 0;
	bool override_found = false;
	MemoryContext caller_cxt = CurrentMemoryContext;
	Jsonb *result;
	uint64 row;
	int i;
	int rc;

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

	args[0] = PG_ARGISNULL(0) ? (Datum) 0 : PG_GETARG_DATUM(0);
	nulls[0] = PG_ARGISNULL(0) ? 'n' : ' ';
	args[1] = PG_ARGISNULL(1) ? (Datum) 0 : PG_GETARG_DATUM(1);
	nulls[1] = PG_ARGISNULL(1) ? 'n' : ' ';
	/* a null "at" means now, as in the PL/pgSQL version */
	args[2] = PG_ARGISNULL(2) ? TimestampTzGetDatum(GetCurrentTransactionStartTimestamp())
							  : PG_GETARG_DATUM(2);
	args[3] = Int64GetDatum(override_preset);
	if (override_preset != 0)
		nulls[3] = ' ';

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "rt.resolve_params: SPI_connect failed");
	PrepareResolvePlan();
	rc = SPI_execute_plan(resolve_plan, args, nulls, true, 0);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "rt.resolve_params: SPI_execute_plan failed: %s", SPI_result_code_string(rc));

	for (row = 0; row < SPI_processed; row++)
	{
		HeapTuple tuple = SPI_tuptable->vals[row];
		TupleDesc desc = SPI_tuptable->tupdesc;
		bool isnull;
		int layer = DatumGetInt32(SPI_getbinval(tuple, desc, 1, &isnull));

		if (layer == LAYER_OVERRIDE)
			override_found = true;
		for (i = 0; i < PARAM_COUNT; i++)
		{
			Datum value;

			if (params[i].layer >= layer)
				continue;
			value = SPI_getbinval(tuple, desc, i + 2, &isnull);
			if (isnull)
				continue;
			params[i].value = value;
			params[i].layer = layer;
		}
	}
	if (override_preset != 0 && !override_found)
		ereport(ERROR, errcode(ERRCODE_NO_DATA_FOUND),
				errmsg("preset " INT64_FORMAT " does not exist", override_preset),
				err_generic_string(PG_DIAG_COLUMN_NAME, "override.preset_id"));

	/* the tuples live until SPI_finish: build the result first, in the caller's context */
	{
		MemoryContext spi_cxt = MemoryContextSwitchTo(caller_cxt);

		result = BuildResult(params);
		MemoryContextSwitchTo(spi_cxt);
	}
	SPI_finish();
	PG_RETURN_JSONB_P(result);
}
