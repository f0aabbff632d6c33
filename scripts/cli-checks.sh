#!/usr/bin/env bash
# Runs the built `phalanx` binary the way a user does and checks outputs and documented exit codes.
# Usage: scripts/cli-checks.sh PATH/TO/phalanx
set -euo pipefail
bin="$1"
root="$(cd "$(dirname "$0")/.." && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# shellcheck source=lib/checks.sh
source "$(dirname "$0")/lib/checks.sh"

# --help on every command
for cmd in "" demo keys "keys generate" "keys show" manifest "manifest create" "manifest check" guardrails \
    "guardrails check" "guardrails init" frame "frame verify" ledger "ledger show" "ledger checkpoint" \
    "ledger prove" "ledger verify" "ledger check-proof" fsm "fsm show" bench "bench ledger" "bench secagg" "bench control" \
    "bench fhe" \
    dp "dp epsilon" "dp calibrate" "dp budget" "dp budget show" "dp windows" control "control override" \
    "control approve" "control check" fuzz verify-model plugin "plugin check" "plugin compile" run \
    pki "pki init" "pki issue" "pki revoke" "pki list" node "node serve" aggregator "aggregator serve" \
    "control serve" job "job submit" status; do
    # shellcheck disable=SC2086
    run 0 "$bin" $cmd --help
    has "$tmp/out" "USAGE:"
done
ok "--help on every command"
run 0 "$bin" --version
ok "--version"

# The demo: finalized, then each fault.
run 0 "$bin" demo --json "$tmp/report.json" --out "$tmp/run"
has "$tmp/out" "FINALIZED"
has "$tmp/out" "control signed the release clearance"
has "$tmp/out" "latest checkpoint (C2SP signed note):"
has "$tmp/out" "checkpoint signatures and roots check out"
ok "demo finalizes, releases the result, prints the signed checkpoint and the ledger verification"
# The whole story: federated training with secure aggregation and DP, a poisoned round caught by the safety loop,
# Kaplan–Meier, and report.html / report.json (the plots are checked by DemoReportTests; here, that they exist).
has "$tmp/out" "guard-rail update-norm fired"
has "$tmp/out" "S(30) = 0.827 released"
grep -q "<svg" "$tmp/run/report.html" || { echo "FAIL: report.html has no chart"; exit 1; }
python3 - "$tmp/run/report.json" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
assert report["counts"]["provider"] == "dp+secagg" and report["counts"]["ledgerVerified"], report["counts"]
rows = report["training"]["secure"]["comparison"]["rows"]
assert len(rows) == 5, rows
assert len(report["training"]["differentiallyPrivate"]) == 2
assert report["poisoning"]["isolated"] == ["devforge"], report["poisoning"]["isolated"]
assert report["survival"]["outcome"] == "finalized"
print(f"    training: federated F1 {report['training']['secureSharedF1']:.3f} on the shared test split; "
      f"DP runs {[round(r['sharedF1'], 3) for r in report['training']['differentiallyPrivate']]}")
