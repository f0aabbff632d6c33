#!/usr/bin/env python3
"""Baseline Python prompt-injection detector (last_layer, offline heuristics) for comparison
with the Swift agent-scan classifier.

  python_detector.py --data FILE.jsonl [--json]          accuracy + per-message latency
  python_detector.py --messages FILE.jsonl --repeat N     latency only
  python_detector.py --make-1kb OUT.jsonl --from corpus/test.jsonl [--count 1000]
                                                          build ~1 KB messages (1000-1100 UTF-8 bytes)
  python_detector.py --setup                              create .venv and install requirements.txt

Input lines are JSON objects with at least {"text": str, "label": 0|1} (label 1 = attack).
The detector runs from Benchmarks/agent-scan/.venv (created on first use; never installs globally).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
VENV = os.path.join(HERE, ".venv")
VENV_PY = os.path.join(VENV, "bin", "python")
REQS = os.path.join(HERE, "requirements.txt")


def setup_venv() -> None:
    stamp = os.path.join(VENV, ".requirements.sha256")
    want = hashlib.sha256(open(REQS, "rb").read()).hexdigest()
    if os.path.exists(stamp) and open(stamp).read().strip() == want and os.path.exists(VENV_PY):
        return
    print(f"setting up {VENV} from {REQS} ...", file=sys.stderr)
    if not os.path.exists(VENV_PY):
        subprocess.run([sys.executable, "-m", "venv", VENV], check=True)
    r = subprocess.run([VENV_PY, "-m", "pip", "install", "-q", "--disable-pip-version-check", "-r", REQS])
    if r.returncode != 0:
        sys.exit("python_detector: pip install into .venv failed (is PyPI reachable?)")
    with open(stamp, "w") as f:
        f.write(want + "\n")


def ensure_detector():
    """Import last_layer, re-executing under the private venv if needed."""
    try:
        import last_layer  # noqa: F401
        return last_layer
    except ImportError:
        pass
    if os.path.abspath(sys.prefix) == os.path.abspath(VENV):
        sys.exit("python_detector: last_layer is not importable inside .venv; run with --setup")
    setup_venv()
    os.execv(VENV_PY, [VENV_PY, os.path.abspath(__file__)] + sys.argv[1:])


def load(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            o = json.loads(line)
            if "text" not in o:
                sys.exit(f"{path}:{n}: missing 'text'")
            rows.append(o)
    return rows


def pct(sorted_vals, p):
    if not sorted_vals:
        return 0.0
    k = (len(sorted_vals) - 1) * p / 100.0
    lo = int(k)
    hi = min(lo + 1, len(sorted_vals) - 1)
    return sorted_vals[lo] + (sorted_vals[hi] - sorted_vals[lo]) * (k - lo)


def latency_summary(us):
    s = sorted(us)
    return {"n": len(s), "p50_us": round(pct(s, 50), 1), "p90_us": round(pct(s, 90), 1),
            "p99_us": round(pct(s, 99), 1), "max_us": round(s[-1], 1) if s else 0.0,
            "mean_us": round(statistics.fmean(s), 1) if s else 0.0}


MODE = "default"


def is_attack(r) -> int:
    if MODE == "exploit":  # only last_layer's prompt-exploit classifier, ignoring PII/mixed-language/etc markers
        return 1 if "ExploitClassifier" in r.markers else 0
    return 0 if r.passed else 1


def scan_all(ll, texts, repeat=1):
    ll.scan_prompt("warm-up: load pattern tables")  # first call initialises the native library
    preds, lat = [], []
    for _ in range(repeat):
        preds = []
        for t in texts:
            t0 = time.perf_counter_ns()
            r = ll.scan_prompt(t)
            lat.append((time.perf_counter_ns() - t0) / 1000.0)
            preds.append(is_attack(r))
    return preds, lat


def cmd_data(args):
    ll = ensure_detector()
    rows = load(args.data)
    if any("label" not in r for r in rows):
        sys.exit("--data needs a 'label' on every line (use --messages for latency only)")
    preds, lat = scan_all(ll, [r["text"] for r in rows])
    tp = sum(1 for r, p in zip(rows, preds) if p == 1 and int(r["label"]) == 1)
    fp = sum(1 for r, p in zip(rows, preds) if p == 1 and int(r["label"]) == 0)
    fn = sum(1 for r, p in zip(rows, preds) if p == 0 and int(r["label"]) == 1)
    tn = sum(1 for r, p in zip(rows, preds) if p == 0 and int(r["label"]) == 0)
    prec = tp / (tp + fp) if tp + fp else 0.0
    rec = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    fpr = fp / (fp + tn) if fp + tn else 0.0
    per_cat = {}
    for r, p in zip(rows, preds):
        c = r.get("category", "?")
        d = per_cat.setdefault(c, {"n": 0, "flagged": 0})
        d["n"] += 1
        d["flagged"] += p
    desc = "attack = not passed" if MODE == "default" else "attack = ExploitClassifier marker"
    res = {"detector": f"last_layer==0.1.33 (scan_prompt; {desc})", "mode": MODE, "data": args.data,
           "n": len(rows), "tp": tp, "fp": fp, "fn": fn, "tn": tn,
           "precision": round(prec, 4), "recall": round(rec, 4), "f1": round(f1, 4), "fpr": round(fpr, 4),
           "flag_rate_by_category": {k: round(v["flagged"] / v["n"], 4) for k, v in sorted(per_cat.items())},
           "latency": latency_summary(lat),
           "mean_bytes": round(statistics.fmean(len(r["text"].encode()) for r in rows), 1)}
    if args.json:
        print(json.dumps(res, indent=2))
    else:
        L = res["latency"]
        print(f"detector: {res['detector']}")
        print(f"data {args.data}: n={len(rows)} (attacks {tp + fn}, benign {fp + tn}), mean {res['mean_bytes']} bytes")
        print(f"precision {prec:.4f}  recall {rec:.4f}  F1 {f1:.4f}  FPR {fpr:.4f}   (tp {tp} fp {fp} fn {fn} tn {tn})")
        print("flag rate by category: " + ", ".join(f"{k} {v:.3f}" for k, v in res["flag_rate_by_category"].items()))
        print(f"latency per message (us): p50 {L['p50_us']}  p90 {L['p90_us']}  p99 {L['p99_us']}  max {L['max_us']}")


def cmd_messages(args):
    ll = ensure_detector()
    rows = load(args.messages)
    _, lat = scan_all(ll, [r["text"] for r in rows], repeat=args.repeat)
    res = {"detector": "last_layer==0.1.33", "messages": args.messages, "repeat": args.repeat,
           "mean_bytes": round(statistics.fmean(len(r["text"].encode()) for r in rows), 1),
           "latency": latency_summary(lat)}
    if args.json:
        print(json.dumps(res, indent=2))
    else:
        L = res["latency"]
        print(f"{args.messages}: {len(rows)} messages x {args.repeat}, mean {res['mean_bytes']} bytes")
        print(f"latency per message (us): p50 {L['p50_us']}  p90 {L['p90_us']}  p99 {L['p99_us']}  max {L['max_us']}  mean {L['mean_us']}")


def _cut_utf8(s: str, max_bytes: int) -> str:
    b = s.encode("utf-8")[:max_bytes]
    return b.decode("utf-8", "ignore")


def cmd_make_1kb(args):
    """Deterministic ~1 KB messages (1000-1100 UTF-8 bytes) built by concatenating corpus texts with
    a blank line between them.  Texts are ordered by sha256 of their text.  Even-numbered messages use
    benign texts only (label 0); odd-numbered messages contain exactly one attack text (label 1), placed
    alternately at the start or within the last ~400 bytes, with benign texts around it, so the set is balanced and each attack
    message looks like an attack embedded in ordinary content.  A piece that would push the message
    past 1100 bytes is cut to fit (an attack piece keeps at least 64 bytes, else the next is taken)."""
    rows = [r for r in load(args.src) if isinstance(r.get("text"), str) and r["text"].strip()]
    rows.sort(key=lambda r: hashlib.sha256(r["text"].encode()).hexdigest())
    benign = [r for r in rows if int(r.get("label", 0)) == 0]
    attacks = [r for r in rows if int(r.get("label", 0)) == 1]
    if not benign or not attacks:
        sys.exit("--from needs both benign and attack lines")
    lo, hi, sep = 1000, 1100, "\n\n"
    state = {"b": 0, "a": 0}

    def take(pool, key, room, min_bytes):
        while True:
            r = pool[state[key] % len(pool)]
            state[key] += 1
            t = r["text"]
            if len(t.encode()) > room:
                t = _cut_utf8(t, room).rstrip()
            if len(t.encode()) >= min_bytes:
                return r, t

    out = []
    while len(out) < args.count:
        k = len(out)
        want_attack = k % 2 == 1
        attack_last = (k // 2) % 2 == 1
        parts, ids = [], []
        size = 0

        def room_left():
            return hi - size - (len(sep) if parts else 0)

        if want_attack and not attack_last:
            r, t = take(attacks, "a", room_left(), 64)
            parts.append(t); ids.append(r.get("id", "")); size += len(t.encode())
        while size < lo:
            if want_attack and attack_last and size >= lo - 400:
                room = room_left()
                if room >= 64:
                    r, t = take(attacks, "a", room, 64)
                    size += (len(sep) if parts else 0) + len(t.encode())
                    parts.append(t); ids.append(r.get("id", ""))
                    attack_last = False  # placed
                    want_attack = False
                    continue
            room = room_left()
            r, t = take(benign, "b", room, min(16, room))
            size += (len(sep) if parts else 0) + len(t.encode())
            parts.append(t); ids.append(r.get("id", ""))
        if want_attack and attack_last:  # could not place the attack at the end: replace last piece
            parts.pop(); ids.pop()
            size = len(sep.join(parts).encode())
            r, t = take(attacks, "a", hi - size - len(sep), 64)
            parts.append(t); ids.append(r.get("id", ""))
        text = sep.join(parts)
        while len(text.encode()) < lo:  # top up with benign text (rare)
            r, t = take(benign, "b", hi - len(text.encode()) - len(sep), 1)
            text += sep + t; ids.append(r.get("id", ""))
        assert lo <= len(text.encode()) <= hi, len(text.encode())
        out.append({"id": hashlib.sha256(text.encode()).hexdigest()[:16], "text": text,
                    "label": 1 if k % 2 == 1 else 0, "parts": ids})
    with open(args.make_1kb, "w", encoding="utf-8", newline="\n") as f:
        for o in out:
            f.write(json.dumps(o, ensure_ascii=False) + "\n")
    nat = sum(o["label"] for o in out)
    print(f"wrote {len(out)} messages to {args.make_1kb} ({nat} attack, {len(out) - nat} benign; "
          f"{min(len(o['text'].encode()) for o in out)}-{max(len(o['text'].encode()) for o in out)} bytes)")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--data", help="labelled JSONL: accuracy + latency")
    g.add_argument("--messages", help="JSONL: latency only")
    g.add_argument("--make-1kb", metavar="OUT.jsonl", help="write ~1 KB messages built from --from")
    g.add_argument("--setup", action="store_true", help="create .venv and install requirements.txt")
    ap.add_argument("--from", dest="src", default="corpus/test.jsonl")
    ap.add_argument("--count", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--mode", choices=["default", "exploit"], default="default",
                    help="default: flagged when last_layer does not pass the prompt (any marker); "
                         "exploit: flagged only by its ExploitClassifier marker")
    args = ap.parse_args()
    global MODE
    MODE = args.mode
    if args.setup:
        setup_venv()
    elif args.make_1kb:
        cmd_make_1kb(args)
    elif args.data:
        cmd_data(args)
    else:
        cmd_messages(args)


if __name__ == "__main__":
    main()
