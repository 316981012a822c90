#!/usr/bin/python3
"""bank.py GRIDLEDGER CONFIG DB BEHAVIOUR PID: the demo's payment counter.

While the gateway (process PID) runs on its simulated clock, this reads the
gateway's store (read only) for bills and prepaid balances and, as each
customer's behaviour says, takes payments and top-ups at the gateway's own
counter with `gridledger pay --batch` (one process per round). The simulated
date is the newest reading's, read through `gridledger db export readings
--csv` (routine readings are not rows of the store's table). Deterministic
per bill, so two runs agree.

  on_time      pays 1..10 days before the due date
  late         pays 5..45 days after the due date
  chronic      pays nothing for three bills, then everything owed, 60 days late
  prepaid      tops up 200.00 whenever the balance falls below 30.00
  prepaid_dry  tops up 150.00 only once the balance is below zero, 2 days later
"""
import csv
import datetime
import hashlib
import io
import json
import os
import sqlite3
import subprocess
import sys
import time

gl, cfg, db_path, beh_path, pid = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
behaviour = json.load(open(beh_path))
TZ = datetime.timezone(datetime.timedelta(hours=8))
paid, topups, taken = set(), {}, 0


def h(s, n):
    return int(hashlib.sha256(s.encode()).hexdigest()[:8], 16) % n


def day(s):
    return datetime.date.fromisoformat(s)


def alive():
    try:
        os.kill(pid, 0)
        return True
    except OSError:
        return False


def newest_reading_ts():
    """The ts of the gateway's newest reading (None: no reading yet), from its CSV export."""
    out = subprocess.run([gl, "-c", cfg, "db", "export", "readings", "--csv"], capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError("db export readings: %s" % out.stderr.strip())
    rows = csv.reader(io.StringIO(out.stdout, newline=""))
    col = next(rows).index("ts")
    return max((int(r[col]) for r in rows), default=None)


def bills_due(db, today, lines):
    rows = db.execute("SELECT customer, ref, amount_fen, due FROM ledger WHERE kind = 'bill' ORDER BY due, ref").fetchall()
    owed = {}
    for cust, ref, amount, due in rows:
        if ref in paid or amount <= 0:
            continue
        kind = behaviour.get(cust, "on_time")
        if kind == "on_time":
            when = day(due) - datetime.timedelta(days=1 + h(ref, 10))
        elif kind == "late":
            when = day(due) + datetime.timedelta(days=5 + h(ref, 41))
        elif kind == "chronic":
            owed.setdefault(cust, []).append((ref, amount, due))
            continue
        else:
            continue
        if today >= when:
            lines.append("%s,%d.%02d,PAY-%s,%s" % (cust, amount // 100, amount % 100, ref, when.isoformat()))
            paid.add(ref)
    for cust, refs in owed.items():  # chronic: every fourth bill, all at once, 60 days late
        if len(refs) >= 4 and today >= day(refs[-1][2]) + datetime.timedelta(days=60):
            for ref, amount, _ in refs:
                lines.append("%s,%d.%02d,PAY-%s,%s" % (cust, amount // 100, amount % 100, ref, today.isoformat()))
                paid.add(ref)


def prepaid(db, today, lines):
    bal = dict(db.execute("SELECT customer, sum(CASE kind WHEN 'topup' THEN amount_fen WHEN 'usage' THEN -amount_fen"
                          " ELSE 0 END) FROM ledger GROUP BY customer").fetchall())
    for cust, kind in behaviour.items():
        if not kind.startswith("prepaid"):
            continue
        b = bal.get(cust, 0)
        n = topups.get(cust, 0)
        low = b < 3000 if kind == "prepaid" else b < 0
        if n == 0 or low:
            if kind == "prepaid_dry" and n > 0:
                since = topups.get(cust + "/dry")
                if since is None:
                    topups[cust + "/dry"] = today
                    continue
                if today < since + datetime.timedelta(days=2):
                    continue
                topups.pop(cust + "/dry")
            amount = 20000 if kind == "prepaid" else 15000
            lines.append("%s,%d.00,TOP-%s-%d,%s,topup" % (cust, amount // 100, cust, n + 1, today.isoformat()))
            topups[cust] = n + 1


def main():
    global taken
    batch = os.path.join(os.path.dirname(db_path), "bank-batch.csv")
    log = open(os.path.join(os.path.dirname(db_path), "bank.log"), "a")
    while alive():
        time.sleep(0.3)
        try:
            ts = newest_reading_ts()
            if ts is None:
                continue
            today = datetime.datetime.fromtimestamp(ts, TZ).date()
            db = sqlite3.connect("file:%s?mode=ro" % db_path, uri=True, timeout=5)
            lines = []
            bills_due(db, today, lines)
            prepaid(db, today, lines)
            db.close()
        except (sqlite3.Error, RuntimeError) as e:
            print("bank: %s" % e, file=log)
            continue
        if lines:
            open(batch, "w").write("\n".join(lines) + "\n")
            subprocess.run([gl, "-c", cfg, "pay", "--batch", batch], stdout=log, stderr=log)
            taken += len(lines)
    print("bank: %d payments and top-ups taken" % taken, file=log)


main()
