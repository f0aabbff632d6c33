#!/usr/bin/env python3
"""Kills a process that appends to the ledger at random moments and checks what survives.

Usage: ledger-crash-test.py PATH/TO/phalanx [--rounds 50] [--seed N]

Each round starts `phalanx ledger stress` (16 concurrent appenders; it prints "acked INDEX" only after the
append is durable), kills it with SIGKILL after a random delay, then runs `phalanx ledger verify --json` on
the file. After every kill:
  * every acknowledged index is below the number of readable entries (nothing acknowledged is lost),
  * verify reports no problem (nothing half-written is visible; checkpoints still verify and are consistent).
The same file is reused across rounds, so later rounds also test reopening a ledger that was killed.
"""

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("phalanx")
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--seed", type=int, default=int(time.time()))
    args = parser.parse_args()
    rng = random.Random(args.seed)
    print("crash test: %d rounds, seed %d" % (args.rounds, args.seed))

    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [args.phalanx, "keys", "generate", "--id", "stress", "--role", "control", "--out", tmp],
            check=True, stdout=subprocess.DEVNULL)
        key = os.path.join(tmp, "stress.key")
        db = os.path.join(tmp, "ledger.sqlite")
        total_acked = 0
        highest = -1
        for round_number in range(1, args.rounds + 1):
            process = subprocess.Popen(
                [args.phalanx, "ledger", "stress", db, "--signer", key, "--concurrency", "16"],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            acked = []

            def read(stream=process.stdout, acked=acked):
                for line in stream:
                    if line.startswith(b"acked "):
                        acked.append(int(line.split()[1]))

            reader = threading.Thread(target=read)
            reader.start()
            time.sleep(rng.uniform(0.05, 0.6))
            process.send_signal(signal.SIGKILL)
            process.wait()
            reader.join()
            if process.returncode != -signal.SIGKILL:
                sys.exit("round %d: the appender exited by itself (%s): %s"
                         % (round_number, process.returncode, process.stderr.read().decode()[-500:]))
            if not os.path.exists(db) and not acked:
                continue  # killed before the (atomic) creation finished: no file, nothing acknowledged
            result = subprocess.run([args.phalanx, "ledger", "verify", db, "--json"], capture_output=True)
            try:
                report = json.loads(result.stdout)
            except ValueError:
                sys.exit("round %d: verify printed no JSON: %s" % (round_number, result.stderr.decode()))
            if report["problems"]:
                sys.exit("round %d: verify failed after SIGKILL: %s" % (round_number, report["problems"][0]))
            entries = report["entries"]
            if acked and max(acked) >= entries:
                sys.exit("round %d: index %d was acknowledged but the ledger has only %d entries"
                         % (round_number, max(acked), entries))
            if entries <= highest:
                sys.exit("round %d: the ledger shrank from %d to %d entries" % (round_number, highest + 1, entries))
            highest = entries - 1
            total_acked += len(acked)
        print("ok  %d SIGKILLs: %d acknowledged appends all present, %d entries, verify clean after every kill"
              % (args.rounds, total_acked, highest + 1))


if __name__ == "__main__":
    main()
