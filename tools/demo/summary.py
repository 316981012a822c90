#!/usr/bin/python3
"""summary.py GRIDLEDGER OUT UNTIL: the demo's closing summary.

Figures come from the gateway (its store and its own commands: grades,
lineloss) and are checked against the back office's database and reports,
which only know what came over the uplink. Exit 1 if they disagree.
"""
import csv
import datetime
import decimal
import collections
import json
import os
import sqlite3
import subprocess
import sys

gl, out, until = sys.argv[1], sys.argv[2], sys.argv[3]
cfg = out + "/gridledger.json"
gw = sqlite3.connect(out + "/gateway.db")
bo = sqlite3.connect(out + "/backoffice.db")
as_of = until[:10]
problems = []


def yuan(fen):
    return "%s%d.%02d" % ("-" if fen < 0 else "", abs(fen) // 100, abs(fen) % 100)


def run(*args):
    return subprocess.run([gl, "-c", cfg] + list(args), check=True, capture_output=True, text=True).stdout


print("\n== Summary (gateway), as of %s" % as_of)
bills = gw.execute("SELECT period, count(*), sum(total_fen), sum(json LIKE '%\"estimated\": true%') FROM bills"
                   " GROUP BY period ORDER BY period").fetchall()
bo_bills = dict(bo.execute("SELECT period, sum(total_fen) FROM bills GROUP BY period").fetchall())
print("Bills: %d in %d periods, %s yuan in all" % (sum(b[1] for b in bills), len(bills), yuan(sum(b[2] for b in bills))))
for period, n, total, est in bills:
    ok = bo_bills.get(period) == total
    if not ok:
        problems.append("bills %s: gateway %s, back office %s" % (period, yuan(total), yuan(bo_bills.get(period) or 0)))
    print("  %s  %3d bills  %12s yuan  %3d with estimated lines  back office %s" %
          (period, n, yuan(total), est, "agrees" if ok else "DIFFERS"))
if any(b[3] for b in bills):
    print("  (estimated lines: at this clock speed the gateway reads each meter hours apart, so the reading\n"
          "   interval across a period's start, and a TOU interval across a price change, is shared by time;\n"
          "   a gateway polling every 15 minutes has readings on the quarter hours where periods start)")

credit = json.loads(run("grades", "--date", as_of, "--json"))["customers"]
fen = lambda s: int(decimal.Decimal(s) * 100)  # amounts are decimal strings with 2 places
arrears = sum(fen(c["arrears"]) for c in credit)
penalty = sum(fen(c["penalty"]) for c in credit)
overdue = [c for c in credit if fen(c["arrears"]) > 0]
aging = collections.Counter()
for c in credit:
    for k, v in c["aging"].items():
        aging[k] += fen(v)
print("Arrears: %s yuan owed by %d customers, penalties %s yuan; aging 0-30 %s, 31-60 %s, 61-90 %s, >90 %s" %
      (yuan(arrears), len(overdue), yuan(penalty), yuan(aging["0_30"]), yuan(aging["31_60"]), yuan(aging["61_90"]),
       yuan(aging["over_90"])))
worst = sorted(overdue, key=lambda c: -fen(c["arrears"]))[:3]
for c in worst:
    print("  %s owes %s (%d days, penalty %s), grade %s" % (c["customer"], c["arrears"], c["days_overdue"],
                                                             c["penalty"], c["grade"]))
grades = collections.Counter(c["grade"] for c in credit)
print("Grades now: " + ", ".join("%s %d" % g for g in sorted(grades.items())))
for as_of_g, dist in [(a, gw.execute("SELECT grade, count(*) FROM grades WHERE as_of = ? GROUP BY grade", (a,)).fetchall())
                      for (a,) in gw.execute("SELECT DISTINCT as_of FROM grades ORDER BY as_of").fetchall()]:
    print("  graded %s: %s" % (as_of_g, ", ".join("%s %d" % g for g in dist)))


def measures_line(results):
    """What the grades changed (docs/credit.md "What a grade changes"), over credit results."""
    ms = [r["measures"] for r in results if r.get("measures")]
    count = lambda f: sum(1 for m in ms if f(m))
    asked = sum(fen(m["deposit"]["amount"]) for m in ms if m["deposit"]["change"] == "propose")
    return ("%d in instalments, %d read daily or closer, %d proposed for prepayment (%d already prepaid), "
            "deposits requested from %d (%s yuan), %d to release, %d singled out by the count rule" %
            (count(lambda m: m["billing"]["mode"] == "instalments"), count(lambda m: m["reading"]["quality"] != "monthly"),
             count(lambda m: m["billing"]["change"] == "propose"), count(lambda m: m["billing"]["change"] == "in_force"),
             count(lambda m: m["deposit"]["change"] == "propose"), yuan(asked),
             count(lambda m: m["deposit"]["change"] == "release"), count(lambda m: m["count_rule"]["singled_out"])))


print("What grades changed now: " + measures_line(credit))
for (as_of_g,) in gw.execute("SELECT DISTINCT as_of FROM grades ORDER BY as_of").fetchall():
    stored = [json.loads(e) for (e,) in gw.execute("SELECT explanation FROM grades WHERE as_of = ?", (as_of_g,))]
    print("  graded %s: %s" % (as_of_g, measures_line(stored)))
n, fen_parts, who = gw.execute("SELECT count(*), coalesce(sum(amount_fen), 0), count(DISTINCT customer) FROM ledger"
                               " WHERE kind = 'bill' AND ref LIKE '%#%'").fetchone()
print("  instalments issued: %d parts to %d customers, %s yuan (each reconciled at its month's close)" %
      (n, who, yuan(fen_parts)))
sw = gw.execute("SELECT mode, count(*) FROM payment_modes GROUP BY mode ORDER BY mode").fetchall()
print("  payment modes switched by command: " + (", ".join("%s %d" % s for s in sw) or "none"))
crn = gw.execute("SELECT count(*), sum(status = 'served') FROM collection WHERE action = 'credit_report_notice'").fetchone()
print("  notices of adverse reporting (credit_report_notice): %d taken, %d served" % (crn[0], crn[1] or 0))

print("Line loss (area summary meter against customer meters):")
for period, *_ in bills:
    row = list(csv.DictReader(run("lineloss", "--period", period, "--csv").splitlines()))[0]
    print("  %s  supplied %10s kWh  sold %10s kWh  loss %5s %%  %s" % (row["period"], row["supplied_kwh"],
                                                                     row["sold_kwh"], row["loss_pct"], row["alert"]))
acts = gw.execute("SELECT action, count(*) FROM collection WHERE status IN ('taken', 'served')"
                  " GROUP BY action ORDER BY count(*) DESC").fetchall()
print("Collection actions taken (the collection record): " + (", ".join("%s %d" % a for a in acts) or "none"))
audit = subprocess.run(["/usr/bin/python3", os.path.join(os.path.dirname(os.path.abspath(__file__)), "audit_cuts.py"),
                        os.path.join(out, "gridledger.json"), os.path.join(out, "gateway.db")],
                       capture_output=True, text=True)
print("  " + audit.stdout.strip().replace("\n", "\n  "))
if audit.returncode != 0:
    problems.append("unlawful or late collection actions (see above)")
ev = gw.execute("SELECT kind, count(*) FROM events WHERE alert = 1 GROUP BY kind ORDER BY count(*) DESC").fetchall()
print("Alerts raised: " + (", ".join("%s %d" % e for e in ev) or "none"))
ev = gw.execute("SELECT kind, count(*) FROM events WHERE alert = 1 AND closed_ts IS NULL GROUP BY kind"
                " ORDER BY count(*) DESC").fetchall()
print("Alerts open at the end (`gridledger alerts`): " + (", ".join("%s %d" % e for e in ev) or "none"))
relay = gw.execute("SELECT kind, count(*), sum(ts < 946684800) FROM events WHERE alert = 0"
                   " AND kind IN ('supply_cut', 'supply_restored') GROUP BY kind ORDER BY kind").fetchall()
print("Supply events (events, not alerts): " + (", ".join("%s %d" % (k, n) for k, n, _ in relay) or "none"))
if sum(z or 0 for _, _, z in relay):
    problems.append("%d supply events without their time" % sum(z or 0 for _, _, z in relay))
CST = datetime.timezone(datetime.timedelta(hours=8))
bypass = gw.execute("SELECT subject, min(ts) FROM events WHERE kind = 'suspected_bypass' AND closed_ts IS NULL"
                    " GROUP BY subject ORDER BY subject").fetchall()
print("Suspected bypass (open alerts): " + (", ".join("%s since %s" % (m, datetime.datetime.fromtimestamp(t, CST)
                                                                        .date()) for m, t in bypass) or "none"))
stuck = gw.execute("SELECT meter, count(*) FROM readings WHERE flags & 8 GROUP BY meter ORDER BY 2 DESC LIMIT 3").fetchall()
if stuck:
    print("Meters flagged stuck while power flows (bypass suspected): " + ", ".join("%s (%d readings)" % s for s in stuck))
pays = gw.execute("SELECT kind, count(*), sum(amount_fen) FROM ledger WHERE kind IN ('payment', 'topup') GROUP BY kind").fetchall()
print("Money taken: " + ", ".join("%d %ss, %s yuan" % (n, k, yuan(s)) for k, n, s in pays))

last = int(gw.execute("SELECT val FROM kv WHERE key = 'outbox.last_seq'").fetchone()[0])
queued = gw.execute("SELECT count(*) FROM outbox").fetchone()[0]
got, lo, hi = bo.execute("SELECT count(*), min(seq), max(seq) FROM messages WHERE gateway = 'gw-0001'").fetchone()
print("\n== Back office: %d of %d messages stored (seq %s..%s), %d still queued at the gateway" %
      (got, last, lo, hi, queued))
if got + queued < last:
    problems.append("back office has %d messages, gateway sent %d (%d queued)" % (got, last, queued))
print("Files: demo-out/worklist.xlsx (collection worklist, a sheet per grid), demo-out/gateway.db, "
      "demo-out/backoffice.db, demo-out/area-backoffice.csv")
if problems:
    print("DISAGREEMENT: " + "; ".join(problems))
    sys.exit(1)
print("The back office's bills agree with the gateway's for every period.")
