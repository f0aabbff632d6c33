#!/usr/bin/env python3
"""Generates the reference values PhalanxDP's privacy accountants are tested against.

The values come from Google's dp-accounting 0.6.0 (https://pypi.org/project/dp-accounting/0.6.0/), with the
add-or-remove-one neighbouring relation, and are written to
Tests/PhalanxDPTests/Vectors/dp-accounting-0.6.0.json together with the package versions and the exact
parameters of every case. The Swift tests (Tests/PhalanxDPTests/Accountant*.swift) read that file; this script
is only needed to regenerate it.

Install (in a virtual environment outside the repository) and run from the repository root:

    python3 -m venv /opt/dp-venv
    /opt/dp-venv/bin/pip install dp-accounting==0.6.0 numpy==2.4.6 scipy==1.17.1
    /opt/dp-venv/bin/python scripts/dp/generate_oracles.py            # writes the JSON file
    /opt/dp-venv/bin/python scripts/dp/generate_oracles.py --check    # fails if the file is out of date

The script takes about ten seconds. Families of cases:

- "rdp":         RdpAccountant (default orders): epsilon and best order for a delta, or delta for an epsilon.
- "pld":         PLDAccountant (pessimistic connect-the-dots, tail truncation 1e-15): epsilon for a delta, or
                 delta for an epsilon, at the value_discretization_interval given in the case.
- "analytic":    get_epsilon_gaussian / get_sigma_gaussian (Balle & Wang 2018), tol 1e-12.
- "calibration": mechanism_calibration.calibrate_dp_mechanism with the tolerance given in the case.

Events are JSON trees: {"kind": "gaussian", "noiseMultiplier": z}, {"kind": "laplace", "noiseMultiplier": b},
{"kind": "poissonSampledGaussian", "samplingRate": q, "noiseMultiplier": z},
{"kind": "poissonSampledLaplace", "samplingRate": q, "noiseMultiplier": b},
{"kind": "composed", "events": [...]}, {"kind": "selfComposed", "count": n, "event": {...}}.
"""

import argparse
import importlib.metadata
import json
import math
import pathlib
import platform
import sys

import dp_accounting
import numpy
import scipy
from dp_accounting import dp_event
from dp_accounting import mechanism_calibration
from dp_accounting.pld import pld_privacy_accountant
from dp_accounting.rdp import rdp_privacy_accountant

REPO = pathlib.Path(__file__).resolve().parents[2]
OUTPUT = REPO / "Tests" / "PhalanxDPTests" / "Vectors" / "dp-accounting-0.6.0.json"
ADD_OR_REMOVE_ONE = dp_accounting.NeighboringRelation.ADD_OR_REMOVE_ONE


# Event descriptions ----------------------------------------------------------------------------------------------

def gaussian(z):
    return {"kind": "gaussian", "noiseMultiplier": z}


def laplace(b):
    return {"kind": "laplace", "noiseMultiplier": b}


def sampled_gaussian(q, z):
    return {"kind": "poissonSampledGaussian", "samplingRate": q, "noiseMultiplier": z}


def sampled_laplace(q, b):
    return {"kind": "poissonSampledLaplace", "samplingRate": q, "noiseMultiplier": b}


def composed(*events):
    return {"kind": "composed", "events": list(events)}


def times(n, event):
    return {"kind": "selfComposed", "count": n, "event": event}


def to_dp_event(description):
    kind = description["kind"]
    if kind == "gaussian":
        return dp_event.GaussianDpEvent(description["noiseMultiplier"])
    if kind == "laplace":
        return dp_event.LaplaceDpEvent(description["noiseMultiplier"])
    if kind == "poissonSampledGaussian":
        return dp_event.PoissonSampledDpEvent(
            description["samplingRate"], dp_event.GaussianDpEvent(description["noiseMultiplier"]))
    if kind == "poissonSampledLaplace":
        return dp_event.PoissonSampledDpEvent(
            description["samplingRate"], dp_event.LaplaceDpEvent(description["noiseMultiplier"]))
    if kind == "composed":
        return dp_event.ComposedDpEvent([to_dp_event(e) for e in description["events"]])
    if kind == "selfComposed":
        return dp_event.SelfComposedDpEvent(to_dp_event(description["event"]), description["count"])
    raise ValueError(f"unknown event kind {kind}")