PY
ok "demo tells the whole story: DP counts, federated training, a poisoner isolated by the safety loop, Kaplan–Meier, report.html"
run 0 "$bin" demo --inject-fault overspend --json "$tmp/abort.json" --out "$tmp/abort"
has "$tmp/out" "contribution-bound held (critical) → A-ABORT_JOB"
has "$tmp/out" "6 signed acks"
has "$tmp/out" "ABORTED cleanly"
has "$tmp/out" "Nothing was released."
grep -q '"outcome" : "aborted"' "$tmp/abort.json" || { echo "FAIL: abort report"; exit 1; }
ok "demo --inject-fault overspend aborts cleanly"
run 0 "$bin" demo --inject-fault forged-frame
has "$tmp/out" "frame claiming medisys rejected: bad-signature"
has "$tmp/out" "frame claiming mallory rejected: unknown-sender"
has "$tmp/out" "FINALIZED"
ok "demo --inject-fault forged-frame: forged frames rejected, job finalizes"
run 0 "$bin" demo --inject-fault replay
has "$tmp/out" "rejected: replay"
has "$tmp/out" "FINALIZED"
ok "demo --inject-fault replay: replay rejected, job finalizes"
run 0 "$bin" demo --ep secagg --rounds 2
has "$tmp/out" "execution provider \"secagg\""
has "$tmp/out" "FINALIZED"
ok "demo --ep secagg finalizes under secure aggregation"
run 0 "$bin" demo --inject-fault malformed-share --json "$tmp/c.json"
has "$tmp/out" "malformed-share held (critical) → A-ISOLATE_PARTY"
has "$tmp/out" "invalid-shares in round 0 by shopline"
has "$tmp/out" "FINALIZED"
grep -q '"shopline" : "ABORTED"' "$tmp/c.json" || { echo "FAIL: the malicious node was not quarantined"; exit 1; }
ok "demo --inject-fault malformed-share: the node is isolated, the job finalizes with the quorum (scenario C)"
run 0 "$bin" demo --inject-fault silent-node --json "$tmp/silent.json"
has "$tmp/out" "resent"
has "$tmp/out" "(attempt 2)"
has "$tmp/out" "A-ISOLATE_PARTY isolating shopline"
has "$tmp/out" "rejected: isolated"
has "$tmp/out" "FINALIZED"
ok "demo --inject-fault silent-node: missing acks are resent with the same id, then the node is isolated"
run 0 "$bin" demo --inject-fault lost-result --json "$tmp/lost.json" --out "$tmp/lost"
has "$tmp/out" "the network lost the result from aggregator to medisys"
has "$tmp/out" "medisys received the result the aggregator published again"
has "$tmp/out" "FINALIZED"
grep -q '"medisys" : "DONE"' "$tmp/lost.json" || { echo "FAIL: the node that lost the result did not finish"; exit 1; }
if grep -q "refused a result" "$tmp/out"; then echo "FAIL: a duplicate result was refused"; exit 1; fi
ok "demo --inject-fault lost-result: the aggregator publishes the result again and every node finishes"
run 0 "$bin" demo --inject-fault poisoned-update
has "$tmp/out" "guard-rail update-norm fired  isolated: devforge"
ok "demo --inject-fault poisoned-update: the update-norm guard-rail isolates the booster in federated training"
run 64 "$bin" demo --inject-fault malformed-share --ep plain
run 0 "$bin" bench control --nodes 40 --ticks 2 --predicates 10 --tick-ms 50 --json
grep -q '"framesVerifiedPerSecond"' "$tmp/out" || { echo "FAIL: bench control report"; cat "$tmp/out"; exit 1; }
run 0 "$bin" bench secagg --clients 5 --dim 10 --json
grep -q '"correct" : true' "$tmp/out" || { echo "FAIL: bench secagg"; exit 1; }
run 64 "$bin" demo --rounds 0
run 64 "$bin" demo --inject-fault meteor
run 64 "$bin" demo --ep dp --epsilon 0
run 64 "$bin" demo --ep dp --delta 1
ok "demo usage errors exit 64"

# Differential privacy: central and distributed noise finalize; scenario B aborts on the budget predicate.
run 0 "$bin" demo --ep dp --json "$tmp/dp.json" --out "$tmp/dp"
has "$tmp/out" "privacy: discrete-gaussian noise"
has "$tmp/out" "FINALIZED"
has "$tmp/out" "open jobs 0"
run 0 "$bin" demo --ep dp+secagg --json "$tmp/dps.json" --out "$tmp/dps"
has "$tmp/out" "execution provider \"dp+secagg\""
has "$tmp/out" "FINALIZED"
run 0 "$bin" demo --inject-fault privacy-overspend --json "$tmp/b.json" --out "$tmp/b"
has "$tmp/out" "dp-budget held (critical) → A-ABORT_JOB"
has "$tmp/out" "Nothing was released."
run 1 "$bin" demo --ep dp --node-budget 0.5
has "$tmp/out" "northbank would overspend: limit ε=0.5"
has "$tmp/out" "open jobs 0"
run 0 "$bin" demo --inject-fault privacy-overspend --ep dp+secagg
has "$tmp/out" "ABORTED cleanly"
ok "demo --ep dp and dp+secagg finalize; --inject-fault privacy-overspend aborts before the overspending release"
python3 "$root/scripts/check_schemas.py" "$tmp/dp.json" "$tmp/dp"
python3 "$root/scripts/check_schemas.py" "$tmp/dps.json" "$tmp/dps"
python3 "$root/scripts/check_schemas.py" "$tmp/b.json" "$tmp/b"
run 0 "$bin" dp epsilon --mechanism subsampled-gaussian --noise-multiplier 1.1 --sampling-rate 0.01 --steps 1000 \
    --delta 1e-5
