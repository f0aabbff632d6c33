#!/usr/bin/env python3
"""Generates the oracle for the federated Kaplan-Meier survival curve, and the data it is computed from.

lifelines' `waltons` dataset (163 subjects; T = duration, E = event observed 0/1, group = miR-137 | control) is
split unevenly and deterministically across five organizations, org-1 ... org-5. Every file this script writes:

    Plugins/data/waltons/org-1.csv ... org-5.csv     one node's rows, header `time,event,group`
    Tests/Vectors/kaplan-meier/waltons-oracle.json   provenance, lifelines' curve, per-bin counts per node

The curve is lifelines' KaplanMeierFitter fitted on the union of the five CSV files as read back from disk, so the
oracle is computed from exactly the committed data. The script asserts that (a) the nodes' per-bin counts add up to
the pooled counts and (b) the product-limit formula evaluated in plain Python reproduces lifelines' survival at
every integer time to 1e-12. scripts/oracles/check_kaplan_meier_oracle.py re-verifies both with the standard
library alone; Tests/Vectors/kaplan-meier/README.md explains the files.

Install (in a virtual environment outside the repository) and run from the repository root:

    python3 -m venv /opt/km-venv
    /opt/km-venv/bin/pip install lifelines==0.30.3 pandas==2.3.3 numpy==2.4.6 scipy==1.17.1
    /opt/km-venv/bin/python scripts/oracles/kaplan_meier_oracle.py           # writes the files
    /opt/km-venv/bin/python scripts/oracles/kaplan_meier_oracle.py --check   # fails if they are out of date

(lifelines 0.30.3 requires pandas < 3, so pandas 2.3.3 is the newest it accepts.)
"""

import argparse
import difflib
import hashlib
import importlib.metadata
import io
import json
import math
import pathlib
import platform
import sys
import tempfile

import lifelines
import numpy
import pandas
from lifelines import KaplanMeierFitter
from lifelines.datasets import load_waltons

REPO = pathlib.Path(__file__).resolve().parents[2]
SCRIPT = "scripts/oracles/kaplan_meier_oracle.py"
DATA_DIR = pathlib.PurePosixPath("Plugins/data/waltons")
ORACLE = pathlib.PurePosixPath("Tests/Vectors/kaplan-meier/waltons-oracle.json")

PINNED = {"lifelines": "0.30.3", "pandas": "2.3.3", "numpy": "2.4.6", "scipy": "1.17.1"}

SEED = 20260611
NODES = ["org-1", "org-2", "org-3", "org-4", "org-5"]
FRACTIONS = [0.08, 0.14, 0.19, 0.26, 0.33]
GROUPS = ["miR-137", "control"]
CSV_HEADER = "time,event,group"
TOLERANCE = 1e-12


def fail(message):
    sys.exit(f"kaplan_meier_oracle: {message}")


