#!/bin/bash
# outages: a planned outage's three notices reach a large customer through a
# real Kannel (bearerbox, smsbox, the fake SMSC of kannel-extras), each with
# its delivery report recorded; cancelling tells the customer again. The
# back office knows the area's customers from the gateways' "bills"
# messages (imported) and which are large from `outage class`. Time is
# driven with `notices run --now`: the 15-day notice (moved before the quiet
# hours), the 7-day notice, then the 30-minute confirmation, which falls in
# the quiet hours and goes all the same. Bad plans are refused and counted.
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
BO=$PWD/$BUILD/gridledger-backoffice
. tests/integration/lib/broker.sh
. tests/integration/lib/kannel.sh
. tests/integration/lib/pg.sh
. tests/integration/lib/tap.sh
export TZ=Asia/Shanghai
t=$(mktemp -d /tmp/outages.XXXXXX)
cleanup() {
    kannel_stop
    pg_stop
    [ -n "${KEEP:-}" ] || rm -rf "$t"
}
trap cleanup EXIT
if kannel_start "$t"; then ok "Kannel: bearerbox, fakesmsc and smsbox up"; else
    notok "Kannel did not start: $(tail -3 "$t/smsbox.out" 2>/dev/null)"; echo "1..$n"; exit 0; fi
DLRP=$(free_port)
cat >"$t/bo.json" <<CONF
{"db": "bo.db",
 "notices": {"sendsms_url": "http://127.0.0.1:$KANNEL_SENDP/cgi-bin/sendsms", "user": "gridledger", "password": "gl-secret",
             "dlr_listen": "127.0.0.1:$DLRP", "dlr_url": "http://127.0.0.1:$DLRP/dlr", "quiet": "21:00-08:00", "per_day": 10},
 "outages": {"notice_days": [7, 15], "confirm_minutes": 30}}
CONF
BOC=("$BO" -c "$t/bo.json")
cd "$t"
# what the gateway sent up: bills naming each customer's area
bill() { printf '{"id":"%s/2026-11","customer":"%s","period":{"from":"2026-11-01","to":"2026-11-30"},"tariff":"t","lines":[],"total":"1.00","currency":"CNY","area":"%s","due":"2026-12-15","estimated":false}' "$1" "$1" "$2"; }
printf '{"v":1,"gateway":"gw-0001","seq":1,"ts":1796000000,"kind":"bills","body":{"bills":[%s,%s,%s]}}\n' \
    "$(bill C-0001 TQ-01)" "$(bill C-0002 TQ-01)" "$(bill C-0003 TQ-02)" >up.jsonl
"${BOC[@]}" import up.jsonl >/dev/null
cat >contacts.csv <<'CSV'
customer,name,mobile,email,address,channel,consent_sms,consent_email,lang
C-0001,华北钢厂,13800138000,,工业路1号,sms,yes,no,zh
C-0002,Li Si,13800138002,,Road 2,sms,yes,no,en
C-0003,Wang Wu,13800138003,,Road 3,sms,yes,no,en
CSV
"${BOC[@]}" contacts import contacts.csv --by tester >/dev/null
"${BOC[@]}" outage class C-0001 --large yes --important no --by tester >/dev/null
"${BOC[@]}" outage class C-0003 --large yes --important yes --by tester >/dev/null # another area
printf '{"db": "bad.db",\n "outages": {"notice_days": [15, 15, 0], "confirm_minutes": -1,\n  "templates": {"notice.zh": "{start}", "sms.en": "x"}}}\n' >bad.json
err=$("$BO" -c bad.json outage cancel 1 2>&1); rc=$?
check "a bad outages config: each error once at FILE:LINE:COL, exit 2" "$rc|$err" "2|gridledger: bad.json:2:34: outages.notice_days[1]: 15 days given twice
gridledger: bad.json:2:38: outages.notice_days[2]: must be a whole number of days, 1..366
gridledger: bad.json:2:61: outages.confirm_minutes: must be 0..1440
gridledger: bad.json:3:30: outages.templates.notice.zh: unknown field {start}
gridledger: bad.json:3:51: outages.templates.sms.en: key must be notice|confirm|cancel|move followed by .zh or .en"
at() { date -d "$1" +%s; }
NOW=$(at '2027-01-01 12:00')
out=$("${BOC[@]}" outage plan --gateway gw-0001 --area TQ-01 --from 2027-01-20T07:00 --to 2027-01-20T17:00 \
    --reason 线路检修 --now "$NOW" 2>&1)
