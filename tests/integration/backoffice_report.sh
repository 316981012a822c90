#!/bin/bash
# backoffice_report: messages from two gateways (tests/integration/backoffice/
# messages.jsonl) imported into SQLite and into PostgreSQL; each report's CSV
# equals the golden file in backoffice/expected/ on both backends; the
# worklist XLSX is unzipped and its XML checked: sheet per grid, header,
# frozen pane, autofilter, row count, money format and totals.
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
BO=$PWD/$BUILD/gridledger-backoffice
D=tests/integration/backoffice
. tests/integration/lib/pg.sh
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); echo "not ok $n - $1"; }
tmp=$(mktemp -d /tmp/bo_report.XXXXXX)
trap 'pg_stop; rm -rf "$tmp"' EXIT

out=$("$BO" --db "$tmp/bo.db" import $D/messages.jsonl 2>"$tmp/import.err")
[ "$out" = "stored 14, duplicates 1, rejected 1" ] && grep -q 'line 16: rejected: bills\[0\]' "$tmp/import.err" \
    && ok "import: $out" || notok "import: $out $(cat "$tmp/import.err")"

check_reports() { # check_reports LABEL DB-OPTIONS...
    local label=$1 r
    shift
    for r in worklist aging grades area alerts; do
        "$BO" "$@" report $r --csv "$tmp/$r.$label.csv"
        if cmp -s "$tmp/$r.$label.csv" $D/expected/$r.csv; then ok "$label: report $r equals expected/$r.csv"; else
            notok "$label: report $r"; diff $D/expected/$r.csv "$tmp/$r.$label.csv" | sed 's/^/# /' | head -10; fi
    done
    "$BO" "$@" report worklist --month 2024-01 >"$tmp/wl01.csv"
    [ "$(sed -n 2p "$tmp/wl01.csv" | cut -d, -f1,3)" = "C-10,G-03" ] && [ "$(wc -l <"$tmp/wl01.csv")" = 2 ] \
        && ok "$label: worklist --month 2024-01 is gw-b's worklist of 2024-01-20" || notok "$label: --month: $(cat "$tmp/wl01.csv")"
    "$BO" "$@" report health | cut -d, -f1,3-13 | tr -d '\r' >"$tmp/health.csv"
    grep -qx 'gw-a,9,9,0,5,0,12,2,3,1,3600,"\[""M-1: timeout""\]"' "$tmp/health.csv" && grep -q '^gw-b,5,5,0,' "$tmp/health.csv" \
        && ok "$label: health" || notok "$label: health: $(cat "$tmp/health.csv")"
}
check_reports sqlite --db "$tmp/bo.db"

grep -q $'\r$' $D/expected/worklist.csv && grep -qF '"Li, ""Si"""' $D/expected/worklist.csv \
    && ok "CSV is RFC 4180: CRLF, quoted comma and doubled quotes" || notok "CSV quoting"

# XLSX
"$BO" --db "$tmp/bo.db" report worklist --xlsx "$tmp/w.xlsx" && ok "worklist XLSX written" || notok "XLSX"
mkdir "$tmp/x" && (cd "$tmp/x" && unzip -q ../w.xlsx) || notok "unzip"
res=$(python3 - "$tmp/x" <<'PY'
import re, sys
d = sys.argv[1]
wb = open(d + "/xl/workbook.xml").read()
ss = re.findall(r"<si><t[^>]*>(.*?)</t></si>", open(d + "/xl/sharedStrings.xml").read())
print("sheets", ",".join(re.findall(r'<sheet name="([^"]+)"', wb)))
for i in (1, 2):
    x = open(d + "/xl/worksheets/sheet%d.xml" % i).read()
    rows = re.findall(r"<row [^>]*>(.*?)</row>", x)
    head = [ss[int(v)] for v in re.findall(r'<c r="[A-Z]+1"[^>]*t="s"><v>(\d+)</v>', rows[0])]
    print("sheet%d header" % i, ",".join(head))
    print("sheet%d rows" % i, len(rows))
    print("sheet%d frozen" % i, 'ySplit="1"' in x and 'state="frozen"' in x)
    print("sheet%d filter" % i, re.search(r'<autoFilter ref="([^"]+)"', x).group(1))
    print("sheet%d totals" % i, " ".join(re.findall(r"<f>([^<]+)</f><v>([^<]+)</v>", x)[k][0] + "=" + re.findall(r"<f>([^<]+)</f><v>([^<]+)</v>", x)[k][1] for k in range(2)))
    print("sheet%d total-label" % i, ss[int(re.search(r'<c r="A%d"[^>]*t="s"><v>(\d+)</v>' % len(rows), x).group(1))])
print("numfmt", '"#,##0.00"' in open(d + "/xl/styles.xml").read())
PY
)
want_head="customer,name,grid,grade,arrears,penalty,oldest_due,days_overdue,action,channel,priority,deadline"
expect() { grep -qxF "$1" <<<"$res" && ok "xlsx: $1" || notok "xlsx: want '$1' in: $(tr '\n' ';' <<<"$res")"; }
expect "sheets G-01,G-02"
expect "sheet1 header $want_head"
expect "sheet2 header $want_head"
expect "sheet1 rows 4"
expect "sheet2 rows 5"
expect "sheet1 frozen True"
expect "sheet1 filter A1:L3"
expect "sheet2 filter A1:L4"
expect "sheet1 totals SUM(E2:E3)=169.49 SUM(F2:F3)=1.35"
expect "sheet2 totals SUM(E2:E4)=367.84 SUM(F2:F4)=8.4"
expect "sheet2 total-label Total"
expect "numfmt True"

for r in aging area; do
    "$BO" --db "$tmp/bo.db" report $r --xlsx "$tmp/$r.xlsx" && unzip -l "$tmp/$r.xlsx" | grep -q 'xl/worksheets/sheet1.xml' \
        && ok "report $r --xlsx" || notok "report $r --xlsx"
done
"$BO" --db "$tmp/bo.db" report frobs >/dev/null 2>&1; [ $? = 2 ] && ok "unknown report exits 2" || notok "unknown report"
"$BO" --db "$tmp/bo.db" report area --month 2024-13 >/dev/null 2>&1; [ $? = 2 ] && ok "bad --month exits 2" || notok "bad month"

if pg_start "$tmp/pg"; then
    "$BO" --pg "$PG_CONNINFO" import $D/messages.jsonl >/dev/null 2>&1
    check_reports postgresql --pg "$PG_CONNINFO"
else
    ok "# SKIP postgresql reports: $PG_SKIP"
fi