has "$tmp/out" "epsilon:          1.711770"
run 0 "$bin" dp epsilon --accountant pld --mechanism gaussian --noise-multiplier 10 --steps 100 --delta 1e-6 --json
has "$tmp/out" '"epsilon" : 4.8865'
run 0 "$bin" dp calibrate --epsilon 1 --accountant pld --mechanism gaussian --delta 1e-5
has "$tmp/out" "noise multiplier: 3.73063"
# Admission recomputes the plan: a manifest whose noise was halved (ε under-reported) is refused, naming $.privacy.
run 0 "$bin" manifest check "$tmp/dp/manifest.json" --plugin "$tmp/dp/plugin.json" --keys "$tmp/dp/keys" \
    --guardrails "$tmp/dp/guardrails.yaml"
python3 - "$tmp/dp/manifest.json" "$tmp/thin.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1])); m["privacy"]["noise"] /= 2; json.dump(m, open(sys.argv[2], "w"))
PY
run 1 "$bin" manifest check "$tmp/thin.json" --plugin "$tmp/dp/plugin.json" --keys "$tmp/dp/keys" \
    --guardrails "$tmp/dp/guardrails.yaml"
has "$tmp/err" "at \$.privacy: under-reports its cost"
run 0 "$bin" dp budget show --db "$tmp/b/budget.sqlite" --node medisys
has "$tmp/out" "closed"
run 64 "$bin" dp epsilon --mechanism gaussian --noise-multiplier 0 --delta 1e-5
run 64 "$bin" dp epsilon --mechanism gaussian --noise-multiplier nan --delta 1e-5
run 64 "$bin" dp epsilon --mechanism gaussian --noise-multiplier 1 --delta 1.5
run 64 "$bin" dp epsilon --mechanism cauchy --noise-multiplier 1 --delta 1e-5
run 64 "$bin" dp calibrate --epsilon -1 --mechanism gaussian --delta 1e-5
run 66 "$bin" dp budget show --db "$tmp/none.sqlite"
run 65 "$bin" dp budget show --db "$tmp/run/ledger.sqlite"
printf '12,3\n9,41\n57,2\n60,44\n8,1\n11,0\n' >"$tmp/counts.csv"
run 0 "$bin" dp windows --mode adaptive --alert-rate 40 --epsilon 2 --windows 6 --dimensions jailbreak:2,injection \
    --threshold 10 --counts "$tmp/counts.csv" --seed 7
has "$tmp/out" "spent 1.999996 of ε 2"
printf '12\n9x\n' >"$tmp/bad-counts.csv"
run 65 "$bin" dp windows --mode high-accuracy --epsilon 1 --threshold 5 --counts "$tmp/bad-counts.csv"
has "$tmp/err" "bad-counts.csv:2:1"
run 64 "$bin" dp windows --mode adaptive --epsilon 1 --threshold 5 --counts "$tmp/counts.csv"
ok "dp windows: the adaptive policy spends within its total; a bad CSV names line and column"
ok "dp epsilon / calibrate reproduce the reference values; budget show reads the demo's ledger; bad input exits 64/65/66"