check "plan: one large customer in TQ-01, three notices (15 d before the quiet hours, 7 d, confirmation)" \
    "$(grep -c 'scheduled' <<<"$out")|$(head -1 <<<"$out")" "3|outage 1: 1 large or important customer(s) to tell"

# bad plans: a clear error each, exit 2, counted
bad() { "${BOC[@]}" outage plan --gateway "$1" --area "$2" --from "$3" --to "$4" --reason x --now "$NOW" 2>&1 >/dev/null; echo "rc=$?"; }
check "refused: unknown gateway" "$(bad gw-9 TQ-01 2027-02-01T08:00 2027-02-01T09:00)" \
    "gridledger: outage: unknown gateway gw-9 (nothing came up from it)
rc=2"
check "refused: unknown area" "$(bad gw-0001 TQ-09 2027-02-01T08:00 2027-02-01T09:00 | head -1)" \
    "gridledger: outage: unknown area TQ-09 of gateway gw-0001 (no bill names it)"
check "refused: to before from" "$(bad gw-0001 TQ-01 2027-02-01T08:00 2027-02-01T08:00 | head -1)" \
    "gridledger: outage: --to 2027-02-01T08:00 is not after --from 2027-02-01T08:00"
check "refused: in the past" "$(bad gw-0001 TQ-01 2026-12-01T08:00 2026-12-01T09:00 | head -1)" \
    "gridledger: outage: --from 2026-12-01T08:00: the outage would begin in the past"
check "refused: a duplicate (overlapping) plan" "$(bad gw-0001 TQ-01 2027-01-20T07:00 2027-01-20T17:00 | head -1)" \
    "gridledger: outage: area TQ-01 overlaps planned outage 1 (a duplicate?)"
check "refused plans counted" "$("${BOC[@]}" stats | grep outage_refused)" "outage_refused 5"

# drive time: each notice when it falls due, through Kannel, its report back
dispatch() { "${BOC[@]}" notices run --now "$(at "$1")" --idle-exit 2 >>dispatch.out 2>&1; }
report() { "${BOC[@]}" report outages | tr -d '\r' | awk -F, 'NR > 1 && $1 == 1 {print $9 ":" $14}' | tr '\n' ' '; }
dispatch '2027-01-04 20:58'
check "a minute early: nothing due, nothing sent" "$(report)" "notice_15d: notice_7d: confirm: "
dispatch '2027-01-04 20:59'
dispatch '2027-01-13 09:00'
dispatch '2027-01-20 06:30' # in the quiet hours (21:00-08:00): the confirmation goes all the same
check "the three notices delivered (delivery report type 1) in order" "$(report)" \
    "notice_15d:delivered notice_7d:delivered confirm:delivered "
list=$("${BOC[@]}" notices list | tr -d '\r')
check "notices list: three outage notices to +8613800138000, each with Kannel's id and dlr 1" \
    "$(python3 -c '
import csv, sys
rows = [r for r in csv.DictReader(sys.stdin) if r["gateway"] == "~outage"]
print(" ".join("%s:%s:%s:%d:%s" % (r["action"], r["dest"], r["dlr_type"], len(r["kannel_id"]), r["proof_seq"]) for r in rows))
' <<<"$list")" \
    "outage_notice:+8613800138000:1:36:0 outage_notice:+8613800138000:1:36:0 outage_confirm:+8613800138000:1:36:0"
want="【供电公司】华北钢厂（户号C-0001）：TQ-01计划停电将于2027-01-20 07:00开始，至2027-01-20 17:00结束（线路检修）。"
check "the confirmation's text, in Chinese, with the outage's times and reason" \
    "$(python3 -c 'import csv,sys; print([r for r in csv.DictReader(sys.stdin) if r["action"] == "outage_confirm"][0]["text"])' <<<"$list")" "$want"
