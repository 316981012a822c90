# tap.sh: the TAP lines of the integration scripts (sourced, not run):
# ok NAME, notok NAME, check NAME GOT WANT (with both shown on a mismatch).
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); echo "not ok $n - $1"; }
check() { if [ "$2" = "$3" ]; then ok "$1"; else notok "$1"; echo "# got:  $2"; echo "# want: $3"; fi; }