# Artifacts check independently, and the schemas hold for what was written.
python3 "$root/scripts/check_schemas.py" "$tmp/report.json" "$tmp/run" "$root/Tests/PhalanxCoreTests/Vectors/signing-v1.json"
python3 "$root/scripts/check_schemas.py" "$tmp/abort.json" "$tmp/abort"
python3 "$root/scripts/check_schemas.py" "$tmp/lost.json" "$tmp/lost"
run 0 "$bin" ledger verify "$tmp/run/ledger.sqlite"
has "$tmp/out" "OK"
vkey="$(sed -n 's/^  verifier key //p' "$tmp/out")"
run 0 "$bin" ledger verify "$tmp/run/ledger.sqlite" --key "$vkey"
run 0 "$bin" ledger show "$tmp/run/ledger.sqlite"
has "$tmp/out" "job-admitted"
run 0 "$bin" ledger checkpoint "$tmp/run/ledger.sqlite"
cmp -s <(head -c "$(wc -c <"$tmp/run/checkpoint.txt")" "$tmp/out") "$tmp/run/checkpoint.txt" || { echo "FAIL: checkpoint"; exit 1; }
run 0 "$bin" ledger prove "$tmp/run/ledger.sqlite" --inclusion 3 --bundle "$tmp/bundle.json"
has "$tmp/out" "verified"
run 0 "$bin" ledger check-proof "$tmp/bundle.json" --key "$vkey"
has "$tmp/out" "entry 3 is in demo.phalanx.local/audit"
run 0 "$bin" ledger prove "$tmp/run/ledger.sqlite" --consistency 2 9
has "$tmp/out" "consistency of 2 → 9 entries"
sizes="$(sqlite3 "$tmp/run/ledger.sqlite" "SELECT size FROM checkpoints ORDER BY size" | sed -n '2p;$p' | tr '\n' ' ')"
# shellcheck disable=SC2086
run 0 "$bin" ledger prove "$tmp/run/ledger.sqlite" --consistency $sizes --bundle "$tmp/consistency.json"
run 0 "$bin" ledger check-proof "$tmp/consistency.json" --key "$vkey"
has "$tmp/out" "extends the signed tree"
run 64 "$bin" ledger prove "$tmp/run/ledger.sqlite" --inclusion 99999
run 0 "$bin" frame verify "$tmp/run/frames.jsonl" --keys "$tmp/run/keys" --manifest "$tmp/run/manifest.json"
run 0 "$bin" manifest check "$tmp/run/manifest.json" --plugin "$tmp/run/plugin.json" --keys "$tmp/run/keys" \
    --guardrails "$tmp/run/guardrails.yaml"
has "$tmp/out" "admitted"
ok "artifacts verify: ledger (verify, show, checkpoint, proofs, outsider check), frames, manifest admission"

# Human overrides: signed by an operator key, approved by a second operator, checked as the control plane would.
run 0 "$bin" keys generate --id alice --role operator --out "$tmp/ops"
run 0 "$bin" keys generate --id bob --role operator --out "$tmp/ops"
cp -r "$tmp/run/keys" "$tmp/fedkeys" && cp "$tmp/ops/"*.pub "$tmp/fedkeys/"
job="$("$bin" manifest check "$tmp/run/manifest.json" | sed -n 's/.*job //p')"
run 0 "$bin" control override resume --key "$tmp/ops/alice.key" --job "$job" --target shopline \
    --reason "verified with shopline's on-call" --out "$tmp/resume.json"
run 1 "$bin" control check "$tmp/resume.json" --keys "$tmp/fedkeys" --manifest "$tmp/run/manifest.json"
has "$tmp/err" "needs a second operator"
run 64 "$bin" control approve "$tmp/resume.json" --key "$tmp/ops/alice.key" --reason "self"
run 0 "$bin" control approve "$tmp/resume.json" --key "$tmp/ops/bob.key" --reason "agreed on the bridge call"
run 0 "$bin" control check "$tmp/resume.json" --keys "$tmp/fedkeys" --manifest "$tmp/run/manifest.json"
has "$tmp/out" "accepted: A-RESUME by alice, approved by bob"
run 0 "$bin" control override set-param --key "$tmp/ops/alice.key" --job "$job" --param maxLagMs --value 9000 \
    --reason "slow link" --out "$tmp/param.json"
