#!/bin/bash
# At the counter, with the real CLI on a real store file: `ledger CUSTOMER`
# (text, --json, --csv) explains what is owed (each bill's penalty to date,
# what each payment paid, penalties left on bills already paid); `pay` says
# what remains owed and refuses a ref used for other money (exit 2, naming
# the earlier payment), dates before the account's first entry or after
# today, a top-up to a postpaid account; a plain payment to a prepaid
# account goes to its prepaid balance; the same ref, customer and amount is
# the idempotent repeat (exit 0).
set -u
cd "$(dirname "$0")/../.."
GL=$PWD/${BUILD:-build}/gridledger
. tests/integration/lib/tap.sh
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
cp -r examples/tariffs "$t/"
python3 -c 'import json,sys; c=json.load(open(sys.argv[1]))
c.pop("uplink", None)
c["store"] = {"path": "gl.db"}
c["customers"].append(dict(c["customers"][0], id="C-0002", name="Li Si"))
c["customers"].append(dict(c["customers"][0], id="C-0003", name="Wang Wu", payment="prepaid"))
c["meters"].append(dict(c["meters"][1], id="M-0002", slave_id=3, customer="C-0002"))
c["schedule"] = {"poll_interval_s": 86400}
json.dump(c, open(sys.argv[2], "w"), indent=1)' examples/gridledger.json "$t/gl.json"
cd "$t"
# "today" is the gateway's (its config's timezone), not this machine's: from
# 16:00 UTC on, Asia/Shanghai is a day ahead
TZ=$(python3 -c 'import json; print(json.load(open("gl.json"))["gateway"]["timezone"])')
export TZ
"$GL" -c gl.json db check >/dev/null
q() { sqlite3 gl.db "$1"; }
# C-0001: three bills of 100.00; the first two paid in full 20 and 10 days late
# (penalties 2.00 and 1.00 left open), the third unpaid.
q "INSERT INTO ledger(customer, date, kind, amount_fen, ref, due) VALUES
 ('C-0001', '2025-10-01', 'bill', 10000, 'C-0001/2025-09', '2025-10-16'),
 ('C-0001', '2025-11-01', 'bill', 10000, 'C-0001/2025-10', '2025-11-16'),
 ('C-0001', '2025-12-01', 'bill', 10000, 'C-0001/2025-11', '2025-12-16'),
 ('C-0002', '2025-11-01', 'bill', 5000, 'C-0002/2025-10', '2025-11-16');"
out=$("$GL" -c gl.json pay C-0001 100.00 --ref BANK-1 --date 2025-11-05); rc=$?
check "pay records a payment and says what remains owed today (exit 0)" \
    "$rc|$(sed -n 1p <<<"$out")|$(sed -n 2p <<<"$out" | grep -c "^  C-0001 owes [0-9.]* as of $(date +%F): principal 200.00 ")" \
    "0|recorded: C-0001 paid 100.00 on 2025-11-05, ref BANK-1|1"
"$GL" -c gl.json pay C-0001 100.00 --ref BANK-2 --date 2025-11-26 >/dev/null
out=$("$GL" -c gl.json ledger C-0001 --date 2026-01-15)
check "ledger: the clerk's sentence (penalty on bills already paid included)" "$(tail -1 <<<"$out")" \
    "C-0001 owes 106.00 as of 2026-01-15: principal 100.00 (100.00 overdue, 0.00 not yet due), penalty 6.00 (3.00 of it on 2 bills already paid), credit 0.00; due now 106.00"
check "ledger: each bill with its penalty to date (charged, open)" \
    "$(awk -F'\t' '$2 == "bill" {print $4, $7, $8, $9}' <<<"$out" | tr '\n' ';')" \
    "C-0001/2025-09 0.00 2.00 2.00;C-0001/2025-10 0.00 1.00 1.00;C-0001/2025-11 100.00 3.00 3.00;"
check "ledger: what each payment paid" "$(awk -F'\t' '$2 == "applied" {print $4, $6, $7, $8}' <<<"$out" | tr '\n' ';')" \
    "BANK-1 C-0001/2025-09 100.00 0.00;BANK-2 C-0001/2025-10 100.00 0.00;"
json=$("$GL" -c gl.json ledger C-0001 --date 2026-01-15 --json)
check "ledger --json: owed, penalty, penalty on paid bills, due now" \
    "$(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(d["balance"], d["penalty"], d["penalty_on_paid_bills"], d["paid_bills_with_penalty"], d["due_now"], len(d["ledger"]), d["ledger"][2]["applied"])' "$json")" \
    "106.00 6.00 3.00 2 106.00 5 [{'to': 'C-0001/2025-09', 'principal': '100.00', 'penalty': '0.00'}]"
