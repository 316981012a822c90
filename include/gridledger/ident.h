/* ident.h: the one identifier check. Gateway, bus, meter, customer, tariff
 * and ledger ids (config, ledger CSV, URDB labels, MQTT topics, the back
 * office's ingest) are 1..n characters of [A-Za-z0-9._-]: safe in a topic
 * level, a file name, a CSV field and a URL without quoting. Pure. */
#ifndef GRIDLEDGER_IDENT_H
#define GRIDLEDGER_IDENT_H

#include <stddef.h>

/* ident_char: 1 if c may appear in an id: A-Z a-z 0-9 '.' '_' '-'. */
int ident_char(char c);

/* ident_valid: 1 if s (may be NULL) is 1..max_len characters of ident_char. */
int ident_valid(const char *s, size_t max_len);

#endif