run 1 "$bin" control check "$tmp/param.json" --keys "$tmp/fedkeys" --manifest "$tmp/run/manifest.json"
has "$tmp/err" "cannot be overridden"
run 65 "$bin" control override abort --key "$tmp/run/keys/northbank.pub" --job "$job" --reason x --out "$tmp/x.json"
run 64 "$bin" control override abort --key "$tmp/ops/alice.key" --job "$job" --reason " " --out "$tmp/y.json"
run 73 "$bin" control override abort --key "$tmp/ops/alice.key" --job "$job" --reason r --out "$tmp/param.json"
ok "control override/approve/check: two-person rule, ranges, operator keys only, reasons required"

# Model checking in Swift: the correct model passes, a planted fault gives a counterexample (exit 1).
run 0 "$bin" verify-model --nodes 1 --rounds 2
run 1 "$bin" verify-model --nodes 1 --rounds 1 --plant no-ack-dedup
run 64 "$bin" verify-model --nodes 0
ok "verify-model: k = 1 passes (k = 2, 3 in the spin check); a planted fault is caught"

# Fuzzing: a small deterministic run of each target finds nothing (the 1,000,000-input runs are in docs/fuzzing.md).
for target in guardrails expressions frames; do
    run 0 "$bin" fuzz "$target" --inputs 3000 --seed 7
done
ok "fuzz guardrails / expressions / frames: 3,000 inputs each, no finding"

# Tampering is detected: a changed entry, a deleted row, swapped rows, a forged checkpoint; a bad proof bundle.
tamper() {  # tamper NAME SQL: copy the ledger, run SQL on the copy, expect verify to fail naming the problem
    cp "$tmp/run/ledger.sqlite" "$tmp/$1.sqlite"
    sqlite3 "$tmp/$1.sqlite" "$2"
    run 1 "$bin" ledger verify "$tmp/$1.sqlite"
}
tamper changed "UPDATE entries SET body = substr(body, 1, 20) || x'7A' || substr(body, 22) WHERE idx = 2"
has "$tmp/out" "changed-entry at entry 2"
tamper deleted "DELETE FROM entries WHERE idx = 5"
has "$tmp/out" "missing-entry at entry 5"
tamper swapped "UPDATE entries SET idx = -1 WHERE idx = 4; UPDATE entries SET idx = 4 WHERE idx = 6; UPDATE entries SET idx = 6 WHERE idx = -1"
has "$tmp/out" "reordered-entries at entry 4"
tamper truncated "DELETE FROM entries WHERE idx >= 10"
has "$tmp/out" "missing-entry"
tamper forged "UPDATE checkpoints SET note = replace(note, 'demo.phalanx.local/audit', 'demo.phalanx.local/audiT')"
has "$tmp/out" "bad-signature"
python3 - "$tmp/bundle.json" "$tmp/bad-bundle.json" <<'PY'
import json, sys
b = json.load(open(sys.argv[1])); b["index"] += 1; json.dump(b, open(sys.argv[2], "w"))
PY
run 1 "$bin" ledger check-proof "$tmp/bad-bundle.json" --key "$vkey"
ok "ledger: changed, deleted, reordered, truncated entries and a forged checkpoint are named; a wrong proof fails"
python3 - "$tmp/run/frames.jsonl" "$tmp/tampered-frames.jsonl" <<'PY'
import base64, json, sys
lines = open(sys.argv[1]).read().splitlines()
frame = json.loads(lines[7])
payload = bytearray(base64.b64decode(frame["payload"]))
payload[-1] ^= 1
frame["payload"] = base64.b64encode(bytes(payload)).decode()
lines[7] = json.dumps(frame)
open(sys.argv[2], "w").write("\n".join(lines) + "\n")
PY
run 1 "$bin" frame verify "$tmp/tampered-frames.jsonl" --keys "$tmp/run/keys"
has "$tmp/out" "tampered-frames.jsonl:8"
has "$tmp/out" "signature does not verify"
ok "a tampered frame is refused (exit 1)"

