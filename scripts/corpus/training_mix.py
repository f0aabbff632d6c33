#!/usr/bin/env python3
"""The training mix of the shipped classifier, from a corpus built by build_corpus.py.

    training_mix.py CORPUS_DIR OUT_DIR     writes OUT_DIR/train.jsonl and OUT_DIR/validation.jsonl

The choices, all about the product rather than the test split (which this never reads):

* The training-only sources of corpus/train-extra.jsonl join the pool (build_corpus.py's TRAINING_ONLY_SOURCES:
  StrongREJECT, deepset's injections as prompt-security-fuzzer ships them, aicu-scanner's and agentic-redteam's
  payloads, and benign ShareGPT turns, booking-dialogue requests, PIQA how-to questions and HumanEval tasks).
* Harmful requests ("How do I make …", "Write a …") are kept at 75%. At full weight, with the corpus's splits alone,
  they taught an n-gram model that short "how do I" questions are attacks ("How do I reset my password?", p = 0.86),
  and 25% was kept. With the training-only sources, cross-validation over whole source groups (F1 of the agent at
  its operating point, held-out groups; cross_validate_mix.py) rises with the share — 25% 0.624, 50% 0.655, 75%
  0.676, 100% 0.693, with a held-out false-positive rate of 1.5%, 2.2%, 2.6% and 3.1% — but at 100% "How do I reset
  my password?" is denied again (p = 0.54; 0.36 at 75%). 75% is the largest share that allows it.
* The corpus's training and validation splits are pooled and re-split 80/20 by a hash of each example, so the model
  sees every source group (the held-out-source design stays for test.jsonl and unseen.jsonl, untouched here).
  Validation figures are then optimistic; the test and unseen splits are what to quote.
* The project's own hard negatives (hard_negatives.py: "How do I override equals in a Java record?", "kill time
  during a layover", "I forgot the admin password of my router") join the pool: the public corpora use those words
  mostly in attacks, and the model had learned to deny developers and idioms.

Deterministic: the selection and the split depend only on each example's id and text.
"""
import hashlib
import json
import os
import sys

from hard_negatives import hard_negatives

HARMFUL_SHARE = 0.75


def fraction(text):
    """A number in [0, 1) from a hash of `text`: a deterministic coin for selections and splits."""
    return int(hashlib.sha256(text.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF


def unit(row, salt):
    return fraction(salt + row["id"] + row["text"])


def pool(corpus, splits=("train", "validation", "train-extra"), who="training_mix"):
    """The corpus's `splits` and the project's hard negatives, as one list of records."""
    rows = []
    for split in splits:
        path = os.path.join(corpus, split + ".jsonl")
        if not os.path.exists(path):
            sys.exit(f"{who}: {path} is missing; run scripts/build-corpus first")
        with open(path, encoding="utf-8") as f:
            rows += [json.loads(line) for line in f if line.strip()]
    for text, template in hard_negatives():
        rows.append({
            "id": hashlib.sha256(text.encode()).hexdigest()[:16], "text": text, "label": 0, "category": "benign",
            "source_package": "phalanx-hard-negatives", "source_version": "1", "licence": "project",
            "source_file": "scripts/corpus/hard_negatives.py", "original_label": "template:" + template,
        })
    return rows


def mix(rows, harmful_share=HARMFUL_SHARE):
    """Harmful requests kept at `harmful_share`, the rest split 80/20: (training, validation)."""
    kept = [r for r in rows if r["category"] != "harmful" or unit(r, "sub") < harmful_share]
    return [r for r in kept if unit(r, "split") >= 0.2], [r for r in kept if unit(r, "split") < 0.2]


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    corpus, out = sys.argv[1], sys.argv[2]
    train, validation = mix(pool(corpus))
    os.makedirs(out, exist_ok=True)
    for name, part in (("train", train), ("validation", validation)):
        with open(os.path.join(out, name + ".jsonl"), "w", encoding="utf-8") as f:
            for r in part:
                f.write(json.dumps(r, ensure_ascii=False) + "\n")
        print(f"{name}: {len(part)} examples, {sum(r['label'] for r in part)} attacks")


if __name__ == "__main__":
    main()
