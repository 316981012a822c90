/* status.c: messages for gl_status. */
#include "gridledger/status.h"

#include <stddef.h>

static const struct {
    const char *name;
    const char *text;
} status_table[GL_STATUS_COUNT] = {
    [GL_OK] = {"GL_OK", "success"},
    [GL_EINVAL] = {"GL_EINVAL", "invalid argument"},
    [GL_ESYNTAX] = {"GL_ESYNTAX", "malformed input"},
    [GL_ERANGE] = {"GL_ERANGE", "value out of range"},
    [GL_EOVERFLOW] = {"GL_EOVERFLOW", "arithmetic overflow"},
    [GL_ENOMEM] = {"GL_ENOMEM", "out of memory"},
    [GL_EBOUND] = {"GL_EBOUND", "bound exceeded"},
    [GL_ENOTFOUND] = {"GL_ENOTFOUND", "not found"},
    [GL_EEXIST] = {"GL_EEXIST", "already exists"},
    [GL_ECONFIG] = {"GL_ECONFIG", "invalid configuration"},
    [GL_EIO] = {"GL_EIO", "input/output error"},
    [GL_EFULL] = {"GL_EFULL", "disk or quota full"},
    [GL_ECORRUPT] = {"GL_ECORRUPT", "data corrupt"},
    [GL_EDB] = {"GL_EDB", "database error"},
    [GL_ETIMEOUT] = {"GL_ETIMEOUT", "timed out"},
    [GL_EDEVICE] = {"GL_EDEVICE", "device error"},
    [GL_EPROTO] = {"GL_EPROTO", "protocol error"},
    [GL_EEXCEPTION] = {"GL_EEXCEPTION", "Modbus exception"},
    [GL_ENET] = {"GL_ENET", "network error"},
    [GL_ETLS] = {"GL_ETLS", "TLS error"},
    [GL_EAUTH] = {"GL_EAUTH", "authentication failed"},
    [GL_EREPLAY] = {"GL_EREPLAY", "replayed or old message"},
    [GL_EEXPIRED] = {"GL_EEXPIRED", "expired"},
    [GL_ESTATE] = {"GL_ESTATE", "not allowed in this state"},
    [GL_EPERM] = {"GL_EPERM", "permission refused"},
    [GL_EUNSUPPORTED] = {"GL_EUNSUPPORTED", "not supported"},
    [GL_EINTERRUPTED] = {"GL_EINTERRUPTED", "interrupted"},
};

const char *gl_strerror(gl_status st)
{
    if ((unsigned)st >= GL_STATUS_COUNT || status_table[st].text == NULL)
        return "unknown status";
    return status_table[st].text;
}

const char *gl_status_name(gl_status st)
{
    if ((unsigned)st >= GL_STATUS_COUNT || status_table[st].name == NULL)
        return "GL_UNKNOWN";
    return status_table[st].name;
}
