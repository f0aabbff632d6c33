#!/usr/bin/env python3
"""Re-verifies the federated Kaplan-Meier oracle with the Python standard library alone (no lifelines).

Reads Plugins/data/waltons/org-*.csv and Tests/Vectors/kaplan-meier/waltons-oracle.json (written by
scripts/oracles/kaplan_meier_oracle.py) and checks, for the overall curve and for each group:

  - the node files are the ones the oracle was computed from (SHA-256, format, row and event counts), and together
    they are the waltons dataset the oracle names (SHA-256 of the pooled rows sorted);
  - every node's per-bin events and at-risk counts recomputed from its CSV equal the JSON's;
  - (a) summing the nodes' per-bin counts gives the pooled counts;
  - (b) the product over bins u <= t of (1 - events(u)/at_risk(u)) reproduces lifelines' survival at every grid
    point to 1e-12;
  - lifelines' event table agrees with the data (observed, censored, at risk) and with the grid survival.

Run from anywhere:

    python3 scripts/oracles/check_kaplan_meier_oracle.py              # exit 1 with the failures listed
    python3 scripts/oracles/check_kaplan_meier_oracle.py --self-test  # also shows that planted faults are caught
"""

import argparse
import copy
import hashlib
import json
import pathlib
import sys

REPO = pathlib.Path(__file__).resolve().parents[2]
ORACLE = REPO / "Tests" / "Vectors" / "kaplan-meier" / "waltons-oracle.json"
HEADER = "time,event,group"
TOLERANCE = 1e-12


def load(repo=REPO):
    oracle = json.loads((repo / "Tests" / "Vectors" / "kaplan-meier" / "waltons-oracle.json").read_text("utf-8"))
    texts = {name: (repo / entry["path"]).read_bytes() for name, entry in oracle["provenance"]["node_files"].items()}
    return oracle, texts


def parse_node(name, raw, failures):
    """(time, event, group) rows of one node file; format problems are appended to failures."""
    if b"\r" in raw:
        failures.append(f"{name}: CR characters (line endings must be LF)")
    text = raw.decode("utf-8")
    lines = text.split("\n")
    if lines[-1] != "":
        failures.append(f"{name}: the file does not end with a newline")
    lines = lines[:-1] if lines[-1] == "" else lines
    if not lines or lines[0] != HEADER:
        failures.append(f"{name}: header is not {HEADER!r}")
        return []
    rows = []
    for number, line in enumerate(lines[1:], start=2):
        fields = line.split(",")
        if len(fields) != 3 or not fields[0].isdigit() or fields[1] not in ("0", "1") or not fields[2]:
            failures.append(f"{name}: line {number} is not 'integer,0|1,group': {line!r}")
            continue
        rows.append((int(fields[0]), int(fields[1]), fields[2]))
    if rows != sorted(rows):
        failures.append(f"{name}: rows are not sorted by (time, event, group)")
    return rows


def bin_counts(rows, grid):
    events = [0] * len(grid)
    at_risk = [0] * len(grid)
    start = grid[0]
    for t, e, _ in rows:
        index = t - start
        if e == 1 and 0 <= index < len(grid):
            events[index] += 1
        for i in range(0, min(index, len(grid) - 1) + 1):
            at_risk[i] += 1
    return events, at_risk


def product_limit(events, at_risk):
    s, out = 1.0, []
    for d, n in zip(events, at_risk):
        if n > 0:
            s *= 1.0 - d / n
        out.append(s)
    return out