csv=$("$GL" -c gl.json ledger C-0001 --date 2026-01-15 --csv)
check "ledger --csv: header, one row per entry, applied rows, the owed row" "$(sed -n 1p <<<"$csv" | tr -d '\r')|$(tail -1 <<<"$csv" | tr -d '\r')|$(wc -l <<<"$csv")" \
    "date,kind,amount,ref,due,to,principal,penalty,penalty_open,balance|2026-01-15,owed,106.00,,,,100.00,6.00,,|9"
# the same ref again
out=$("$GL" -c gl.json pay C-0001 100.00 --ref BANK-1 --date 2025-11-05); rc=$?
check "the same ref, customer and amount: the repeat, exit 0, nothing changed" "$rc|$(sed -n 1p <<<"$out")|$(q "SELECT count(*) FROM ledger WHERE ref = 'BANK-1'")" \
    "0|payment ref BANK-1 was already recorded: nothing changed (C-0001 100.00 on 2025-11-05)|1"
err=$("$GL" -c gl.json pay C-0002 100.00 --ref BANK-1 --date 2025-11-20 2>&1 >/dev/null); rc=$?
check "the same ref for another customer: exit 2, the earlier payment named, nothing recorded" \
    "$rc|$err|$(q "SELECT count(*) FROM ledger WHERE customer = 'C-0002' AND kind = 'payment'")" \
    "2|gridledger: C-0002: ref BANK-1 is already used by the payment of C-0001 100.00 on 2025-11-05: refused (C-0002 100.00 is other money; give it its own ref)|0"
err=$("$GL" -c gl.json pay C-0001 99.99 --ref BANK-1 --date 2025-11-05 2>&1 >/dev/null); rc=$?
check "the same ref and customer with another amount: exit 2" "$rc|$(grep -c '^gridledger: C-0001: ref BANK-1 is already used by the payment of C-0001 100.00' <<<"$err")" "2|1"
err=$("$GL" -c gl.json pay C-0002 10.00 --ref EARLY --date 2025-10-31 2>&1 >/dev/null); rc=$?
check "a date the day before the account's first entry: exit 2" "$rc|$err" \
    "2|gridledger: C-0002: date 2025-10-31 is before C-0002's first entry (bill on 2025-11-01): refused"
out=$("$GL" -c gl.json pay C-0002 10.00 --ref FIRST-DAY --date 2025-11-01 | head -1); rc=$?
check "on the account's first day: recorded" "$rc|$out" "0|recorded: C-0002 paid 10.00 on 2025-11-01, ref FIRST-DAY"
tomorrow=$(date -d tomorrow +%F); today=$(date +%F)
err=$("$GL" -c gl.json pay C-0002 10.00 --ref LATER --date "$tomorrow" 2>&1 >/dev/null); rc=$?
check "a date after today: exit 2" "$rc|$err" "2|gridledger: C-0002: date $tomorrow is after today ($today): refused"
out=$("$GL" -c gl.json pay C-0002 10.00 --ref TODAY | head -1); rc=$?
check "today (the default date): recorded" "$rc|$out" "0|recorded: C-0002 paid 10.00 on $today, ref TODAY"
err=$("$GL" -c gl.json pay C-0001 50.00 --ref TOP-1 --topup --date 2025-12-01 2>&1 >/dev/null); rc=$?
check "a top-up to a postpaid account: exit 2" "$rc|$err" \
    "2|gridledger: C-0001: C-0001 is a postpaid account: a top-up is for prepaid accounts (take it as a payment, without --topup)"
out=$("$GL" -c gl.json pay C-0003 30.00 --ref CASH-9 --date 2025-12-01); rc=$?
check "a plain payment to a prepaid account goes to its prepaid balance" \
    "$rc|$(sed -n 1p <<<"$out")|$(sed -n 2p <<<"$out" | sed 's/as of [0-9-]*/as of D/')|$(q "SELECT kind FROM ledger WHERE ref = 'CASH-9'")" \
    "0|recorded: C-0003 topped up 30.00 on 2025-12-01, ref CASH-9 (a prepaid account: applied to its prepaid balance)|  C-0003 owes nothing as of D (credit 0.00); prepaid balance 30.00|topup"
