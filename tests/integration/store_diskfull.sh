#!/bin/bash
# A full disk: the store on a 4 MiB tmpfs filled up by another file. The
# error is reported, polling goes on into the memory queue, and when space is
# freed every reading is written; integrity_check stays ok. Needs root for the
# mount; the same path is covered without root by test_store's max_page_count case.
set -u
cd "$(dirname "$0")/../.."
B=${BUILD:-build}
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); echo "not ok $n - $1"; }
t=$(mktemp -d)
cleanup() { umount "$t/mnt" 2>/dev/null; rm -rf "$t"; }
trap cleanup EXIT
mkdir "$t/mnt"
if ! mount -t tmpfs -o size=4m tmpfs "$t/mnt" 2>/dev/null; then
    echo "ok 1 - # SKIP cannot mount a tmpfs here (not root or no CAP_SYS_ADMIN)"
    exit 0
fi
dd if=/dev/zero of="$t/mnt/filler" bs=64k count=40 status=none
out=$("$B/tests/tools/fillwriter" "$t/mnt/gl.db" "$t/mnt/filler" 2>&1); rc=$?
echo "$out" | sed 's/^/# /'
if grep -q "full at cycle .*GL_EFULL\|full at cycle .*GL_EIO" <<<"$out"; then ok "disk full reported"; else notok "disk full not reported"; fi
if grep -q "pending in memory: [1-9]" <<<"$out"; then ok "polling went on into the memory queue"; else notok "no readings queued"; fi
if [ $rc -eq 0 ]; then ok "after space was freed every reading was stored"; else notok "readings lost (rc=$rc)"; fi
r=$(sqlite3 "$t/mnt/gl.db" 'PRAGMA integrity_check'); [ "$r" = ok ] && ok "integrity_check ok" || notok "integrity_check: $r"

# the errors name the cause: full, read-only (before: "input/output error")
GL=$B/gridledger
echo '{"gateway": {"id": "gw-f", "area": "TQ-F"}, "store": {"path": "mnt/gl2.db"}, "buses": [], "meters": [],
 "customers": [], "tariffs": []}' >"$t/gl.json"
dd if=/dev/zero of="$t/mnt/filler2" bs=64k count=100 status=none 2>/dev/null
out=$("$GL" -c "$t/gl.json" db check 2>&1); rc=$?
[ $rc -eq 1 ] && [[ "$out" == *"cannot open the store: full: no space left on the file system of $t/mnt"* ]] \
    && ok "a full disk is named: $out" || notok "full: rc=$rc $out"
rm -f "$t/mnt/filler2" "$t/mnt/gl2.db"*
"$GL" -c "$t/gl.json" db check >/dev/null 2>&1 || notok "store on the tmpfs"
mount -o remount,ro "$t/mnt"
out=$("$GL" -c "$t/gl.json" db check 2>&1); rc=$?
[ $rc -eq 1 ] && [[ "$out" == *"cannot open the store: read-only: the file system of $t/mnt is mounted read-only"* ]] \
    && ok "a read-only file system is named: $out" || notok "read-only: rc=$rc $out"
mount -o remount,rw "$t/mnt"