got=$(python3 -c '
import re, sys
n = sum(1 for l in open(sys.argv[1], encoding="utf-8", errors="replace") if re.search(r"Got message \d+: <\S+ \+8613800138000 ", l))
print(n)' fakesmsc.out)
[ "$got" -ge 3 ] && ok "the fake SMSC received the three notices ($got parts)" || notok "fake SMSC parts to C-0001: $got"
check "no notice to the customer who is not large, nor outside the area" \
    "$(grep -c -E '\+86138001380(02|03) ' fakesmsc.out)" 0

# cancel: the customer already told is told again
out=$("${BOC[@]}" outage cancel 1 --now "$(at '2027-01-20 06:40')" 2>&1)
check "cancel: the customer told gets a cancel notice" "$out" "outage 1 cancelled: 1 customer(s) already told are told again"
dispatch '2027-01-20 06:40'
check "in the quiet hours the cancel notice waits (only a confirmation goes at night)" "$(report)" \
    "notice_15d:delivered notice_7d:delivered confirm:delivered cancel:queued "
dispatch '2027-01-20 08:00'
check "the cancel notice delivered when the quiet hours end" "$(report)" \
    "notice_15d:delivered notice_7d:delivered confirm:delivered cancel:delivered "
check "cancel again: refused" "$("${BOC[@]}" outage cancel 1 2>&1; echo "rc=$?")" \
    "gridledger: outage: outage 1 is cancelled: nothing to change
rc=2"

# move: the customer already told is told of the new times; the notices not
# yet sent are replaced by the new time's schedule
# (no --gateway: the one gateway that bills the area)
check "plan without --gateway" "$("${BOC[@]}" outage plan --area TQ-02 --from 2027-02-10T10:00 --to 2027-02-10T12:00 \
    --reason "transformer works" --now "$NOW" | head -1)" "outage 2: 1 large or important customer(s) to tell"
dispatch '2027-01-26 10:00'
out=$("${BOC[@]}" outage move 2 --from 2027-02-12T10:00 --to 2027-02-12T12:00 --now "$(at '2027-01-27 10:00')" 2>&1)
check "move: the customer told gets a move notice" "$(head -1 <<<"$out")" \
    "outage 2 planned: 1 customer(s) already told are told again"
dispatch '2027-01-27 10:00'
check "report outages: the sent notice kept, the unsent replaced, the move notice delivered, the new schedule" \
    "$("${BOC[@]}" report outages | tr -d '\r' | awk -F, 'NR > 1 && $1 == 2 {print $9 ":" $11 ":" $14}' | tr '\n' ' ')" \
    "notice_15d:queued:delivered notice_7d:replaced: confirm:replaced: move:queued:delivered notice_15d:scheduled: notice_7d:scheduled: confirm:scheduled: "
check "the move notice in English with the old and new times" \
    "$("${BOC[@]}" notices list | tr -d '\r' | python3 -c 'import csv,sys; print([r for r in csv.DictReader(sys.stdin) if r["action"] == "outage_move"][0]["text"])')" \
    "Power company: Wang Wu (C-0003): the planned outage in TQ-02 moves from 2027-02-10 10:00-2027-02-10 12:00 to 2027-02-12 10:00-2027-02-12 12:00 (transformer works)."

# the same on PostgreSQL: plan, a refused duplicate, the first notice delivered, move, cancel
if pg_start "$t/pg"; then
    PGB=("$BO" -c "$t/bo.json" --pg "$PG_CONNINFO")
    "${PGB[@]}" import up.jsonl >/dev/null 2>&1
    "${PGB[@]}" contacts import contacts.csv --by tester >/dev/null 2>&1
    "${PGB[@]}" outage class C-0001 --large yes --important no >/dev/null 2>&1
    "${PGB[@]}" outage plan --area TQ-01 --from 2027-01-20T07:00 --to 2027-01-20T17:00 --reason x --now "$NOW" >pg-plan.out 2>&1
    "${PGB[@]}" outage plan --area TQ-01 --from 2027-01-20T08:00 --to 2027-01-20T09:00 --reason x --now "$NOW" >>pg-plan.out 2>&1
    "${PGB[@]}" notices run --now "$(at '2027-01-04 20:59')" --idle-exit 2 >dispatch-pg.out 2>&1
    "${PGB[@]}" outage move 1 --from 2027-01-21T07:00 --to 2027-01-21T17:00 --now "$(at '2027-01-05 10:00')" >>pg-plan.out 2>&1
    "${PGB[@]}" notices run --now "$(at '2027-01-05 10:00')" --idle-exit 2 >>dispatch-pg.out 2>&1
    "${PGB[@]}" outage cancel 1 --now "$(at '2027-01-05 11:00')" >>pg-plan.out 2>&1
    "${PGB[@]}" notices run --now "$(at '2027-01-05 11:00')" --idle-exit 2 >>dispatch-pg.out 2>&1
    check "PostgreSQL: plan, duplicate refused, notice delivered, move, cancel, report" \
        "$("${PGB[@]}" report outages | tr -d '\r' | awk -F, 'NR > 1 {print $9 ":" $11 ":" $14}' | tr '\n' ' ')|$("${PGB[@]}" stats | grep outage_refused)" \
        "notice_15d:queued:delivered notice_7d:replaced: confirm:replaced: move:queued:delivered notice_15d:replaced: notice_7d:replaced: confirm:replaced: cancel:queued:delivered |outage_refused 1"
else
    echo "# skipped PostgreSQL: $PG_SKIP"
fi
echo "1..$n"
