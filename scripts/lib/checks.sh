# Helpers shared by the scripts that run `phalanx` the way a user does (cli-checks.sh, agent-checks.sh).
# Source it after setting $tmp, the directory where the last command's stdout and stderr are kept.

# run WANTED_EXIT CMD...: runs CMD, keeps stdout/stderr in $tmp/out and $tmp/err, checks the exit code.
run() {
    local want=$1
    shift
    set +e
    "$@" >"$tmp/out" 2>"$tmp/err"
    local got=$?
    set -e
    if [ "$got" -ne "$want" ]; then
        echo "FAIL: '$*' exited $got, expected $want"
        echo "--- stdout"; cat "$tmp/out"; echo "--- stderr"; cat "$tmp/err"
        exit 1
    fi
}
# has FILE TEXT: FILE contains TEXT.
has() {
    if ! grep -qF -- "$2" "$1"; then
        echo "FAIL: expected \"$2\" in the output of the last command"
        cat "$tmp/out" "$tmp/err"
        exit 1
    fi
}
ok() { echo "ok  $*"; }