def mechanism_event(mechanism, sampling_rate, steps):
    """The event calibrate_dp_mechanism searches over, as PhalanxDP's NoiseCalibration.Mechanism builds it."""

    def make(z):
        if mechanism == "gaussian":
            inner = dp_event.GaussianDpEvent(z) if sampling_rate == 1 else dp_event.PoissonSampledDpEvent(
                sampling_rate, dp_event.GaussianDpEvent(z))
        else:
            inner = dp_event.LaplaceDpEvent(z) if sampling_rate == 1 else dp_event.PoissonSampledDpEvent(
                sampling_rate, dp_event.LaplaceDpEvent(z))
        return dp_event.SelfComposedDpEvent(inner, steps)

    return make


# Accountants -----------------------------------------------------------------------------------------------------

def rdp_accountant(event):
    accountant = rdp_privacy_accountant.RdpAccountant(neighboring_relation=ADD_OR_REMOVE_ONE)
    accountant.compose(to_dp_event(event))
    return accountant


def pld_accountant(event, interval):
    accountant = pld_privacy_accountant.PLDAccountant(
        neighboring_relation=ADD_OR_REMOVE_ONE, value_discretization_interval=interval)
    accountant.compose(to_dp_event(event))
    return accountant


def rdp_epsilon(name, event, delta, note=""):
    epsilon, order = rdp_accountant(event).get_epsilon_and_optimal_order(delta)
    return {"id": name, "family": "rdp", "query": "epsilon", "event": event, "delta": delta,
            "expected": {"epsilon": float(epsilon), "order": float(order)}, "note": note}


def rdp_delta(name, event, epsilon, note=""):
    delta, order = rdp_accountant(event).get_delta_and_optimal_order(epsilon)
    return {"id": name, "family": "rdp", "query": "delta", "event": event, "epsilon": epsilon,
            "expected": {"delta": float(delta), "order": float(order)}, "note": note}


def pld_epsilon(name, event, delta, interval=1e-4, note=""):
    epsilon = pld_accountant(event, interval).get_epsilon(delta)
    return {"id": name, "family": "pld", "query": "epsilon", "event": event, "delta": delta,
            "valueDiscretizationInterval": interval, "expected": {"epsilon": float(epsilon)}, "note": note}


def pld_delta(name, event, epsilon, interval=1e-4, note=""):
    delta = pld_accountant(event, interval).get_delta(epsilon)
    return {"id": name, "family": "pld", "query": "delta", "event": event, "epsilon": epsilon,
            "valueDiscretizationInterval": interval, "expected": {"delta": float(delta)}, "note": note}


def analytic_epsilon(name, sigma, delta, note=""):
    return {"id": name, "family": "analytic", "query": "epsilon", "sigma": sigma, "delta": delta,
            "expected": {"epsilon": float(dp_accounting.get_epsilon_gaussian(sigma, delta))}, "note": note}


def analytic_sigma(name, epsilon, delta, note=""):
    return {"id": name, "family": "analytic", "query": "sigma", "epsilon": epsilon, "delta": delta,
            "expected": {"sigma": float(dp_accounting.get_sigma_gaussian(epsilon, delta))}, "note": note}


def calibration(name, accountant, mechanism, sampling_rate, steps, target_epsilon, delta, tolerance,
                interval=None, note=""):
    if accountant == "rdp":
        def fresh():
            return rdp_privacy_accountant.RdpAccountant(neighboring_relation=ADD_OR_REMOVE_ONE)
    else:
        def fresh():
            return pld_privacy_accountant.PLDAccountant(
                neighboring_relation=ADD_OR_REMOVE_ONE, value_discretization_interval=interval)
    # dp-accounting's default bracket starts at 0, where its RDP Laplace code divides by zero; start just above.
    bracket = mechanism_calibration.LowerEndpointAndGuess(0 if mechanism == "gaussian" else 1e-6, 1.0)
    z = mechanism_calibration.calibrate_dp_mechanism(
        fresh, mechanism_event(mechanism, sampling_rate, steps), target_epsilon, delta, bracket, tol=tolerance)
    achieved = fresh().compose(mechanism_event(mechanism, sampling_rate, steps)(z)).get_epsilon(delta)
    case = {"id": name, "family": "calibration", "query": "noiseMultiplier", "accountant": accountant,
            "mechanism": mechanism,
            "samplingRate": sampling_rate, "steps": steps, "targetEpsilon": target_epsilon, "delta": delta,
            "tolerance": tolerance, "expected": {"noiseMultiplier": float(z), "epsilon": float(achieved)},
            "note": note}
    if interval is not None:
        case["valueDiscretizationInterval"] = interval
    return case