# Keys: 0600, refuse to overwrite, readable by OpenSSL, errors name the file.
run 0 "$bin" keys generate --id org-a --role node --out "$tmp/keys"
[ "$(stat -c %a "$tmp/keys/org-a.key")" = 600 ] || { echo "FAIL: key file mode"; exit 1; }
run 73 "$bin" keys generate --id org-a --out "$tmp/keys"
has "$tmp/err" "already exists"
run 0 "$bin" keys show "$tmp/keys/org-a.key"
has "$tmp/out" "role:        node"
if command -v openssl >/dev/null; then
    openssl pkey -in "$tmp/keys/org-a.key" -pubout -out "$tmp/openssl.pub" 2>/dev/null
    diff <(grep -v '^Phalanx-' "$tmp/keys/org-a.pub") "$tmp/openssl.pub" >/dev/null || { echo "FAIL: OpenSSL derives another public key"; exit 1; }
    ok "OpenSSL reads the PKCS#8 key and derives the same public key"
fi
printf 'Phalanx-Id: org-b\nPhalanx-Role: node\n-----BEGIN PRIVATE KEY-----\n!!!!\n-----END PRIVATE KEY-----\n' >"$tmp/bad.key"
run 65 "$bin" keys show "$tmp/bad.key"
has "$tmp/err" "bad.key: line 4: the PEM body is not valid base64"
run 64 "$bin" keys generate --id "Bad Id" --out "$tmp/keys"
ok "keys: 0600, no overwrite (73), malformed key file (65), bad id (64)"

# Malformed inputs: one clear error naming the file and place, documented exit code, nothing written.
echo '{"formatVersion": 1, "jobNonce": ' >"$tmp/broken.json"
run 65 "$bin" manifest check "$tmp/broken.json"
has "$tmp/err" "broken.json: not valid JSON"
python3 - "$tmp/run/manifest.json" "$tmp/wrong-type.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1])); m["rounds"] = "three"; json.dump(m, open(sys.argv[2], "w"))
PY
run 65 "$bin" manifest check "$tmp/wrong-type.json"
has "$tmp/err" "at \$.rounds: expected an integer"
python3 - "$tmp/abort/manifest.json" "$tmp/noise.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1])); m["opcodes"] = sorted(m["opcodes"] + ["noise"]); json.dump(m, open(sys.argv[2], "w"))
PY
run 1 "$bin" manifest check "$tmp/noise.json"
has "$tmp/err" "plain does not implement noise"
run 66 "$bin" manifest check "$tmp/missing.json"
printf 'version: "1"\nparameters:\n  x: 1\npredicates:\n  - id: p\n    expr: max(a) > params.y\n    command: A-ABORT_JOB\n' >"$tmp/g.yaml"
run 65 "$bin" guardrails check "$tmp/g.yaml"
has "$tmp/err" "g.yaml:6:11: predicate p uses params.y"
printf 'version: "1"\npredicates:\n  - id: p\n    expr: max(a) >\n    command: A-ABORT_JOB\n' >"$tmp/g2.yaml"
run 65 "$bin" guardrails check "$tmp/g2.yaml"
has "$tmp/err" "g2.yaml:4:"
run 0 "$bin" guardrails init "$tmp/guardrails.yaml"
run 0 "$bin" guardrails check "$tmp/guardrails.yaml"
has "$tmp/out" "enabled   contribution-bound"
has "$tmp/out" "enabled   unresponsive [critical] any(missedTicks >= params.maxMissedTicks) → A-ISOLATE_PARTY"
run 73 "$bin" guardrails init "$tmp/guardrails.yaml"
run 65 "$bin" demo --guardrails "$tmp/g.yaml"
ok "malformed manifest / guardrails.yaml / missing file: 65 / 65 / 66 with file and place"