# a batch: good lines taken, a refused one reported, exit 2
printf 'C-0002,5.00,B-1,2025-12-02\nC-0002,5.00,BANK-2,2025-12-02\nC-0003,20.00,B-2,2025-12-03,topup\n' >batch.csv
"$GL" -c gl.json pay --batch batch.csv >batch.out 2>batch.err; rc=$?
check "pay --batch: the refused line named, the others recorded, exit 2" \
    "$rc|$(grep -c '^recorded' batch.out)|$(grep -c 'ref BANK-2 is already used by the payment of C-0001' batch.err)" "2|2|1"
check "the store holds one entry per ref" "$(q "SELECT count(*) - count(DISTINCT ref) FROM ledger WHERE kind IN ('payment', 'topup')")" 0

# ---- alerts have a life: a stuck counter while the area draws power raises
# suspected_bypass (once, suspicion only); it is closed when the counter moves
ts() { date -d "$1 +0800" +%s; }
q "INSERT INTO readings(meter, ts, status, present, flags, import_wh) VALUES
 ('M-AREA', $(ts '2025-11-30 23:45'), 0, 1, 0, 0), ('M-AREA', $(ts '2025-12-31 23:45'), 0, 1, 0, 600000),
 ('M-AREA', $(ts '2026-01-31 23:45'), 0, 1, 0, 1600000), ('M-AREA', $(ts '2026-02-28 23:45'), 0, 1, 0, 2600000),
 ('M-0001', $(ts '2025-11-30 23:45'), 0, 1, 0, 0), ('M-0001', $(ts '2025-12-31 23:45'), 0, 1, 0, 580000),
 ('M-0001', $(ts '2026-01-31 23:45'), 0, 1, 0, 1480000), ('M-0001', $(ts '2026-02-28 23:45'), 0, 1, 0, 2380000),
 ('M-0002', $(ts '2025-11-30 23:45'), 0, 1, 0, 5000), ('M-0002', $(ts '2025-12-31 23:45'), 0, 1, 0, 5000),
 ('M-0002', $(ts '2026-01-31 23:45'), 0, 1, 0, 5000), ('M-0002', $(ts '2026-02-28 23:45'), 0, 1, 0, 65000);"
check "lineloss: M-0002's counter stood still in January while the area drew power" \
    "$("$GL" -c gl.json lineloss --period 2026-01 | grep -c '^signal: stuck M-0002 (C-0002)')" 1
run_over() { "$GL" -c gl.json run --clock sim --start "$1" --speed 100000 --until "$2" 2>>daemon.log || notok "daemon run $1"; }
run_over 2026-01-31T23:00 2026-02-01T02:00
alerts=$("$GL" -c gl.json alerts --csv | tr -d '\r')
check "alerts: suspected_bypass on M-0002 is open, with its time" \
    "$(awk -F, '$3 == "suspected_bypass" {print $4 "|" $5 "|" $6 "|" substr($7, 1, 10) "|" $8 "|" $10}' <<<"$alerts")" \
    "M-0002|counter stood still while the area drew power|open|2026-02-01||"
check "alerts: the header names state and times" "$(head -1 <<<"$alerts")" \
    "id,ts,kind,subject,detail,state,opened,acknowledged,acknowledged_by,closed"
check "a suspicion changes no grade: no theft entry in the ledger" "$(q "SELECT count(*) FROM ledger WHERE kind = 'theft'")" 0
# the back office acknowledges it (what an ack_alert command does on the gateway's store)
q "UPDATE events SET acked_ts = $(ts '2026-02-02 09:00'), acked_by = 'backoffice' WHERE kind = 'suspected_bypass'"
check "acknowledged: still listed until the condition ends" \
    "$("$GL" -c gl.json alerts --csv | tr -d '\r' | awk -F, '$3 == "suspected_bypass" {print $6 "|" $8 "|" $9}')" \
    "acknowledged|2026-02-02T09:00:00+08:00|backoffice"
run_over 2026-02-28T23:00 2026-03-01T02:00
check "February: M-0002's counter moved, the alert is closed and no longer listed" \
    "$("$GL" -c gl.json alerts --csv | grep -c suspected_bypass)|$(q "SELECT count(*) FROM events WHERE kind = 'suspected_bypass'")" "0|1"
check "alerts --all: the history, with state and times" \
    "$("$GL" -c gl.json alerts --all --csv | tr -d '\r' | awk -F, '$3 == "suspected_bypass" {print $6 "|" substr($10, 1, 10)}')" \
    "closed|2026-03-01"
check "alerts --json: one document" "$("$GL" -c gl.json alerts --all --json | python3 -c 'import json,sys; d=json.load(sys.stdin); print(sorted(set(a["state"] for a in d["alerts"])))')" \
    "['closed', 'open']"
echo "1..$n"