def check_stratum(label, curve, node_rows, grid, failures):
    """Everything that can be checked for one stratum, given each node's rows already filtered to it."""
    nodes = list(node_rows)
    if list(curve["nodes"]) != nodes:
        failures.append(f"{label}: nodes {list(curve['nodes'])} != {nodes}")
        return
    pooled_rows = [r for name in nodes for r in node_rows[name]]
    if curve["rows"] != len(pooled_rows):
        failures.append(f"{label}: rows {curve['rows']} != {len(pooled_rows)} in the files")
    if curve["events_total"] != sum(e for _, e, _ in pooled_rows):
        failures.append(f"{label}: events_total does not match the files")

    for name in nodes:
        events, at_risk = bin_counts(node_rows[name], grid)
        entry = curve["nodes"][name]
        if entry["events"] != events:
            failures.append(f"{label}: {name}'s per-bin events differ from its CSV")
        if entry["at_risk"] != at_risk:
            failures.append(f"{label}: {name}'s per-bin at_risk differ from its CSV")
        if entry["rows"] != len(node_rows[name]) or entry["events_total"] != sum(events):
            failures.append(f"{label}: {name}'s rows/events_total differ from its CSV")

    # (a) the nodes' counts add up to the pooled counts, and those are the pooled data's own counts.
    for key in ("events", "at_risk"):
        summed = [sum(curve["nodes"][name][key][i] for name in nodes) for i in range(len(grid))]
        if summed != curve["pooled"][key]:
            failures.append(f"(a) {label}: the nodes' {key} do not add up to the pooled {key}")
    pooled_events, pooled_at_risk = bin_counts(pooled_rows, grid)
    if [pooled_events, pooled_at_risk] != [curve["pooled"]["events"], curve["pooled"]["at_risk"]]:
        failures.append(f"{label}: the pooled per-bin counts differ from the union of the CSVs")

    # (b) the product-limit estimate reproduces lifelines' survival on the grid.
    survival = curve["survival_on_grid"]
    if len(survival) != len(grid):
        failures.append(f"{label}: survival_on_grid has {len(survival)} points for {len(grid)} bins")
        return
    product = product_limit(pooled_events, pooled_at_risk)
    worst = max(range(len(grid)), key=lambda i: abs(product[i] - survival[i]))
    deviation = abs(product[worst] - survival[worst])
    if not deviation <= TOLERANCE:
        failures.append(f"(b) {label}: product-limit {product[worst]!r} != lifelines {survival[worst]!r} "
                        f"at t={grid[worst]} (|diff| = {deviation!r} > {TOLERANCE})")

    # lifelines' event table: time 0 plus every distinct time, with the data's counts and the grid survival.
    table = curve["event_table"]
    times = sorted({0} | {t for t, _, _ in pooled_rows})
    if [row["time"] for row in table] != times:
        failures.append(f"{label}: event_table times are not 0 plus the distinct times of the data")
        return
    for row in table:
        t = row["time"]
        observed = sum(1 for u, e, _ in pooled_rows if u == t and e == 1)
        censored = sum(1 for u, e, _ in pooled_rows if u == t and e == 0)
        at_risk = sum(1 for u, _, _ in pooled_rows if u >= t)
        if (row["observed"], row["censored"], row["removed"], row["at_risk"]) != (
                observed, censored, observed + censored, at_risk):
            failures.append(f"{label}: event_table at t={t} does not match the data")
        if row["survival"] != survival[t - grid[0]]:
            failures.append(f"{label}: event_table survival at t={t} != survival_on_grid")
    if curve["survival_at_last_time"] != table[-1]["survival"]:
        failures.append(f"{label}: survival_at_last_time != the event table's last survival")
    if curve["max_time"] != max(t for t, _, _ in pooled_rows):
        failures.append(f"{label}: max_time does not match the data")


def check(oracle, texts):
    """Returns the list of failures (empty when everything holds) and the number of strata checked."""
    failures = []
    provenance = oracle["provenance"]
    node_rows = {}
    for name, entry in provenance["node_files"].items():
        raw = texts[name]
        if hashlib.sha256(raw).hexdigest() != entry["sha256"]:
            failures.append(f"{name}: SHA-256 of {entry['path']} differs from the oracle's provenance")
        rows = parse_node(name, raw, failures)
        node_rows[name] = rows
        if entry["rows"] != len(rows) or entry["events"] != sum(e for _, e, _ in rows):
            failures.append(f"{name}: rows/events differ from the provenance")
        if not any(e == 1 for _, e, _ in rows):
            failures.append(f"{name}: no event")

    sizes = [len(rows) for rows in node_rows.values()]
    if sizes != provenance["split"]["node_sizes"] or len(set(sizes)) != len(sizes):
        failures.append(f"node sizes {sizes} differ from the provenance or are not all different")
    pooled = sorted(r for rows in node_rows.values() for r in rows)
    pooled_csv = HEADER + "\n" + "".join(f"{t},{e},{g}\n" for t, e, g in pooled)
    if hashlib.sha256(pooled_csv.encode()).hexdigest() != provenance["dataset"]["pooled_sorted_csv_sha256"]:
        failures.append("the union of the node files is not the dataset the oracle names (pooled_sorted_csv_sha256)")
    if len(pooled) != provenance["dataset"]["rows"]:
        failures.append("the node files do not hold the dataset's row count")

    max_time = max(t for t, _, _ in pooled)
    grid = list(range(0, max_time + 1))
    if oracle["max_time"] != max_time or oracle["grid"] != grid:
        failures.append("max_time/grid do not match the data")

    check_stratum("overall", oracle["overall"], node_rows, grid, failures)
    for group, curve in oracle["by_group"].items():
        rows = {name: [r for r in node_rows[name] if r[2] == group] for name in node_rows}
        check_stratum(f"group={group}", curve, rows, grid, failures)
    groups = {g for _, _, g in pooled}
    if set(oracle["by_group"]) != groups:
        failures.append(f"by_group has {sorted(oracle['by_group'])}, the data has {sorted(groups)}")
    return failures, 1 + len(oracle["by_group"])


