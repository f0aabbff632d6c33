#!/usr/bin/env python3
"""Flower 1.42 SecAgg / SecAgg+ cost, measured on this machine with Flower's own code.

One aggregation round of Flower's secure aggregation, all n clients in one process:

* the server side is Flower's own ``SecAggPlusWorkflow`` (``SecAggWorkflow`` for the
  complete graph), whose four stage methods (``setup_stage``, ``share_keys_stage``,
  ``collect_masked_vectors_stage``, ``unmask_stage``) are called in order, exactly as
  ``SecAggPlusWorkflow.__call__`` does, but timed one by one;
* every client is Flower's own ``secaggplus_mod`` with its own ``Context``;
* between them sits a small in-process ``Grid`` (``InProcessGrid`` below) standing in for
  the SuperLink: it gives each message an ID (as Flower's ``InMemoryGrid`` does), moves
  it the way Flower 1.42 puts messages on the wire (``get_all_nested_objects`` +
  ``deflate`` on the sender, ``inflate_object_from_contents`` on the receiver, so each
  side gets its own copy), and counts the bytes of the deflated objects;
* a fraction of the clients (``--dropout``, 10 %) drops out after the share exchange: they
  answer ``setup`` and ``share_keys`` but never answer ``collect_masked_vectors``, so the
  server must rebuild their secret keys from Shamir shares and remove their pairwise
  masks, and rebuild the self-mask seeds of the survivors.

Timing: a client's time per stage is the time spent inside ``secaggplus_mod`` for that
message (minus the stand-in training step that returns its vector); the server's time
per stage is the stage method's wall time minus what the grid spent inside clients and
moving messages (that transport time is reported on its own). Flower's own functions are
wrapped with timers (they are still the functions that run) to break each stage down:
Shamir split/combine (PyCryptodome, GF(2^128)), ECDH P-384 + HKDF, Fernet, the
Mersenne-Twister mask generator ``pseudo_rand_gen`` and the mask arithmetic.

Correctness: every client's vector lies on Flower's quantization grid and every client
reports ``num_examples == max_weight``, so Flower's stochastic quantization is exact; the
integer sum Flower recovers is checked (assert) to equal the plain sum of the survivors'
quantized vectors, and the float result to equal their mean.

Install (a venv keeps Flower's pins away from the system Python; Python 3.11):

    python3 -m venv /opt/flwr-bench-venv
    /opt/flwr-bench-venv/bin/pip install --no-deps -r Benchmarks/flower/requirements.txt

which is, spelled out (``--no-deps`` so Flower's server/CLI stack is not pulled in):

    pip install --no-deps flwr==1.42.0
    pip install --no-deps numpy==2.4.6 pycryptodome==3.24.1 cryptography==50.0.2 \
        cffi==2.1.1 pycparser==3.12 protobuf==6.33.6 grpcio==1.85.3 \
        typing_extensions==4.16.0 iterators==0.0.2 httpx==0.28.1 httpcore==1.0.9 \
        h11==0.16.0 anyio==4.16.0 idna==3.20 certifi==2026.10.19.post1 typer==0.20.1 \
        click==8.5.1 rich==14.3.4 markdown-it-py==4.3.0 mdurl==0.1.2 Pygments==2.21.0 \
        shellingham==1.5.4

Run (``python3`` without Flower re-executes itself with /opt/flwr-bench-venv/bin/python, or
with the interpreter named by $FLWR_BENCH_PYTHON):

    python3 Benchmarks/flower/flower_secagg_bench.py --clients 100 --dim 100000 \
        --dropout 0.1 --graph full|sparse --neighbours 15 [--threshold 0.5] [--json]
    python3 Benchmarks/flower/flower_secagg_bench.py --quick        # n=20, d=10,000

``--neighbours K`` is Flower's ``num_shares``: the size of each client's neighbourhood
*including itself* (``SecAggPlusWorkflow(num_shares=K, ...)``), so K-1 other clients.
``--graph full`` is Flower's ``SecAggWorkflow`` (``num_shares=1.0``: everyone).
``--threshold`` is ``reconstruction_threshold`` (a fraction of ``num_shares`` or an int).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import random
import sys
import time
from collections import defaultdict
from typing import Any, Callable
from uuid import uuid4

INSTALL_HINT = """\
Flower 1.42 is not importable from this interpreter ({exe}).
Install it (see the docstring of this file and Benchmarks/flower/README.md):
    python3 -m venv /opt/flwr-bench-venv
    /opt/flwr-bench-venv/bin/pip install --no-deps -r Benchmarks/flower/requirements.txt