def sha256(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# The dataset --------------------------------------------------------------------------------------------------------

def dataset_rows():
    """lifelines' waltons dataset as a list of (T, E, group) in the dataset's own order, T still a float."""
    frame = load_waltons()
    if list(frame.columns) != ["T", "E", "group"]:
        fail(f"unexpected waltons columns {list(frame.columns)}")
    rows = []
    for t, e, g in zip(frame["T"].tolist(), frame["E"].tolist(), frame["group"].tolist()):
        t = float(t)
        if not math.isfinite(t) or t < 0:
            fail(f"duration {t!r} is not a finite non-negative number")
        if int(e) not in (0, 1) or e != int(e):
            fail(f"event indicator {e!r} is not 0 or 1")
        if g not in GROUPS:
            fail(f"unexpected group {g!r}")
        rows.append((t, int(e), str(g)))
    return rows


def canonical_dataset_csv(rows):
    """`T,E,group`, one line per subject in the dataset's order, T as Python's repr of the float, LF endings."""
    return "T,E,group\n" + "".join(f"{t!r},{e},{g}\n" for t, e, g in rows)


def integral_rows(rows):
    """The rows with T as an int; fails loudly if any duration is not integral."""
    out = []
    for t, e, g in rows:
        if t != math.floor(t):
            fail(f"duration {t!r} is not integral: the integer time grid and the integer CSV format do not apply")
        out.append((int(t), e, g))
    return out


def pooled_sorted_csv(rows):
    """The multiset of subjects, independent of the split: header, then rows sorted by (time, event, group)."""
    return CSV_HEADER + "\n" + "".join(f"{t},{e},{g}\n" for t, e, g in sorted(rows))


# The split ----------------------------------------------------------------------------------------------------------

def node_sizes(n):
    """Largest-remainder rounding of FRACTIONS * n (ties to the earlier node), so the sizes add up to n."""
    exact = [f * n for f in FRACTIONS]
    sizes = [math.floor(x) for x in exact]
    order = sorted(range(len(exact)), key=lambda i: (-(exact[i] - sizes[i]), i))
    for i in order[: n - sum(sizes)]:
        sizes[i] += 1
    return sizes


def split(rows):
    """Seeded shuffle of the dataset's row indices, then consecutive slices of node_sizes().

    The shuffle sorts the indices by SHA-256("phalanx-km-waltons:<seed>:<index>"), which depends on no random
    number generator's implementation, so it is the same on any Python or numpy version.
    """
    order = sorted(range(len(rows)), key=lambda i: hashlib.sha256(f"phalanx-km-waltons:{SEED}:{i}".encode()).digest())
    sizes = node_sizes(len(rows))
    parts, start = [], 0
    for size in sizes:
        parts.append(sorted(rows[i] for i in order[start : start + size]))
        start += size
    for name, part in zip(NODES, parts):
        if not any(e == 1 for _, e, _ in part):
            fail(f"{name} has no event with seed {SEED}; choose another seed")
    if len(set(sizes)) != len(sizes):
        fail(f"node sizes {sizes} are not all different")
    return parts


def node_csv(part):
    return CSV_HEADER + "\n" + "".join(f"{t},{e},{g}\n" for t, e, g in part)


def read_node_csv(path):
    """Reads a node file back with pandas, as the oracle's input; checks the exact format on the way."""
    raw = path.read_bytes()
    if b"\r" in raw:
        fail(f"{path} has CR characters")
    frame = pandas.read_csv(io.BytesIO(raw), dtype={"time": "int64", "event": "int64", "group": "string"})
    if list(frame.columns) != ["time", "event", "group"]:
        fail(f"{path} has columns {list(frame.columns)}")
    return frame


# Per-bin counts and the product-limit estimate ----------------------------------------------------------------------

def bin_counts(rows, grid):
    """events(t) = #{time == t and event == 1}; at_risk(t) = #{time >= t}, for each t of the grid."""
    events = [sum(1 for t, e, _ in rows if t == b and e == 1) for b in grid]
    at_risk = [sum(1 for t, _, _ in rows if t >= b) for b in grid]
    return events, at_risk


def product_limit(events, at_risk):
    """S(t) = prod over bins u <= t of (1 - d(u)/n(u)); a bin with n(u) = 0 (so d(u) = 0) contributes a factor 1."""
    s, out = 1.0, []
    for d, n in zip(events, at_risk):
        if n > 0:
            s *= 1.0 - d / n
        elif d != 0:
            fail("events in a bin with nobody at risk")
        out.append(s)
    return out


def stratum(name, node_frames, grid, where):
    """Fits lifelines on the pooled rows of one stratum and gathers everything the JSON holds for it."""
    frames = [f[where(f)] for f in node_frames]
    pooled = pandas.concat(frames, ignore_index=True)
    fitter = KaplanMeierFitter().fit(pooled["time"], pooled["event"], label="KM_estimate")
    table = fitter.event_table
    sf = fitter.survival_function_["KM_estimate"]
    if list(table.index) != list(sf.index):
        fail(f"{name}: event table and survival function have different time indices")

    event_table = []
    for t in table.index:
        if t != math.floor(t):
            fail(f"{name}: lifelines reports a non-integral time {t!r}")
        row = table.loc[t]
        event_table.append({
            "time": int(t),
            "observed": int(row["observed"]),
            "censored": int(row["censored"]),
            "removed": int(row["removed"]),
            "entrance": int(row["entrance"]),
            "at_risk": int(row["at_risk"]),
            "survival": float(sf.loc[t]),
        })

    survival_on_grid = [float(v) for v in fitter.survival_function_at_times(grid).tolist()]

    node_rows = [[(int(t), int(e), str(g)) for t, e, g in f.itertuples(index=False)] for f in frames]
    pooled_rows = [r for rows in node_rows for r in rows]
    nodes = {}
    for node, rows in zip(NODES, node_rows):
        ev, ar = bin_counts(rows, grid)
        nodes[node] = {"rows": len(rows), "events_total": sum(e for _, e, _ in rows), "events": ev, "at_risk": ar}
    pooled_events, pooled_at_risk = bin_counts(pooled_rows, grid)

    # (a) the nodes' per-bin counts add up to the pooled counts.
    for key, pooled_list in (("events", pooled_events), ("at_risk", pooled_at_risk)):
        summed = [sum(nodes[n][key][i] for n in NODES) for i in range(len(grid))]
        if summed != pooled_list:
            fail(f"{name}: the nodes' {key} do not add up to the pooled {key}")

    # lifelines' event table agrees with the per-bin definition at every time it lists (0 included).
    for row in event_table:
        i = row["time"] - grid[0]
        if row["observed"] != pooled_events[i] or row["at_risk"] != pooled_at_risk[i]:
            fail(f"{name}: lifelines' event table differs from the per-bin counts at t={row['time']}")
        if row["survival"] != survival_on_grid[i]:
            fail(f"{name}: survival_function_at_times differs from survival_function_ at t={row['time']}")

    # (b) the product-limit formula in plain Python reproduces lifelines at every grid point.
    product = product_limit(pooled_events, pooled_at_risk)
    deviation = max(abs(p - s) for p, s in zip(product, survival_on_grid))
    if not deviation <= TOLERANCE:
        fail(f"{name}: the product-limit estimate differs from lifelines by {deviation!r} > {TOLERANCE}")
    exact_points = sum(1 for p, s in zip(product, survival_on_grid) if p == s)

    return {
        "stratum": name,
        "rows": len(pooled_rows),
        "events_total": sum(e for _, e, _ in pooled_rows),
        "max_time": max(t for t, _, _ in pooled_rows),
        "distinct_times_in_event_table": len(event_table),
        "survival_at_last_time": event_table[-1]["survival"],
        "max_abs_product_minus_lifelines_on_grid": deviation,
        "grid_points_where_product_equals_lifelines_exactly": exact_points,
        "event_table": event_table,
        "survival_on_grid": survival_on_grid,
        "pooled": {"events": pooled_events, "at_risk": pooled_at_risk},
        "nodes": nodes,
    }


# Output -------------------------------------------------------------------------------------------------------------

def dump(value, indent=0):
    """JSON with lists of scalars and objects of scalars on one line; floats as repr() (shortest round-trip)."""
    pad, inner = "  " * indent, "  " * (indent + 1)

    def scalar(v):
        return not isinstance(v, (dict, list))

    def inline(values):
        """Numbers always go on one line; a line with text only while it stays short."""
        short = len(json.dumps(values, ensure_ascii=False)) <= 200
        return all(scalar(v) for v in values) and (short or not any(isinstance(v, str) for v in values))

    if isinstance(value, dict):
        if inline(list(value.values())):
            return json.dumps(value, ensure_ascii=False, allow_nan=False)
        items = [f"{inner}{json.dumps(k)}: {dump(v, indent + 1)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(value, list):
        if inline(value):
            return json.dumps(value, ensure_ascii=False, allow_nan=False)
        return "[\n" + ",\n".join(inner + dump(v, indent + 1) for v in value) + "\n" + pad + "]"
    return json.dumps(value, ensure_ascii=False, allow_nan=False)


def write(root, relative, text):
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


def generate(root):
    """Writes every output file under root (the repository, or a temporary directory for --check)."""
    raw = dataset_rows()
    dataset_csv = canonical_dataset_csv(raw)
    rows = integral_rows(raw)
    parts = split(rows)

    node_files = {}
    for name, part in zip(NODES, parts):
        relative = DATA_DIR / f"{name}.csv"
        text = node_csv(part)
        write(root, relative, text)
        node_files[name] = {"path": str(relative), "rows": len(part), "events": sum(e for _, e, _ in part),
                            "sha256": sha256((root / relative).read_text(encoding="utf-8"))}

    # From here on, the data is what was read back from the files.
    node_frames = [read_node_csv(root / DATA_DIR / f"{name}.csv") for name in NODES]
    read_back = [(int(t), int(e), str(g)) for f in node_frames for t, e, g in f.itertuples(index=False)]
    if pooled_sorted_csv(read_back) != pooled_sorted_csv(rows):
        fail("the union of the node files is not the waltons dataset")

    max_time = max(t for t, _, _ in rows)
    grid = list(range(0, max_time + 1))
    overall = stratum("all", node_frames, grid, lambda f: f["group"].notna())
    by_group = {g: stratum(f"group={g}", node_frames, grid, lambda f, g=g: f["group"] == g) for g in GROUPS}

    versions = {"python": platform.python_version()}
    for package in ("lifelines", "pandas", "numpy", "scipy"):
        versions[package] = importlib.metadata.version(package)

    oracle = {
        "format": "phalanx-kaplan-meier-oracle/1",
        "provenance": {
            "script": SCRIPT,
            "command": f"python3 {SCRIPT}",
            "versions": versions,
            "dataset": {
                "name": "waltons",
                "loader": "lifelines.datasets.load_waltons()",
                "columns": {"T": "duration", "E": "event observed (1) or censored (0)", "group": "miR-137 | control"},
                "rows": len(rows),
                "events": sum(e for _, e, _ in rows),
                "canonical_csv": "header 'T,E,group', one line per row in the dataset's order, T as Python repr() "
                                 "of the float (e.g. 6.0), E as 0/1, group as text, LF line endings",
                "canonical_csv_sha256": sha256(dataset_csv),
                "pooled_sorted_csv": "header 'time,event,group', every subject with time as an integer, rows sorted "
                                     "by (time, event, group), LF line endings; recomputable from the node files",
                "pooled_sorted_csv_sha256": sha256(pooled_sorted_csv(rows)),
            },
            "split": {
                "seed": SEED,
                "method": "row indices 0..n-1 of the dataset sorted by SHA-256('phalanx-km-waltons:<seed>:<index>'), "
                          "then consecutive slices of the node sizes in node order; each node's rows sorted by "
                          "(time, event, group)",
                "fractions": FRACTIONS,
                "node_sizes": [len(p) for p in parts],
            },
            "node_files": node_files,
        },
        "definitions": {
            "grid": "integer time bins t = 0, 1, ..., max_time",
            "events": "events(t) = number of subjects with time == t and event == 1",
            "at_risk": "at_risk(t) = number of subjects with time >= t (a subject censored at t is at risk at t)",
            "survival": "S(t) = product over bins u <= t with at_risk(u) > 0 of (1 - events(u) / at_risk(u)); "
                        "a bin with at_risk(u) == 0 has events(u) == 0 and contributes a factor 1",
            "survival_on_grid": "lifelines' KaplanMeierFitter.survival_function_at_times(grid): the right-continuous "
                                "step function, the value at t includes the events at t",
            "event_table": "lifelines' KaplanMeierFitter.event_table, one row per distinct time in its index, plus "
                           "KM_estimate at that time as 'survival'",
        },
        "conventions": [
            "lifelines' event table always starts with a row at time 0 (entrance = number of subjects, observed = "
            "censored = removed = 0, survival 1.0) although no subject has time 0; it is kept in event_table.",
            "lifelines computes the estimate as exp(cumsum(log(n - d) - log(n))), not as a running product; the two "
            "differ in the last bits (see max_abs_product_minus_lifelines_on_grid), well inside 1e-12.",
            "Ties: several subjects share most times; subjects censored at a time where events happen are counted "
            "at risk at that time (the usual convention, and the one of at_risk(t) above).",
            "Survival reaches exactly 0.0 when every subject at risk at a time has the event (log(0) = -inf, "
            "exp(-inf) = 0 in lifelines); it stays 0.0 afterwards.",
            "By group, bins after the group's last time have at_risk 0 and events 0; lifelines carries the last "
            "value forward there (survival_function_at_times uses asof), which is the factor-1 convention.",
        ],
        "max_time": max_time,
        "grid": grid,
        "overall": overall,
        "by_group": by_group,
    }
    write(root, ORACLE, dump(oracle) + "\n")
    return [DATA_DIR / f"{name}.csv" for name in NODES] + [ORACLE], oracle


def check():
    with tempfile.TemporaryDirectory(prefix="km-oracle-") as tmp:
        files, _ = generate(pathlib.Path(tmp))
        stale = []
        for relative in files:
            fresh = (pathlib.Path(tmp) / relative).read_bytes()
            committed_path = REPO / relative
            committed = committed_path.read_bytes() if committed_path.exists() else None
            if committed != fresh:
                stale.append(relative)
                if committed is None:
                    print(f"missing: {relative}", file=sys.stderr)
                    continue
                diff = difflib.unified_diff(committed.decode().splitlines(), fresh.decode().splitlines(),
                                            f"committed/{relative}", f"regenerated/{relative}", lineterm="", n=0)
                print("\n".join(list(diff)[:40]), file=sys.stderr)
        if stale:
            fail("out of date: " + ", ".join(map(str, stale)) + f"; regenerate with python3 {SCRIPT}")
        print(f"up to date: {len(files)} files match a fresh regeneration")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="regenerate into a temporary directory and fail if "
                        "the committed files differ")
    args = parser.parse_args()

    for package, version in PINNED.items():
        installed = importlib.metadata.version(package)
        if installed != version:
            print(f"warning: {package} {installed} is installed, the committed oracle was made with {version}",
                  file=sys.stderr)

    if args.check:
        check()
        return
    files, oracle = generate(REPO)
    for relative in files:
        print(f"wrote {relative}")
    o = oracle["overall"]
    print(f"node sizes {oracle['provenance']['split']['node_sizes']}; max time {o['max_time']}; "
          f"{o['distinct_times_in_event_table']} times in the event table; S(last) = {o['survival_at_last_time']!r}; "
          f"max |product - lifelines| = {o['max_abs_product_minus_lifelines_on_grid']!r}")


if __name__ == "__main__":
    main()
