/*
 * roundtable.h
 *	  Module-wide settings of the roundtable extension.
 */
#ifndef ROUNDTABLE_H
#define ROUNDTABLE_H

/* roundtable.max_text_bytes: longest message text or caption ingest accepts */
extern int rt_max_text_bytes;

#define RT_DEFAULT_MAX_TEXT_BYTES 65536

#endif /* ROUNDTABLE_H */
