/* capstream.h: a stdio stream over a textbuf, so the printers that take a
 * FILE * (collection rows, readings, credit results) can fill a capped
 * buffer: the daemon's replacement for open_memstream, which has no cap.
 *
 * A write that would take the textbuf past its cap fails: the stream's
 * error flag is set, the textbuf keeps GL_EBOUND, and capstream_close says
 * so. Output is buffered by stdio and reaches the textbuf at the latest on
 * capstream_close. */
#ifndef GRIDLEDGER_CAPSTREAM_H
#define GRIDLEDGER_CAPSTREAM_H

#include <stdio.h>

#include "gridledger/textbuf.h"

/* capstream_open: a write-only stream appending to t (which must outlive
 * it); NULL if stdio cannot make one (t then holds GL_ENOMEM). */
FILE *capstream_open(textbuf *t);

/* capstream_close: flushes and closes f (NULL: nothing to close); GL_OK, or
 * t's error (GL_EBOUND past its cap, GL_ENOMEM), or GL_EIO if the stream
 * failed otherwise. */
gl_status capstream_close(FILE *f, textbuf *t);

#endif
