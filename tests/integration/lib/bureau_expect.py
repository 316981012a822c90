#!/usr/bin/python3
"""The credit-bureau record of an account derived by hand from docs/bureau.md,
apart from tools/backoffice/bo_bureau.c, for tests/integration/collection_year.sh.

usage: bureau_expect.py GATEWAY_DB BACKOFFICE_DB PERIOD INSTITUTION EXPORT_CSV CUSTOMER...

For each customer prints "CUSTOMER ok" when the exported record equals the
derived one field by field, "CUSTOMER withheld ok" when the derivation says
adverse without a served notice and the export has no record, or the fields
that differ. Sources, field by field:
  account_type, business_type  constants public_utility, electricity
  institution                  the back office's bureau.institution (given)
  account, gateway             the customer, gw-0001
  opening_date                 the month of the customer's first bill in the gateway's
                               own bills table, day 01
  accounting_month             PERIOD
  status_24                    24 months ending at PERIOD, each: "/" before the opening
                               month; else the month's newest sighting (a grading in the
                               back office's grades, or a monthly worklist in worklists,
                               where a customer not listed owed nothing overdue; the
                               worklist wins a tie): "N" if its arrears or its days
                               overdue are 0, else ceil(days / 30) capped at 7; else "#"
                               if the gateway billed that month, else "*"
  current_status               the last code of status_24
  current_arrears              the newest sighting's arrears up to PERIOD, yuan.fen
  notice_served                the first served credit_report_notice in the gateway's own
                               collection record (local date of served_ts, Asia/Shanghai)
                               served in or before PERIOD; "" if none
An account with an overdue code and no notice is withheld (art. 15).
"""
import csv
import datetime
import sqlite3
import sys

gw_db, bo_db, period, institution, export_csv = sys.argv[1:6]
customers = sys.argv[6:]
gw = sqlite3.connect(gw_db)
bo = sqlite3.connect(bo_db)
CST = datetime.timezone(datetime.timedelta(hours=8))


def months_back(period, n):
    y, m = int(period[:4]), int(period[5:7])
    out = []
    for _ in range(n):
        out.append("%04d-%02d" % (y, m))
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return out[::-1]


def sightings(customer):
    """(date, kind, arrears_fen, days) in date order, worklist after a grading of the same day."""
    rows = [(d, 0, a, o) for d, a, o in bo.execute(
        "SELECT as_of, arrears_fen, days_overdue FROM grades WHERE customer = ? AND as_of <= ?",
        (customer, period + "-31"))]
    for (d,) in bo.execute("SELECT date FROM worklists WHERE date <= ?", (period + "-31",)):
        listed = bo.execute("SELECT max(arrears_fen), max(days_overdue) FROM worklist WHERE date = ? AND customer = ?",
                            (d, customer)).fetchone()
        rows.append((d, 1, listed[0] or 0, listed[1] or 0))
    return sorted(rows)


def expected(customer):
    bills = [p for (p,) in gw.execute("SELECT period FROM bills WHERE customer = ? AND period <= ? ORDER BY period",
                                      (customer, period))]
    opened = bills[0]
    seen = sightings(customer)
    codes = ""
    for month in months_back(period, 24):
        last = [s for s in seen if s[0][:7] == month]
        if month < opened:
            codes += "/"
        elif last:
            _, _, arrears, days = last[-1]
            codes += "N" if arrears <= 0 or days <= 0 else str(min(7, (days + 29) // 30))
        else:
            codes += "#" if month in bills else "*"
    arrears = seen[-1][2] if seen else 0
    served = [datetime.datetime.fromtimestamp(ts, CST).strftime("%Y-%m-%d") for (ts,) in gw.execute(
        "SELECT served_ts FROM collection WHERE customer = ? AND action = 'credit_report_notice' AND status = 'served'"
        " ORDER BY served_ts", (customer,))]
    served = [d for d in served if d[:7] <= period]
    return {"account_type": "public_utility", "institution": institution, "business_type": "electricity",
            "account": customer, "gateway": "gw-0001", "opening_date": opened + "-01", "accounting_month": period,
            "current_status": codes[-1], "current_arrears": "%d.%02d" % (arrears // 100, arrears % 100),
            "status_24": codes, "notice_served": served[0] if served else ""}


exported = {r["account"]: r for r in csv.DictReader(open(export_csv, newline=""))}
bad = 0
for c in customers:
    want = expected(c)
    adverse = any(ch in "1234567" for ch in want["status_24"])
    if adverse and not want["notice_served"]:
        print("%s withheld %s" % (c, "ok" if c not in exported else "NOT: exported " + str(exported[c])))
        bad += c in exported
        continue
    got = exported.get(c)
    if got is None:
        print("%s missing from the export (want %s)" % (c, want))
        bad += 1
        continue
    diff = ["%s: got %r want %r" % (k, got.get(k), v) for k, v in want.items() if got.get(k) != v]
    print("%s %s" % (c, "ok " + want["status_24"] + " " + want["current_arrears"] + " " + want["notice_served"]
                     if not diff else "; ".join(diff)))
    bad += bool(diff)
sys.exit(1 if bad else 0)