run 0 "$bin" fsm show node
has "$tmp/out" "INF       --computationFinished--> POSTF"
run 0 "$bin" fsm show aggregator --format dot
has "$tmp/out" 'label="releaseCleared [releaseCleared]"'
run 64 "$bin" fsm show reactor
ok "fsm show"
# The plug-in language: the shipped plug-ins compile; a broken one is refused with its place; runs match oracles.
for plugin in kaplan-meier safety-event-count fedavg-round; do
    run 0 "$bin" plugin check "$root/Plugins/$plugin.phx"
    has "$tmp/out" ": ok — plug-in $plugin"
done
printf 'plugin "x" version "1.0.0"\ninput t { a: int in 0..=9 }\nnode {\n    let c = histogram(t.a)\n    secure_sum clip_linf(c, 5) as s\n}\naggregator {\n    release c as "c"\n}\n' >"$tmp/leak.phx"
run 65 "$bin" plugin check "$tmp/leak.phx"
has "$tmp/err" "leak.phx:8:13: error: 'c' is node-private and does not exist on the aggregator"
printf 'plugin "x" version "1.0.0"\ninput t { a: int in 0..=9 }\nnode {\n    secure_sum histogram(t.a) as c\n}\naggregator {\n    release c as "c"\n}\n' >"$tmp/unclipped.phx"
run 65 "$bin" plugin check "$tmp/unclipped.phx"
has "$tmp/err" "secure_sum needs a bounded vector"
run 0 "$bin" plugin compile "$root/Plugins/kaplan-meier.phx" --ep secagg --json --manifest-out "$tmp/km-manifest.json"
has "$tmp/out" '"admitted" : true'
python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$tmp/km-manifest.json"
run 1 "$bin" plugin compile "$root/Plugins/safety-event-count.phx" --ep plain
has "$tmp/out" "does not implement noise"
has "$tmp/out" "run it on dp"
waltons=()
for i in 1 2 3 4 5; do waltons+=(--node "org-$i=$root/Plugins/data/waltons/org-$i.csv"); done
for ep in secagg fhe; do
    run 0 "$bin" run "$root/Plugins/kaplan-meier.phx" --ep "$ep" "${waltons[@]}" --json
    python3 - "$tmp/out" "$root/Tests/Vectors/kaplan-meier/waltons-oracle.json" <<'PY'
import json, sys
run = json.load(open(sys.argv[1])); oracle = json.load(open(sys.argv[2]))
curve = next(o for o in run["outputs"] if o["name"] == "survival")
worst = max(abs(curve["values"][t] - s) for t, s in zip(oracle["grid"], oracle["overall"]["survival_on_grid"]))
assert run["outcome"] == "finalized" and worst <= 1e-9, (run["outcome"], worst)
PY
done
printf 'time,event,group\n12,1,control\n7,yes,control\n' >"$tmp/bad.csv"
run 65 "$bin" run "$root/Plugins/kaplan-meier.phx" --node "org-1=$tmp/bad.csv"
has "$tmp/err" "bad.csv:3: column event: expected a whole number"
run 0 "$bin" demo --ep dp --plugin "$root/Plugins/safety-event-count.phx" --quiet
has "$tmp/out" "FINALIZED"
run 64 "$bin" demo --plugin "$root/Plugins/kaplan-meier.phx" --quiet
has "$tmp/err" "hold only the table safety_events"
ok "plugin check / compile / run / demo --plugin: the shipped plug-ins, a leak and an unclipped sum refused, Kaplan–Meier equals lifelines"

