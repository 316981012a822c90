# smtp.sh: sourced by the e-mail tests and bench. smtp_start DIR PORT
# [CERT KEY] starts the real SMTP server of smtpd.py (aiosmtpd) on PORT,
# keeping what it accepts in DIR (N.eml), with STARTTLS required when CERT
# and KEY are given; SMTP_PIDS gets its pid. smtp_stop ends them all.
SMTP_PIDS=()
SMTPD_PY=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/smtpd.py

smtp_start() {
    local d=$1 port=$2
    /usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null || { echo "# no aiosmtpd (package python3-aiosmtpd)"; return 1; }
    mkdir -p "$d"
    /usr/bin/python3 "$SMTPD_PY" "$port" "$d" "${@:3}" >"$d.out" 2>&1 &
    SMTP_PIDS+=($!)
    for _ in $(seq 100); do grep -q ready "$d.out" 2>/dev/null && return 0; sleep 0.1; done
    return 1
}

smtp_stop() {
    local p
    for p in "${SMTP_PIDS[@]}"; do kill "$p" 2>/dev/null; done
    for p in "${SMTP_PIDS[@]}"; do wait "$p" 2>/dev/null; done
    SMTP_PIDS=()
}
