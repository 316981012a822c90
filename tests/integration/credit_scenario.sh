#!/bin/bash
# The credit scenario: tools/scenario/gen.c (build/scenario-gen) makes 1,000
# customers over 24 months with known behaviours (on time, often late,
# chronic debtors, one theft, prepaid who run dry, a few commercial and
# industrial) and an expect file of what it knows; credit-calc --json and
# --worklist must agree with it, class by class. SCENARIO_SEED picks the seed.
set -u
cd "$(dirname "$0")/../.."
B=${BUILD:-build}
GL=$B/gridledger
GEN=$B/scenario-gen
SEED=${SCENARIO_SEED:-20260331}
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); echo "not ok $n - $1"; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

summary=$("$GEN" --seed "$SEED" --ledger "$tmp/ledger.csv" --expect "$tmp/expect.csv"); rc=$?
if [ $rc -ne 0 ]; then
    notok "scenario-gen --seed $SEED: rc=$rc"
    exit 1
fi
ok "scenario-gen --seed $SEED: $summary, $(($(wc -l <"$tmp/ledger.csv") - 1)) ledger rows"
asof=$(sed -n 's/^as_of=\([0-9-]*\) .*/\1/p' <<<"$summary")

"$GEN" --seed "$SEED" --ledger "$tmp/again.csv" --expect "$tmp/again-expect.csv" >/dev/null
"$GEN" --seed $((SEED + 1)) --ledger "$tmp/other.csv" --expect "$tmp/other-expect.csv" >/dev/null
if cmp -s "$tmp/ledger.csv" "$tmp/again.csv" && cmp -s "$tmp/expect.csv" "$tmp/again-expect.csv" \
    && ! cmp -s "$tmp/ledger.csv" "$tmp/other.csv"; then
    ok "the generator is deterministic from --seed (same seed: same bytes; next seed: another ledger)"
else
    notok "the generator is not deterministic from --seed"
fi

"$GL" credit-calc --ledger "$tmp/ledger.csv" --as-of "$asof" --json >"$tmp/out.json" 2>"$tmp/err"; rc=$?
"$GL" credit-calc --ledger "$tmp/ledger.csv" --as-of "$asof" --worklist >"$tmp/work.csv" 2>>"$tmp/err"; rc2=$?
if [ $rc -eq 0 ] && [ $rc2 -eq 0 ] && [ ! -s "$tmp/err" ]; then
    ok "credit-calc --json and --worklist on the scenario ledger (as of $asof)"
else
    notok "credit-calc: rc=$rc/$rc2"; head -3 "$tmp/err" | sed 's/^/# /'
    exit 1
fi

# The comparisons, one TAP line per behaviour check; numbering goes on from $n.
/usr/bin/python3 - "$tmp/expect.csv" "$tmp/out.json" "$tmp/work.csv" "$n" "$tmp/ledger.csv" <<'PY'
import collections, csv, json, sys

expect_path, json_path, work_path, start, ledger_path = sys.argv[1:6]
start = int(start)
with open(json_path) as f:
    got = {c["customer"]: c for c in json.load(f)["customers"]}
with open(expect_path, newline="") as f:
    exp = list(csv.DictReader(f))
work = collections.defaultdict(list)
with open(work_path, newline="") as f:
    for r in csv.DictReader(f):
        work[r["customer"]].append(r["action"])

TOP, LOWEST = "A", "C"  # the documented default grades (docs/credit.md)
DISCONNECTION = {"disconnect_notice", "notice_1h", "confirm_30min", "disconnect", "public_notice", "legal"}
n = start


def report(passed, what, bad):
    global n
    n += 1
    print(("ok %d - %s" if passed else "not ok %d - %s") % (n, what))
    for line in bad[:5]:
        print("#   " + line)


def fen(s):
    """A decimal string with two places ("-12.34") as integer fen."""
    return int(s.replace(".", ""))


def comp(c, name):
    return next(s for s in c["score_components"] if s["component"] == name)


def check(rows, what, test):
    """test(expect_row, result) -> None when it agrees, else a message."""
    bad = []
    for x in rows:
        c = got.get(x["customer"])
        msg = "missing from the --json output" if c is None else test(x, c)
        if msg:
            bad.append("%s: %s" % (x["customer"], msg))
    report(not bad and rows, "%s (%d of %d agree)" % (what, len(rows) - len(bad), len(rows)), bad)


by = collections.defaultdict(list)
for x in exp:
    by[x["behaviour"]].append(x)
report(len(got) == len(exp) and set(got) == {x["customer"] for x in exp},
       "credit-calc reports every generated customer (%d of %d)" % (len(got), len(exp)), [])

theft = by["theft"]
check(theft, "theft: the lowest grade %s by the theft override, whatever the payments" % LOWEST,
      lambda x, c: None if (c["grade"], c["grade_reason"]) == (LOWEST, "override_theft")
      else "grade %s (%s)" % (c["grade"], c["grade_reason"]))
report(len(theft) == 1, "exactly one theft case (%d)" % len(theft), [])

on_time = by["on_time"]
check(on_time, "on time: the top grade %s, no penalty, no arrears" % TOP,
      lambda x, c: None if (c["grade"], c["penalty"], c["arrears"]) == (TOP, "0.00", "0.00")
      else "grade %s penalty %s arrears %s" % (c["grade"], c["penalty"], c["arrears"]))