# Multiparty homomorphic encryption: the count job and the DP counts under fhe / fhe+dp, and the benchmark's
# plumbing beside OpenFHE (a debug build: the figures are meaningless here, the check is that both sides run and
# check their results).
run 0 "$bin" demo --ep fhe --job-only
has "$tmp/out" 'execution provider "fhe"'
has "$tmp/out" "5× decryption-shares"
has "$tmp/out" "FINALIZED"
run 0 "$bin" demo --ep fhe+dp --plugin "$root/Plugins/safety-event-count.phx" --quiet
has "$tmp/out" "FINALIZED"
# t-out-of-N: a node isolated after the key setup, and the other four decrypt without it.
run 0 "$bin" demo --ep fhe --inject-fault silent-node
has "$tmp/out" "A-ISOLATE_PARTY isolating shopline"
has "$tmp/out" "4× decryption-shares"
has "$tmp/out" "FINALIZED"
run 0 "$bin" bench fhe --iterations 2 --json
python3 - "$tmp/out" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
assert report["openfhe"] and report["openfhe"]["version"] == "1.6.1", report.get("openfheError")
assert set(report["ratios"]) >= {"encrypt", "mulRelin", "partialDecryptPerParty", "ciphertextBytes"}, report["ratios"]
assert report["phalanx"]["ciphertextBytes"] <= report["openfhe"]["ciphertextBytes"]
PY
run 64 "$bin" bench fhe --depth 3
ok "fhe: the count job and DP counts under multiparty homomorphic encryption, a node isolated and four decrypting (t-out-of-N); bench fhe runs beside OpenFHE 1.6.1"

# The federation PKI and the serve processes, as a platform team uses them.
run 0 "$bin" pki init --dir "$tmp/pki" --name "CLI check CA"
run 73 "$bin" pki init --dir "$tmp/pki" --name "again"
run 0 "$bin" pki issue --dir "$tmp/pki" --id control --role control
run 0 "$bin" pki issue --dir "$tmp/pki" --id org-1 --role node
run 73 "$bin" pki issue --dir "$tmp/pki" --id org-1 --role node
run 0 "$bin" pki revoke --dir "$tmp/pki" --id org-1 --reason "key compromise"
run 0 "$bin" pki list --dir "$tmp/pki"
has "$tmp/out" "revoked"
run 66 "$bin" pki issue --dir "$tmp/nothing-here" --id x --role node
cat >"$tmp/node.yaml" <<YAML
id: org-1
listen: localhost:7402
credentials: $tmp/pki/private/org-1
pki: $tmp/pki
state: $tmp/state
YAML
run 65 "$bin" node serve --config "$tmp/node.yaml"
has "$tmp/err" "node.yaml:2: listen: \"localhost\" is a name; a server binds an IP address"
sed -i 's/^listen: .*/listen: 127.0.0.1:7402/' "$tmp/node.yaml"
run 65 "$bin" aggregator serve --config "$tmp/node.yaml"
has "$tmp/err" "the credential is a node's certificate; this process serves the aggregator"
run 64 "$bin" node serve --config "$tmp/node.yaml" --log-level loud
run 65 "$bin" node serve --config "$tmp/node.yaml"
has "$tmp/err" "org-1 is not in the federation roster"
run 1 "$bin" status --control 127.0.0.1:9 --credentials "$tmp/pki/private/control"
has "$tmp/err" "cannot reach the control plane at 127.0.0.1:9"
run 0 "$bin" demo --processes --ep secagg --rounds 2 --quiet --json "$tmp/processes.json"
has "$tmp/out" "job FINALIZED after"
python3 - "$tmp/processes.json" "$root/docs/schemas" <<'PY'
import json, os, sys
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
report, schemas = json.load(open(sys.argv[1])), sys.argv[2]
registry = Registry()
for name in os.listdir(schemas):
    document = json.load(open(os.path.join(schemas, name)))
    registry = registry.with_resources([(name, Resource.from_contents(document)),
                                        (document.get("$id", name), Resource.from_contents(document))])
schema = json.load(open(os.path.join(schemas, "demo-report.schema.json")))
errors = list(Draft202012Validator(schema, registry=registry).iter_errors(report))
assert not errors, [(list(e.path), e.message) for e in errors[:3]]
assert report["outcome"] == "finalized" and report["ledger"]["verified"], report["outcome"]
assert report["frames"]["accepted"] > 0 and report["messages"]["frame"] > 0 and len(report["result"]) == 2
PY
ok "pki init / issue / revoke / list; serve configs refused with file:line; status of a dead control plane; demo --processes and its JSON report (schema)"

echo "CLI checks passed"
