#!/usr/bin/python3
"""audit_cuts.py: checks every cut in a gateway's store against its own
collection record, with rules written here independently of the C code
(docs/credit.md, "Lawful cuts"): principal at least the class threshold,
a reminder served before, a disconnection notice served at least 7 days
(residential) or 3 days (others) before and not older than the validity, a
confirmation taken 30..window minutes before and served, for others also
the one-hour notice, and the cut inside the cut hours on a day that is not
a weekend or a configured holiday or no-cut day.

usage: audit_cuts.py CONFIG.json GATEWAY.db [--quiet]
Prints one line per broken rule and a summary; exit 1 if any cut fails."""
import datetime
import json
import os
import sqlite3
import sys
import time

cfg = json.load(open(sys.argv[1]))
db = sqlite3.connect(sys.argv[2])
quiet = "--quiet" in sys.argv
os.environ["TZ"] = cfg.get("gateway", {}).get("timezone", "Asia/Shanghai")
time.tzset()
coll = cfg.get("collection", {})
classes = {c["id"]: c.get("class", "residential") for c in cfg.get("customers", [])}
MIN_CUT = {"residential": 10000}
mc = coll.get("min_cut_amount")
def fen(s):
    neg = s.startswith("-")
    a, _, b = s.lstrip("-").partition(".")
    v = int(a) * 100 + int((b + "00")[:2])
    return -v if neg else v
def min_cut(klass):
    if isinstance(mc, str):
        return fen(mc)
    if isinstance(mc, dict) and klass in mc:
        return fen(mc[klass])
    return 10000 if klass == "residential" else 50000
valid_days = coll.get("notice_valid_days", 30)
window = coll.get("cut_window_minutes", 120)
confirm = coll.get("confirm_minutes", 30)
hour_notice = coll.get("notice_minutes_other", 60)
cut_from, cut_to = coll.get("cut_hours", ["08:30", "17:00"])
no_weekends = coll.get("no_cut_weekends", True)
off_days = set(coll.get("holidays", [])) | set(coll.get("no_cut_days", []))

def local(ts):
    return datetime.datetime.fromtimestamp(ts)

workdays = set(coll.get("workdays", []))

def allowed(ts):
    t = local(ts)
    hm = t.strftime("%H:%M")
    if no_weekends and t.weekday() >= 5 and t.strftime("%Y-%m-%d") not in workdays:
        return False
    return t.strftime("%Y-%m-%d") not in off_days and cut_from <= hm < cut_to

REMINDERS = ("reminder", "sms", "phone", "written_notice")
rows = db.execute("SELECT id, customer, episode, action, status, taken_ts, served_ts, principal_fen FROM collection"
                  " ORDER BY id").fetchall()
cuts = [r for r in rows if r[3] == "disconnect" and r[4] == "taken"]
failures = 0
gaps = []
fee_notice = cfg.get("fee_control", {}).get("notice_minutes", 30)
for cid, cust, ep, _, _, at, _, principal in cuts:
    klass = classes.get(cust, "residential")
    if ep == "prepaid":  # fee control: a fresh exhaustion notice served before, since the last restoration
        prior = [r for r in rows if r[1] == cust and r[2] == ep and r[0] != cid and r[5] is not None and r[5] <= at]
        last_restore = max([r[5] for r in prior if r[3] == "restore"], default=0)
        fresh = [r for r in prior if r[5] >= last_restore and r[3] == "exhaustion_notice" and r[4] == "served"
                 and r[6] is not None and at - r[6] >= fee_notice * 60]
        broken = [] if fresh else ["no exhaustion notice served %d minutes before since the last top-up" % fee_notice]
        if not allowed(at):
            broken.append("inside a no-cut window (%s)" % local(at))
        if broken:
            failures += 1
            print("UNLAWFUL prepaid cut %s of %s at %s: %s" % (cid, cust, local(at), "; ".join(broken)))
        continue
    # the record as it stood at the cut: rows taken by then (a planned cut
    # row is older than its notices, so ids do not tell what came first)
    ep_rows = [r for r in rows if r[1] == cust and r[2] == ep and r[0] != cid and r[5] is not None and r[5] <= at]
    def served(action, lo, hi):
        return [r for r in ep_rows if r[3] == action and r[4] == "served" and r[6] is not None and r[6] <= at
                and lo <= r[5] <= hi]
    broken = []
    if principal < min_cut(klass):
        broken.append("principal %d fen under %d" % (principal, min_cut(klass)))
    if (local(at).date() - datetime.date.fromisoformat(ep)).days <= 30:
        broken.append("not more than 30 days since the episode's due date %s" % ep)
    if not allowed(at):
        broken.append("inside a no-cut window (%s)" % local(at))
    if not any(r[3] in REMINDERS and r[4] == "served" and r[6] is not None and r[6] <= at for r in ep_rows):
        broken.append("no reminder served")
    nd = 7 if klass == "residential" else 3
    notices = [r for r in ep_rows if r[3] == "disconnect_notice" and r[4] == "served" and r[6] is not None
               and nd * 86400 <= at - r[6] <= valid_days * 86400]
    if not notices:
        broken.append("no disconnection notice served %d..%d days before" % (nd, valid_days))
    conf = served("confirm_30min", at - window * 60, at - confirm * 60)
    if not conf:
        broken.append("no confirmation served %d..%d minutes before" % (confirm, window))
    else:
        gaps.append((at - max(r[5] for r in conf)) // 60)
    if klass != "residential" and not served("notice_1h", at - window * 60, at - hour_notice * 60):
        broken.append("no one-hour notice served")
    if broken:
        failures += 1
        print("UNLAWFUL cut %s of %s at %s: %s" % (cid, cust, local(at), "; ".join(broken)))
restores = [r for r in rows if r[3] == "restore"]
late = db.execute("SELECT count(*) FROM collection WHERE action = 'restore' AND status = 'taken'"
                  " AND deadline_ts IS NOT NULL AND taken_ts > deadline_ts").fetchone()[0]
notices_served = sum(1 for r in rows if r[3] == "disconnect_notice" and r[4] == "served")
if not quiet or failures:
    print("Lawfulness check: %d cuts, %d unlawful; %d disconnection notices served; %d restorations (%d late);"
          " confirmation %s minutes before each cut" %
          (len(cuts), failures, notices_served, len(restores), late,
           "%d..%d" % (min(gaps), max(gaps)) if gaps else "-"))
sys.exit(1 if failures or late else 0)
