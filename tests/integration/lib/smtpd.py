#!/usr/bin/python3
"""smtpd.py: a real SMTP server for the e-mail tests and bench (aiosmtpd,
Debian python3-aiosmtpd). Usage: smtpd.py PORT OUTDIR [CERT KEY]. With CERT
and KEY it offers STARTTLS and requires it before MAIL; without, it offers no
TLS (the "TLS not offered" case). Every accepted message is saved as
OUTDIR/N.eml (N counts from 1) and answered "250 OK queued as gl-N".
Refusals, for the bad cases: a recipient whose local part starts with
"refused" gets 550 at RCPT; a message to one starting with "bounce" gets 554
after DATA; one starting with "later" gets 451 at RCPT (try again later).
Prints "ready" on stdout once it listens; SIGTERM ends it."""
import os
import signal
import ssl
import sys
import threading

from aiosmtpd.controller import Controller


class Keep:
    def __init__(self, out):
        self.out = out
        self.n = 0
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@")[0]
        if local.startswith("refused"):
            return "550 5.1.1 <%s>: mailbox unavailable" % address
        if local.startswith("later"):
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if any(a.split("@")[0].startswith("bounce") for a in envelope.rcpt_tos):
            return "554 5.6.0 message content rejected"
        with self.lock:
            self.n += 1
            n = self.n
        path = os.path.join(self.out, "%d.eml" % n)
        with open(path + ".tmp", "wb") as f:
            f.write(envelope.original_content)
        os.rename(path + ".tmp", path)
        return "250 OK queued as gl-%d" % n


def main():
    port, out = int(sys.argv[1]), sys.argv[2]
    os.makedirs(out, exist_ok=True)
    kw = {}
    if len(sys.argv) > 4:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(sys.argv[3], sys.argv[4])
        kw = {"tls_context": ctx, "require_starttls": True}
    c = Controller(Keep(out), hostname="127.0.0.1", port=port, decode_data=False, **kw)
    c.start()
    print("ready", flush=True)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *a: done.set())
    signal.signal(signal.SIGINT, lambda *a: done.set())
    done.wait()
    c.stop()


if __name__ == "__main__":
    main()