check(on_time, "on time: no actions in --json and no worklist rows",
      lambda x, c: None if not c["actions"] and not work[x["customer"]]
      else "actions %s, worklist %s" % ([a["action"] for a in c["actions"]], work[x["customer"]]))

chronic = by["chronic"]
check(chronic, "chronic: the lowest grade %s" % LOWEST,
      lambda x, c: None if c["grade"] == LOWEST else "grade %s (%s)" % (c["grade"], c["grade_reason"]))
check(chronic, "chronic: arrears, days overdue and penalty (to the as-of date) equal the generator's",
      lambda x, c: None if (c["arrears"], str(c["days_overdue"]), c["penalty"]) ==
      (x["arrears"], x["days_overdue"], x["penalty_min"])
      else "got %s/%s/%s want %s/%s/%s" % (c["arrears"], c["days_overdue"], c["penalty"],
                                           x["arrears"], x["days_overdue"], x["penalty_min"]))
check(chronic, "chronic: the worklist holds the generator's ladder action, disconnection-related",
      lambda x, c: None if x["action"] in work[x["customer"]] and x["action"] in DISCONNECTION
      and set(work[x["customer"]]) <= DISCONNECTION
      else "worklist %s, want %s" % (work[x["customer"]], x["action"]))
cut = [x for x in chronic if x["action"] == "disconnect"]
check(cut, "chronic, 31-44 days overdue: a disconnection confirmed 30 minutes before in the worklist",
      lambda x, c: None if {"disconnect", "confirm_30min"} <= set(work[x["customer"]])
      else "worklist %s" % work[x["customer"]])
over3 = [x for x in chronic if int(x["days_overdue"]) >= 60]
check(over3, "chronic, three or more bills unpaid: the arrears override",
      lambda x, c: None if c["grade_reason"] == "override_arrears" else "reason %s" % c["grade_reason"])

late = by["often_late"]
for klass in ("residential", "commercial", "industrial"):
    rows = [x for x in late if x["class"] == klass]
    if not rows:
        continue
    total = sum(fen(x["penalty_min"]) for x in rows)
    check(rows, "often late, %s: open penalties equal the generator's art. 98 arithmetic (%d.%02d in all)"
          % (klass, total // 100, total % 100),
          lambda x, c: None if fen(x["penalty_min"]) <= fen(c["penalty"]) <= fen(x["penalty_max"])
          and c["arrears"] == x["arrears"] and c["credit"] == "0.00"
          else "penalty %s arrears %s credit %s, want %s/%s/0.00" % (c["penalty"], c["arrears"], c["credit"],
                                                                     x["penalty_min"], x["arrears"]))
# the year rule: non-residential December bills paid late in January (3 permille days)
kind_of = {x["customer"]: (x["behaviour"], x["class"]) for x in exp}
dec_bills, crossing = {}, 0
with open(ledger_path, newline="") as f:
    for r in csv.DictReader(f):
        if kind_of[r["customer"]][0] != "often_late" or r["class"] == "residential":
            continue
        key = (r["customer"], r["ref"][-3:])
        if r["kind"] == "bill" and r["date"][5:7] == "12":
            dec_bills[key] = r["due"]
        elif r["kind"] == "payment" and key in dec_bills and r["date"][:4] > dec_bills[key][:4]:
            crossing += 1
report(crossing > 0, "often late, non-residential: %d December bills paid in January are among them "
       "(days at 2 and 3 permille)" % crossing, [])

settled = [x for x in late if x["action"] == "none"]
check(settled, "often late who pay each penalty with the bill: nothing left open, no worklist rows",
      lambda x, c: None if c["balance"] == "0.00" and not work[x["customer"]]
      else "balance %s worklist %s" % (c["balance"], work[x["customer"]]))
check(late, "often late: never the top grade",
      lambda x, c: None if c["grade"] in x["grade"].split("|") else "grade %s" % c["grade"])

dry = by["prepaid_dry"]
check(dry, "prepaid: the balance (top-ups - usage) equals the generator's",
      lambda x, c: None if c.get("prepaid_balance") == x["prepaid_balance"]
      else "balance %s want %s" % (c.get("prepaid_balance"), x["prepaid_balance"]))
check(dry, "prepaid: runs dry in the last 12 months counted as the generator counts, 3 points each (cap 10)",
      lambda x, c: None if comp(c, "prepaid_run_dry")["value"] == int(x["run_dry_12m"])
      and comp(c, "prepaid_run_dry")["points"] == "-%d.00" % (3 * min(int(x["run_dry_12m"]), 10))
      else "component %s want %s" % (comp(c, "prepaid_run_dry"), x["run_dry_12m"]))
check(dry, "prepaid (no bills): the start grade B, never higher, no collection actions",
      lambda x, c: None if c["grade"] == x["grade"] and not c["actions"]
      else "grade %s actions %s" % (c["grade"], c["actions"]))
now_dry = sum(1 for x in dry if x["prepaid_balance"].startswith("-") or x["prepaid_balance"] == "0.00")
ran = sum(1 for x in dry if int(x["run_dry_12m"]) > 0)
report(now_dry > 0 and ran == len(dry),
       "prepaid: all %d ran dry in the window, %d are at or below zero on the as-of date" % (ran, now_dry), [])
PY