# The cases -------------------------------------------------------------------------------------------------------

def cases():
    dp_sgd = times(1000, sampled_gaussian(0.01, 1.1))
    hundred_gaussians = times(100, gaussian(10.0))
    mixed = composed(times(500, sampled_gaussian(0.01, 1.1)), times(3, gaussian(5.0)), times(2, laplace(20.0)))
    return [
        # RDP --------------------------------------------------------------------------------------------------
        rdp_epsilon("rdp-dpsgd-q0.01-z1.1-1000", dp_sgd, 1e-5, "brief oracle: 1.711770, best order 9.6"),
        rdp_epsilon("rdp-gaussian-z10-x100", hundred_gaussians, 1e-6, "brief oracle: 5.221540"),
        rdp_epsilon("rdp-gaussian-z1", gaussian(1.0), 1e-5),
        rdp_epsilon("rdp-gaussian-z0.5-x10", times(10, gaussian(0.5)), 1e-5, "large epsilon"),
        rdp_epsilon("rdp-laplace-b1", laplace(1.0), 1e-5),
        rdp_epsilon("rdp-laplace-b10-x50", times(50, laplace(10.0)), 1e-6),
        rdp_epsilon("rdp-dpsgd-q0.001-z0.8-10000", times(10000, sampled_gaussian(0.001, 0.8)), 1e-6),
        rdp_epsilon("rdp-dpsgd-q0.1-z2-500", times(500, sampled_gaussian(0.1, 2.0)), 1e-5),
        rdp_epsilon("rdp-dpsgd-q0.05-z0.6-100", times(100, sampled_gaussian(0.05, 0.6)), 1e-5,
                    "small noise: long fractional-order series"),
        rdp_epsilon("rdp-dpsgd-q0.5-z3-20", times(20, sampled_gaussian(0.5, 3.0)), 1e-5),
        rdp_epsilon("rdp-sampled-q1-z2-x5", times(5, sampled_gaussian(1.0, 2.0)), 1e-5,
                    "sampling rate 1 is the Gaussian mechanism"),
        rdp_epsilon("rdp-heterogeneous", mixed, 1e-5),
        rdp_epsilon("rdp-nested", times(4, composed(times(50, sampled_gaussian(0.02, 1.3)), gaussian(20.0))), 1e-6,
                    "self-composition of a composition"),
        rdp_delta("rdp-delta-dpsgd-eps1", dp_sgd, 1.0),
        rdp_delta("rdp-delta-gaussian-z10-x100-eps4", hundred_gaussians, 4.0),
        rdp_delta("rdp-delta-laplace-b2-x10-eps3", times(10, laplace(2.0)), 3.0),
        # PLD --------------------------------------------------------------------------------------------------
        pld_epsilon("pld-dpsgd-q0.01-z1.1-1000", dp_sgd, 1e-5),
        pld_epsilon("pld-gaussian-z10-x100", hundred_gaussians, 1e-6, note="analytic value 4.886554"),
        pld_epsilon("pld-gaussian-z1", gaussian(1.0), 1e-5, note="analytic value 4.377178"),
        pld_epsilon("pld-laplace-b1", laplace(1.0), 1e-5),
        pld_epsilon("pld-laplace-b10-x50", times(50, laplace(10.0)), 1e-6),
        pld_epsilon("pld-dpsgd-q0.1-z2-100-coarse", times(100, sampled_gaussian(0.1, 2.0)), 1e-5, 1e-3),
        pld_epsilon("pld-heterogeneous", mixed, 1e-5),
        pld_epsilon("pld-sampled-laplace-q0.05-b2-200", times(200, sampled_laplace(0.05, 2.0)), 1e-6, 1e-3,
                    "PLD only: RDP does not support sampled Laplace"),
        pld_epsilon("pld-sparse-laplace-b5", laplace(5.0), 1e-6, 1e-2, "41-point PMF: the sparse code path"),
        pld_epsilon("pld-sparse-gaussian-z10-x3-coarse", times(3, gaussian(10.0)), 1e-6, 1e-2,
                    "coarse grid: sparse PMFs"),
        pld_epsilon("pld-sparse-laplace-b5-x2-fft", times(2, laplace(5.0)), 1e-6, 1e-2,
                    "41 squared > 1000: dense self-composition"),
        pld_delta("pld-delta-dpsgd-eps1", dp_sgd, 1.0),
        pld_delta("pld-delta-gaussian-z10-x100-eps4", hundred_gaussians, 4.0),
        pld_delta("pld-delta-laplace-b1-x10-eps5", times(10, laplace(1.0)), 5.0),
        # Analytic Gaussian ------------------------------------------------------------------------------------
        analytic_epsilon("analytic-epsilon-s1-d1e-5", 1.0, 1e-5, "brief oracle: 4.377178"),
        analytic_sigma("analytic-sigma-e1-d1e-5", 1.0, 1e-5, "brief oracle: 3.730632"),
        analytic_epsilon("analytic-epsilon-s1-d1e-6", 1.0, 1e-6, "brief oracle: 100 x sigma 10 = 4.886554"),
        analytic_epsilon("analytic-epsilon-s0.5-d1e-5", 0.5, 1e-5),
        analytic_epsilon("analytic-epsilon-s5-d1e-6", 5.0, 1e-6),
        analytic_epsilon("analytic-epsilon-s20-d1e-9", 20.0, 1e-9),
        analytic_sigma("analytic-sigma-e0.5-d1e-6", 0.5, 1e-6),
        analytic_sigma("analytic-sigma-e4-d1e-5", 4.0, 1e-5),
        analytic_sigma("analytic-sigma-e10-d1e-10", 10.0, 1e-10),
        # Calibration ------------------------------------------------------------------------------------------
        calibration("calibration-rdp-dpsgd-eps1", "rdp", "gaussian", 0.01, 1000, 1.0, 1e-5, 1e-9),
        calibration("calibration-rdp-gaussian-x100-eps2", "rdp", "gaussian", 1.0, 100, 2.0, 1e-6, 1e-9),
        calibration("calibration-rdp-laplace-x10-eps3", "rdp", "laplace", 1.0, 10, 3.0, 1e-6, 1e-9),
        calibration("calibration-pld-gaussian-x10-eps2", "pld", "gaussian", 1.0, 10, 2.0, 1e-5, 1e-9, 1e-3),
        calibration("calibration-pld-dpsgd-q0.1-x10-eps1", "pld", "gaussian", 0.1, 10, 1.0, 1e-5, 1e-7, 1e-2,
                    "coarse grid to keep the search fast"),
    ]


