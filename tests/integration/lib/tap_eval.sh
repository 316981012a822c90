# tap_eval.sh: the TAP lines of tap.sh, with a check whose condition is
# evaluated (sourced, not run): check NAME 'CONDITION' (1 when it fails).
. tests/integration/lib/tap.sh
check() { if eval "$2"; then ok "$1"; else notok "$1"; return 1; fi; }
