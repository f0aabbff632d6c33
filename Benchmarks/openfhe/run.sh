#!/usr/bin/env bash
# OpenFHE BFV baseline: builds (once) a Python 3.10 venv with the pinned openfhe wheel, then runs
# bench_openfhe.py on one thread. Arguments go to bench_openfhe.py (--json, --depth D,
# --ring-dimension N, --iterations K, --seed S). Results go to stdout; setup messages to stderr,
# so `run.sh --json` prints nothing but the JSON object.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="${PHALANX_OPENFHE_VENV:-$HOME/.cache/phalanx/openfhe-venv}"
requirements="$here/requirements.txt"
# Must match requirements.txt; used to tell whether an existing venv is the right one.
openfhe_version="1.6.1.0.22.4"

say() { echo "openfhe/run.sh: $*" >&2; }

# The wheel is tagged py3-none-any but its extension module is built for CPython 3.10 only
# (openfhe.cpython-310-x86_64-linux-gnu.so), so any other interpreter installs it and then fails
# on import. Take pyenv's newest 3.10.
find_python310() {
    local roots=() root candidate best=""
    if command -v pyenv >/dev/null 2>&1; then
        roots+=("$(pyenv root)")
    fi
    roots+=("${PYENV_ROOT:-$HOME/.pyenv}" /root/.pyenv)
    for root in "${roots[@]}"; do
        for candidate in "$root"/versions/3.10.*/bin/python3.10; do
            [[ -x "$candidate" ]] || continue
            if [[ -z "$best" ]] || [[ "$(printf '%s\n%s\n' "$best" "$candidate" | sort -V | tail -n1)" == "$candidate" ]]; then
                best="$candidate"
            fi
        done
        [[ -n "$best" ]] && break
    done
    [[ -n "$best" ]] && echo "$best"
}

installed_version() {
    "$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("openfhe"))' 2>/dev/null || true
}

if [[ ! -x "$venv/bin/python" ]] || [[ "$("$venv/bin/python" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)" != "3.10" ]]; then
    python310="$(find_python310)" || true
    if [[ -z "${python310:-}" ]]; then
        say "no Python 3.10 found under \$(pyenv root)/versions/3.10.* or /root/.pyenv/versions/3.10.*;"
        say "the openfhe wheel only works with CPython 3.10 (install one with: pyenv install 3.10)"
        exit 2
    fi
    say "creating venv $venv with $python310"
    rm -rf "$venv"
    mkdir -p "$(dirname "$venv")"
    "$python310" -m venv "$venv"
fi

if [[ "$(installed_version)" != "$openfhe_version" ]]; then
    say "installing openfhe==$openfhe_version into $venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements" >&2
fi

# bench_openfhe.py forces this too; exported here so that anything else libgomp-based in the
# process is single-threaded as well.
export OMP_NUM_THREADS=1
exec "$venv/bin/python" "$here/bench_openfhe.py" "$@"