and run this script with /opt/flwr-bench-venv/bin/python.
"""

try:
    import numpy as np

    import flwr
    import importlib
    from flwr.app import ConfigRecord, Context, Message, RecordDict
    from flwr.client.mod.secure_aggregation.secaggplus_mod import secaggplus_mod
    from flwr.common import (
        Code,
        FitRes,
        Status,
        ndarrays_to_parameters,
        parameters_to_ndarrays,
    )
    from flwr.common.constant import SUPERLINK_NODE_ID
    from flwr.common.secure_aggregation.secaggplus_constants import (
        RECORD_KEY_CONFIGS,
        Key,
        Stage,
    )
    from flwr.compat.common import recorddict_compat as compat
    from flwr.server.client_manager import SimpleClientManager
    from flwr.server.compat.grid_client_proxy import GridClientProxy
    from flwr.server.compat.legacy_context import LegacyContext
    from flwr.server.server_config import ServerConfig
    from flwr.server.strategy import FedAvg
    from flwr.server.workflow.constant import MAIN_CONFIGS_RECORD, MAIN_PARAMS_RECORD
    from flwr.server.workflow.constant import Key as WorkflowKey
    from flwr.server.workflow.secure_aggregation.secagg_workflow import SecAggWorkflow
    from flwr.server.workflow.secure_aggregation.secaggplus_workflow import (
        SecAggPlusWorkflow,
        WorkflowState,
    )
    from flwr.serverapp.grid import Grid
    from flwr.supercore.inflatable.inflatable_object import get_all_nested_objects
    from flwr.supercore.inflatable.inflatable_utils import inflate_object_from_contents
    from flwr.supercore.task_identity import TaskIdentity

    # The packages re-export functions under the modules' names, so fetch the modules.
    mod_module = importlib.import_module("flwr.client.mod.secure_aggregation.secaggplus_mod")
    wf_module = importlib.import_module("flwr.server.workflow.secure_aggregation.secaggplus_workflow")
except ImportError as exc:  # pragma: no cover - depends on the environment
    # `python3 flower_secagg_bench.py` from a Python without Flower: use the venv if it is there.
    venv_python = os.environ.get("FLWR_BENCH_PYTHON", "/opt/flwr-bench-venv/bin/python")
    if os.path.exists(venv_python) and not os.environ.get("FLWR_BENCH_REEXEC"):
        os.environ["FLWR_BENCH_REEXEC"] = "1"
        os.execv(venv_python, [venv_python, os.path.abspath(__file__), *sys.argv[1:]])
    sys.stderr.write(f"import failed: {exc}\n" + INSTALL_HINT.format(exe=sys.executable))
    sys.exit(2)

STAGES = (
    Stage.SETUP,
    Stage.SHARE_KEYS,
    Stage.COLLECT_MASKED_VECTORS,
    Stage.UNMASK,
)
STAGE_LABELS = {
    Stage.SETUP: "key generation (2x ECDH P-384 key pairs)",
    Stage.SHARE_KEYS: "share creation + encryption (Shamir split, ECDH, Fernet)",
    Stage.COLLECT_MASKED_VECTORS: "masked input (decrypt shares, quantize, self + pairwise masks)",
    Stage.UNMASK: "unmask (server: Shamir combine, mask regeneration, final sum)",
}
MAX_WEIGHT = 1000.0  # SecAggPlusWorkflow default; every client reports num_examples == it
CLIPPING_RANGE = 8.0  # SecAggPlusWorkflow default
QUANTIZATION_RANGE = 4194304  # SecAggPlusWorkflow default (2**22)
QUANTUM_EXP = 18  # one quantization step = 2*8/2**22 = 2**-18

# Flower functions, as the two modules bound them, that get a timer around them.
CLIENT_TIMED = {
    "generate_key_pairs": "ecdh_keygen",
    "private_key_to_bytes": "key_serialization",
    "public_key_to_bytes": "key_serialization",
    "bytes_to_private_key": "key_serialization",
    "bytes_to_public_key": "key_serialization",
    "create_shares": "shamir_split",
    "generate_shared_key": "ecdh_agree_hkdf",
    "encrypt": "fernet_encrypt",
    "decrypt": "fernet_decrypt",
    "quantize": "quantize",
    "pseudo_rand_gen": "prg_masks",
    "parameters_addition": "mask_arithmetic",
    "parameters_subtraction": "mask_arithmetic",
    "parameters_mod": "mask_arithmetic",
    "ndarray_to_bytes": "vector_serialization",
}
SERVER_TIMED = {
    "combine_shares": "shamir_combine",
    "generate_shared_key": "ecdh_agree_hkdf",
    "bytes_to_private_key": "key_serialization",
    "bytes_to_public_key": "key_serialization",
    "pseudo_rand_gen": "prg_masks",
    "parameters_addition": "mask_arithmetic",
    "parameters_subtraction": "mask_arithmetic",
    "parameters_mod": "mask_arithmetic",
    "bytes_to_ndarray": "vector_serialization",
    "dequantize": "dequantize",
}


def log(msg: str) -> None:
    sys.stderr.write(f"[{time.strftime('%H:%M:%S')}] {msg}\n")
    sys.stderr.flush()


class Recorder:
    """Accumulates timings and byte counts, keyed by side, stage and item."""

    def __init__(self) -> None:
        self.side = "server"
        self.stage = ""
        # (side, stage, item) -> seconds / calls
        self.sub_time: dict[tuple[str, str, str], float] = defaultdict(float)
        self.sub_calls: dict[tuple[str, str, str], int] = defaultdict(int)

    def wrap(self, side: str, fn: Callable[..., Any], item: str) -> Callable[..., Any]:
        perf = time.perf_counter

        def timed(*args: Any, **kwargs: Any) -> Any:
            if self.side != side:  # e.g. a client function called while a server stage runs
                return fn(*args, **kwargs)
            t0 = perf()
            try:
                return fn(*args, **kwargs)
            finally:
                key = (side, self.stage, item)
                self.sub_time[key] += perf() - t0
                self.sub_calls[key] += 1

        timed.__wrapped__ = fn  # type: ignore[attr-defined]
        return timed

    def instrument(self) -> None:
        for name, item in CLIENT_TIMED.items():
            setattr(mod_module, name, self.wrap("client", getattr(mod_module, name), item))
        for name, item in SERVER_TIMED.items():
            setattr(wf_module, name, self.wrap("server", getattr(wf_module, name), item))


def payload_bytes(record: ConfigRecord) -> int:
    """Bytes of the protocol payload in a ConfigRecord: bytes as is, ints as 8 bytes."""
    total = 0
    for value in record.values():
        items = value if isinstance(value, list) else [value]
        for item in items:
            if isinstance(item, bytes):
                total += len(item)
            elif isinstance(item, (int, float)) and not isinstance(item, bool):
                total += 8
            elif isinstance(item, str):
                total += len(item.encode())
    return total


def transport(msg: Message) -> tuple[Message, int]:
    """Move a message the way Flower 1.42 does: deflate every object, inflate a copy.

    Returns the receiver's copy and the number of bytes of the deflated objects (the
    message, its RecordDict, records, arrays and array chunks; gRPC framing not included).
    """
    objects = get_all_nested_objects(msg)
    contents = {obj_id: obj.deflate() for obj_id, obj in objects.items()}
    nbytes = sum(len(c) for c in contents.values())
    msg_id = next(reversed(objects))  # post-order: the message itself comes last
    received = inflate_object_from_contents(msg_id, contents)
    assert isinstance(received, Message)
    # The message ID is not serialized; the SuperLink assigns it (InMemoryGrid: a uuid4).
    received.metadata.__dict__["_message_id"] = msg.metadata.message_id or str(uuid4())
    return received, nbytes


class InProcessGrid(Grid):
    """A Grid that delivers each message to an in-process ``secaggplus_mod`` client."""

    def __init__(
        self,
        rec: Recorder,
        node_ids: list[int],
        vectors: dict[int, np.ndarray],
        dropped: set[int],
        run_id: int,
    ) -> None:
        self.rec = rec
        self.node_ids = node_ids
        self.vectors = vectors
        self.dropped = dropped
        self.run_id = run_id
        self.contexts = {
            nid: Context(run_id=run_id, node_id=nid, node_config={}, state=RecordDict(), run_config={})
            for nid in node_ids
        }
        self._run: Any = None
        self._train_time = 0.0
        # per stage: client seconds / bytes per node, transport seconds, server->client bytes
        self.client_time: dict[str, dict[int, float]] = defaultdict(dict)
        self.client_wire: dict[str, dict[int, int]] = defaultdict(dict)
        self.client_payload: dict[str, dict[int, int]] = defaultdict(dict)
        self.server_wire: dict[str, dict[int, int]] = defaultdict(dict)
        self.transport_time: dict[str, float] = defaultdict(float)
        self.in_grid_time: dict[str, float] = defaultdict(float)

    # --- Grid API -----------------------------------------------------------------
    def set_run(self, run: Any) -> None:
        self._run = run

    @property
    def run(self) -> Any:
        return self._run

    def create_message(  # pylint: disable=too-many-arguments
        self, content: RecordDict, message_type: str, dst_node_id: int, group_id: str, ttl: float | None = None
    ) -> Message:
        return Message(content, dst_node_id, message_type, ttl=ttl, group_id=group_id)

    def get_node_ids(self) -> list[int]:
        return list(self.node_ids)

    def push_messages(self, messages: Any) -> Any:
        raise NotImplementedError("the workflow only uses send_and_receive")

    def pull_messages(self, message_ids: Any) -> Any:
        raise NotImplementedError("the workflow only uses send_and_receive")

    def send_and_receive(self, messages: Any, *, timeout: float | None = None) -> list[Message]:
        perf = time.perf_counter
        t_enter = perf()
        replies: list[Message] = []
        for msg in messages:
            msg.metadata.__dict__["_message_id"] = str(uuid4())  # as InMemoryGrid does
            t0 = perf()
            inbound, down_bytes = transport(msg)
            stage = self.rec.stage
            self.transport_time[stage] += perf() - t0
            nid = inbound.metadata.dst_node_id
            self.server_wire[stage][nid] = down_bytes
            if stage == Stage.COLLECT_MASKED_VECTORS and nid in self.dropped:
                continue  # dropped after the share exchange: never answers again
            self.rec.side = "client"
            self._train_time = 0.0
            t0 = perf()
            reply = secaggplus_mod(inbound, self.contexts[nid], self._train)
            self.client_time[stage][nid] = perf() - t0 - self._train_time
            self.rec.side = "server"
            self.client_payload[stage][nid] = payload_bytes(reply.content.config_records[RECORD_KEY_CONFIGS])
            t0 = perf()
            outbound, up_bytes = transport(reply)
            self.transport_time[stage] += perf() - t0
            self.client_wire[stage][nid] = up_bytes
            replies.append(outbound)
        self.in_grid_time[self.rec.stage] += perf() - t_enter
        return replies

    # --- the ClientApp's training step: returns the client's fixed vector ----------
    def _train(self, msg: Message, ctxt: Context) -> Message:
        t0 = time.perf_counter()
        fitres = FitRes(
            status=Status(code=Code.OK, message=""),
            parameters=ndarrays_to_parameters([self.vectors[ctxt.node_id]]),
            num_examples=int(MAX_WEIGHT),
            metrics={},
        )
        out = Message(compat.fitres_to_recorddict(fitres, keep_input=True), reply_to=msg)
        self._train_time += time.perf_counter() - t0
        return out


def parse_threshold(text: str) -> int | float:
    value = float(text)
    return int(value) if value >= 1 and value.is_integer() and "." not in text else value


def run(args: argparse.Namespace) -> dict[str, Any]:
    n, d = args.clients, args.dim
    rng = np.random.default_rng(args.seed)
    random.seed(args.seed)  # SecAggPlusWorkflow shuffles node IDs with `random`
    np.random.seed(args.seed)  # Flower's stochastic rounding uses the global RandomState

    node_ids = [int(x) for x in rng.choice(2**62, size=n, replace=False) + 2]
    # Vectors on Flower's quantization grid: x = q * 2**-18 - 8, q in [0, 2**22)
    q = rng.integers(0, QUANTIZATION_RANGE, size=(n, d), dtype=np.int64)
    vectors = {nid: np.ldexp(q[i].astype(np.float64), -QUANTUM_EXP) - CLIPPING_RANGE for i, nid in enumerate(node_ids)}
    n_drop = int(round(n * args.dropout))
    dropped = {int(x) for x in rng.choice(node_ids, size=n_drop, replace=False)} if n_drop else set()

    rec = Recorder()
    rec.instrument()
    run_id = 1
    TaskIdentity.run_id = run_id
    TaskIdentity.node_id = SUPERLINK_NODE_ID
    TaskIdentity.task_id = 0
    grid = InProcessGrid(rec, node_ids, vectors, dropped, run_id)

    client_manager = SimpleClientManager()
    for nid in node_ids:
        client_manager.register(GridClientProxy(nid, grid, run_id))
    strategy = FedAvg(fraction_fit=1.0, fraction_evaluate=0.0, min_fit_clients=n, min_available_clients=n)
    context = LegacyContext(
        Context(run_id=run_id, node_id=SUPERLINK_NODE_ID, node_config={}, state=RecordDict(), run_config={}),
        config=ServerConfig(num_rounds=1),
        strategy=strategy,
        client_manager=client_manager,
    )
    context.state.config_records[MAIN_CONFIGS_RECORD] = ConfigRecord({WorkflowKey.CURRENT_ROUND: 1})
    context.state.array_records[MAIN_PARAMS_RECORD] = compat.parameters_to_arrayrecord(
        ndarrays_to_parameters([np.zeros(d)]), keep_input=True
    )

    threshold = args.threshold
    if args.graph == "full":
        workflow: SecAggPlusWorkflow = SecAggWorkflow(reconstruction_threshold=threshold)
        workflow_name = "SecAggWorkflow"
    else:
        workflow = SecAggPlusWorkflow(num_shares=args.neighbours, reconstruction_threshold=threshold)
        workflow_name = "SecAggPlusWorkflow"
    state = WorkflowState()
    steps = {
        Stage.SETUP: workflow.setup_stage,
        Stage.SHARE_KEYS: workflow.share_keys_stage,
        Stage.COLLECT_MASKED_VECTORS: workflow.collect_masked_vectors_stage,
        Stage.UNMASK: workflow.unmask_stage,
    }
    stage_wall: dict[str, float] = {}
    t_round = time.perf_counter()
    for stage in STAGES:
        rec.stage = stage
        rec.side = "server"
        log(f"stage {stage} ...")
        t0 = time.perf_counter()
        ok = steps[stage](grid, context, state)
        stage_wall[stage] = time.perf_counter() - t0
        log(f"stage {stage} done in {stage_wall[stage]:.2f} s")
        if not ok:
            raise RuntimeError(f"Flower's workflow halted in stage {stage}")
    round_wall = time.perf_counter() - t_round

    # ---- correctness: Flower's result vs the plain sum of the survivors' vectors ----
    survivors = [i for i, nid in enumerate(node_ids) if nid not in dropped]
    params = compat.arrayrecord_to_parameters(context.state.array_records[MAIN_PARAMS_RECORD], keep_input=True)
    (aggregated,) = parameters_to_ndarrays(params)
    expected_sum_q = q[survivors].sum(axis=0)  # plain integer sum of the survivors' vectors
    expected_mean = np.ldexp(expected_sum_q.astype(np.float64), -QUANTUM_EXP) / len(survivors) - CLIPPING_RANGE
    m = len(survivors)
    recovered_sum_q = np.rint(np.ldexp(aggregated * m + CLIPPING_RANGE * m, QUANTUM_EXP)).astype(np.int64)
    max_abs_err = float(np.max(np.abs(aggregated - expected_mean)))
    assert aggregated.shape == (d,), aggregated.shape
    assert np.array_equal(recovered_sum_q, expected_sum_q), "Flower's sum != plain sum of survivors"
    assert max_abs_err < 1e-9, max_abs_err

    return report(args, workflow_name, state, grid, rec, stage_wall, round_wall, node_ids, dropped, max_abs_err)


def report(
    args: argparse.Namespace,
    workflow_name: str,
    state: Any,
    grid: InProcessGrid,
    rec: Recorder,
    stage_wall: dict[str, float],
    round_wall: float,
    node_ids: list[int],
    dropped: set[int],
    max_abs_err: float,
) -> dict[str, Any]:
    def mean(values: Any) -> float:
        values = list(values)
        return float(sum(values) / len(values)) if values else 0.0

    stages_out = []
    for stage in STAGES:
        times = grid.client_time[stage]
        n_clients = len(times)
        client_sub = {
            item: rec.sub_time[key] / max(n_clients, 1)
            for key in sorted(rec.sub_time)
            if key[0] == "client" and key[1] == stage
            for item in [key[2]]
        }
        client_calls = {
            key[2]: rec.sub_calls[key] / max(n_clients, 1)
            for key in sorted(rec.sub_calls)
            if key[0] == "client" and key[1] == stage
        }
        server_sub = {key[2]: rec.sub_time[key] for key in sorted(rec.sub_time) if key[0] == "server" and key[1] == stage}
        server_calls = {key[2]: rec.sub_calls[key] for key in sorted(rec.sub_calls) if key[0] == "server" and key[1] == stage}
        stages_out.append(
            {
                "stage": stage,
                "what": STAGE_LABELS[stage],
                "clients": n_clients,
                "client_mean_s": mean(times.values()),
                "client_max_s": max(times.values()) if times else 0.0,
                "client_breakdown_mean_s": client_sub,
                "client_calls_mean": client_calls,
                "server_s": stage_wall[stage] - grid.in_grid_time[stage],
                "server_breakdown_s": server_sub,
                "server_calls": server_calls,
                "transport_s": grid.transport_time[stage],
                "client_bytes_sent_mean": mean(grid.client_wire[stage].values()),
                "client_payload_bytes_mean": mean(grid.client_payload[stage].values()),
                "server_bytes_sent_per_client_mean": mean(grid.server_wire[stage].values()),
            }
        )

    survivors = [nid for nid in node_ids if nid not in dropped]
    per_client_total = [sum(grid.client_time[s].get(nid, 0.0) for s in STAGES) for nid in survivors]
    per_client_bytes = [sum(grid.client_wire[s].get(nid, 0) for s in STAGES) for nid in survivors]
    per_client_payload = [sum(grid.client_payload[s].get(nid, 0) for s in STAGES) for nid in survivors]
    return {
        "benchmark": "flower-secagg",
        "flwr_version": flwr.__version__,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "config": {
            "clients": args.clients,
            "dim": args.dim,
            "dropout": args.dropout,
            "graph": args.graph,
            "workflow": workflow_name,
            "num_shares": state.num_shares,
            "neighbours_excluding_self": state.num_shares - 1,
            "threshold": state.threshold,
            "dropped": len(dropped),
            "survivors": len(survivors),
            "max_weight": MAX_WEIGHT,
            "clipping_range": CLIPPING_RANGE,
            "quantization_range": QUANTIZATION_RANGE,
            "modulus_range": 2**32,
            "seed": args.seed,
        },
        "stages": stages_out,
        "totals": {
            "client_mean_s": mean(per_client_total),
            "client_max_s": max(per_client_total) if per_client_total else 0.0,
            "server_s": sum(s["server_s"] for s in stages_out),
            "transport_s": sum(s["transport_s"] for s in stages_out),
            "round_wall_s": round_wall,
            "client_bytes_sent_mean": mean(per_client_bytes),
            "client_payload_bytes_mean": mean(per_client_payload),
        },
        "check": {
            "result_equals_plain_sum_of_survivors": True,
            "max_abs_err_vs_mean": max_abs_err,
        },
    }


def print_human(res: dict[str, Any]) -> None:
    c = res["config"]
    print(
        f"Flower {res['flwr_version']} {c['workflow']} on Python {res['python']}, {res['cpus']} CPUs\n"
        f"n={c['clients']} d={c['dim']} graph={c['graph']} num_shares={c['num_shares']} "
        f"threshold={c['threshold']} dropped={c['dropped']} (after share exchange) survivors={c['survivors']}\n"
    )
    hdr = f"{'stage':<24}{'client mean s':>14}{'server s':>12}{'client sends B':>16}{'payload B':>12}{'transport s':>13}"
    print(hdr)
    print("-" * len(hdr))
    for s in res["stages"]:
        print(
            f"{s['stage']:<24}{s['client_mean_s']:>14.4f}{s['server_s']:>12.3f}"
            f"{s['client_bytes_sent_mean']:>16,.0f}{s['client_payload_bytes_mean']:>12,.0f}{s['transport_s']:>13.3f}"
        )
    t = res["totals"]
    print("-" * len(hdr))
    print(
        f"{'total':<24}{t['client_mean_s']:>14.4f}{t['server_s']:>12.3f}"
        f"{t['client_bytes_sent_mean']:>16,.0f}{t['client_payload_bytes_mean']:>12,.0f}{t['transport_s']:>13.3f}"
    )
    print(f"\nround wall time (all clients + server + in-process transport): {t['round_wall_s']:.2f} s")
    print("client total = mean over survivors of their four stages; client sends B = Flower's deflated objects")
    print("\nbreakdown (client: mean per client; server: total)")
    for s in res["stages"]:
        parts = [f"{k} {v:.4f}s" for k, v in s["client_breakdown_mean_s"].items()]
        if parts:
            print(f"  {s['stage']:<24} client: " + ", ".join(parts))
        parts = [f"{k} {v:.3f}s x{s['server_calls'][k]}" for k, v in s["server_breakdown_s"].items()]
        if parts:
            print(f"  {s['stage']:<24} server: " + ", ".join(parts))
    print(
        f"\ncheck: Flower's aggregate == plain sum of the {c['survivors']} survivors' vectors "
        f"(exact in the integer domain; max |err| of the mean {res['check']['max_abs_err_vs_mean']:.2e})"
    )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--clients", type=int, default=100)
    p.add_argument("--dim", type=int, default=100_000)
    p.add_argument("--dropout", type=float, default=0.1, help="fraction dropping out after the share exchange")
    p.add_argument("--graph", choices=("full", "sparse"), default="full")
    p.add_argument("--neighbours", type=int, default=15, help="sparse graph: Flower's num_shares (includes self)")
    p.add_argument(
        "--threshold",
        type=parse_threshold,
        default=0.5,
        help="Flower's reconstruction_threshold: fraction of num_shares (float) or count (int); default 0.5",
    )
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--quick", action="store_true", help="smoke test: n=20, d=10,000")
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    p.add_argument("--verbose", action="store_true", help="keep Flower's INFO logs")
    args = p.parse_args()
    if args.quick:
        args.clients, args.dim = 20, 10_000
    if not args.verbose:
        logging.getLogger("flwr").setLevel(logging.ERROR)

    res = run(args)
    if args.json:
        print(json.dumps(res, indent=2))
    else:
        print_human(res)


if __name__ == "__main__":
    main()
