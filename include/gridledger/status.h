/* status.h: the one status enum of gridledger and its messages.
 *
 * Every function that can fail returns a gl_status. 0 is success; each other
 * value names one kind of failure. errno and libmodbus/mbedTLS/SQLite codes
 * are translated into these once, at the edge that called the library. */
#ifndef GRIDLEDGER_STATUS_H
#define GRIDLEDGER_STATUS_H

typedef enum gl_status {
    GL_OK = 0,          /* success */
    GL_EINVAL,          /* an argument is invalid (programming error or bad option) */
    GL_ESYNTAX,         /* input text is malformed (JSON, CSV, decimal, date) */
    GL_ERANGE,          /* a value is outside its allowed range */
    GL_EOVERFLOW,       /* integer arithmetic would overflow */
    GL_ENOMEM,          /* an allocation failed */
    GL_EBOUND,          /* a hard bound (buffer, queue, batch, count) would be exceeded */
    GL_ENOTFOUND,       /* a referenced thing does not exist */
    GL_EEXIST,          /* a thing with that identity already exists (duplicate) */
    GL_ECONFIG,         /* the configuration is invalid (details in the diagnostics) */
    GL_EIO,             /* a file or device read/write failed */
    GL_EFULL,           /* the disk or a quota is full */
    GL_ECORRUPT,        /* stored data failed an integrity check */
    GL_EDB,             /* the database reported an error */
    GL_ETIMEOUT,        /* no answer in time */
    GL_EDEVICE,         /* a device (serial port, meter) failed or is absent */
    GL_EPROTO,          /* a peer broke the protocol (bad frame, CRC, packet) */
    GL_EEXCEPTION,      /* a Modbus slave answered with an exception code */
    GL_ENET,            /* a network operation failed (connect, resolve, reset) */
    GL_ETLS,            /* a TLS handshake or certificate check failed */
    GL_EAUTH,           /* a signature or credential was refused */
    GL_EREPLAY,         /* a message repeats or predates one already accepted */
    GL_EEXPIRED,        /* a message or certificate is past its expiry */
    GL_ESTATE,          /* the operation is not allowed in the current state */
    GL_EPERM,           /* a permission check failed (e.g. key file readable by others) */
    GL_EUNSUPPORTED,    /* the feature or command is not available in this build */
    GL_EINTERRUPTED,    /* stopped by a signal before completion; nothing half-written */
    GL_STATUS_COUNT     /* number of values; not a status */
} gl_status;

/* gl_strerror: a short English description of st; never NULL. */
const char *gl_strerror(gl_status st);

/* gl_status_name: the enum name of st ("GL_ERANGE"); never NULL. */
const char *gl_status_name(gl_status st);

#endif