def self_test(oracle, texts):
    """Plants faults and shows that each is caught; returns the number of faults that were NOT caught."""
    def flip_first_event(texts_):
        name = "org-3"
        lines = texts_[name].decode().split("\n")
        for i in range(1, len(lines)):
            if lines[i].split(",")[1:2] == ["1"]:
                fields = lines[i].split(",")
                lines[i] = ",".join([fields[0], "0", fields[2]])
                break
        texts_[name] = "\n".join(lines).encode()

    faults = {
        "survival off by 1e-9 at one bin": lambda o, t: o["overall"]["survival_on_grid"].__setitem__(
            40, o["overall"]["survival_on_grid"][40] + 1e-9),
        "one node's at-risk count off by one": lambda o, t: o["overall"]["nodes"]["org-2"]["at_risk"].__setitem__(
            30, o["overall"]["nodes"]["org-2"]["at_risk"][30] + 1),
        "pooled events off by one in a group": lambda o, t: o["by_group"]["control"]["pooled"]["events"].__setitem__(
            60, o["by_group"]["control"]["pooled"]["events"][60] + 1),
        "an event flipped to censored in a CSV": lambda o, t: flip_first_event(t),
        "CRLF line endings in a CSV": lambda o, t: t.__setitem__("org-1", t["org-1"].replace(b"\n", b"\r\n")),
        "a row moved from one node to another": lambda o, t: (
            t.__setitem__("org-5", t["org-5"] + t["org-4"].split(b"\n")[1] + b"\n"),
            t.__setitem__("org-4", b"\n".join(t["org-4"].split(b"\n")[:1] + t["org-4"].split(b"\n")[2:]))),
    }
    missed = 0
    for description, plant in faults.items():
        o, t = copy.deepcopy(oracle), dict(texts)
        plant(o, t)
        failures, _ = check(o, t)
        print(f"  self-test: {description}: {'caught' if failures else 'NOT CAUGHT'}"
              + (f" ({len(failures)} failures; first: {failures[0]})" if failures else ""))
        missed += 0 if failures else 1
    return missed


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--self-test", action="store_true", help="also plant faults and show they are caught")
    args = parser.parse_args()

    oracle, texts = load()
    failures, strata = check(oracle, texts)
    for failure in failures:
        print(f"FAIL {failure}", file=sys.stderr)
    if failures:
        sys.exit(f"kaplan-meier oracle: {len(failures)} failures")
    overall = oracle["overall"]
    print(f"kaplan-meier oracle: {len(texts)} node files, {strata} strata, {len(oracle['grid'])} bins: "
          f"(a) node counts add up to the pooled counts, (b) product-limit matches lifelines "
          f"{oracle['provenance']['versions']['lifelines']} to {TOLERANCE} "
          f"(overall S({overall['max_time']}) = {overall['survival_at_last_time']!r})")
    if args.self_test:
        missed = self_test(oracle, texts)
        if missed:
            sys.exit(f"kaplan-meier oracle self-test: {missed} planted faults not caught")
        print("kaplan-meier oracle self-test: every planted fault caught")


if __name__ == "__main__":
    main()