def document():
    return {
        "description": "Reference values of Google's dp-accounting for PhalanxDP's accountants "
                       "(scripts/dp/generate_oracles.py).",
        "package": "dp-accounting",
        "version": importlib.metadata.version("dp-accounting"),
        "numpy": numpy.__version__,
        "scipy": scipy.__version__,
        "python": platform.python_version(),
        "neighboringRelation": "ADD_OR_REMOVE_ONE",
        "defaults": {
            "rdpOrders": "dp-accounting DEFAULT_RDP_ORDERS",
            "pldTailMassTruncation": 1e-15,
            "pldLogMassTruncationBound": -50,
            "pldDiscretization": "pessimistic connect-the-dots",
            "analyticTolerance": 1e-12,
        },
        "cases": cases(),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=pathlib.Path, default=OUTPUT)
    parser.add_argument("--check", action="store_true", help="compare with the existing file instead of writing")
    arguments = parser.parse_args()
    version = importlib.metadata.version("dp-accounting")
    if version != "0.6.0":
        sys.exit(f"dp-accounting 0.6.0 is required, found {version}")
    text = json.dumps(document(), indent=1) + "\n"
    if arguments.check:
        existing = json.loads(arguments.output.read_text())
        fresh = json.loads(text)
        mismatches = [
            old["id"] for old, new in zip(existing["cases"], fresh["cases"])
            if any(not math.isclose(old["expected"][k], new["expected"][k], rel_tol=1e-12) for k in old["expected"])
        ]
        if mismatches or len(existing["cases"]) != len(fresh["cases"]):
            sys.exit(f"out of date: {mismatches or 'case count differs'}")
        print(f"{arguments.output} is up to date ({len(fresh['cases'])} cases)")
        return
    arguments.output.parent.mkdir(parents=True, exist_ok=True)
    arguments.output.write_text(text)
    print(f"wrote {len(json.loads(text)['cases'])} cases to {arguments.output}")


if __name__ == "__main__":
    main()
