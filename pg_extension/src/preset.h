/*
 * preset.h
 *	  Preset resolution: the effective model parameters of one reply.
 */
#ifndef PRESET_H
#define PRESET_H

#include "fmgr.h"

/* the parameters a preset can set, in the order of the resolution query's columns */
typedef enum PresetParam
{
	PARAM_TEMPERATURE,
	PARAM_MAX_TOKENS,
	PARAM_TONE,
	PARAM_VERBOSITY,
	PARAM_EMOTIONAL_INTENSITY,
	PARAM_PERSONA,
	PARAM_COUNT
} PresetParam;

/* layers, low to high; a higher layer that sets a parameter wins */
typedef enum PresetLayer
{
	LAYER_DEFAULT,
	LAYER_GLOBAL,
	LAYER_CHAT,
	LAYER_USER,
	LAYER_CHAT_USER,
	LAYER_OVERRIDE,
	LAYER_COUNT
} PresetLayer;

extern Datum resolve_params(PG_FUNCTION_ARGS);
extern Datum preset_cache_invalidate(PG_FUNCTION_ARGS);

#endif /* PRESET_H */
