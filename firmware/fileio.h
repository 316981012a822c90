/* fileio.h: whole-file reads with a hard size bound, and crash-safe writes.
 * Firmware and tools only: core/ never touches files. */
#ifndef GRIDLEDGER_FILEIO_H
#define GRIDLEDGER_FILEIO_H

#include <stddef.h>

#include "gridledger/diag.h"
#include "gridledger/jsonv.h"
#include "gridledger/status.h"

/* fileio_read: reads all of path into a malloc'd NUL-terminated buffer
 * (*buf, *len without the NUL). GL_EIO if unreadable, GL_EBOUND if larger
 * than max bytes. The caller frees *buf. */
gl_status fileio_read(const char *path, size_t max, char **buf, size_t *len);

/* fileio_read_lines: as fileio_read, for line-oriented text, read in chunks:
 * a line (bytes up to a LF) longer than line_max stops the read at once
 * (GL_EBOUND, *long_line = its 1-based number), so a huge line costs
 * line_max bytes of reading, not the whole file. Past max bytes in all:
 * GL_EBOUND with *long_line = 0. The buffer grows as the file is read. */
gl_status fileio_read_lines(const char *path, size_t max, size_t line_max, char **buf, size_t *len, long *long_line);

/* fileio_load_json: reads path (at most JSONV_MAX_TEXT bytes) and parses it
 * with jsonv_parse; an unreadable or oversized file adds one diag line. */
gl_status fileio_load_json(const char *path, diag *d, jsonv_doc **out);

/* fileio_write_atomic: writes len bytes to path through a temporary file in
 * the same folder, fsync, rename, fsync of the folder: after a power cut the
 * file holds either the old or the new content. */
gl_status fileio_write_atomic(const char *path, const void *data, size_t len);

#endif
