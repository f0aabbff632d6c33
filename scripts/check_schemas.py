#!/usr/bin/env python3
"""Validates what Phalanx actually writes against the JSON Schemas in docs/schemas/.

Usage: check_schemas.py REPORT.json ARTIFACTS_DIR [VECTORS.json]

  * the demo report against demo-report.schema.json;
  * manifest.json against manifest.schema.json;
  * every line of frames.jsonl, commands.jsonl and acks.jsonl against signed-envelope.schema.json, and the
    envelope's payload, decoded with the independent Python CBOR decoder, against the schema of its type;
  * the `object` of every signing vector against the schema of its payloadType.
Exits 1 with the file, line and JSON path of the first violation.
"""

import base64
import json
import os
import sys

from jsonschema import Draft202012Validator
from referencing import Registry, Resource

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "interop"))
import phalanx_verify  # noqa: E402  (the independent decoder)

SCHEMAS = os.path.join(HERE, "..", "docs", "schemas")
PAYLOAD_SCHEMAS = {
    "phalanx.telemetry-frame.v1": "telemetry-frame.schema.json",
    "phalanx.command.v1": "command.schema.json",
    "phalanx.ack.v1": "ack.schema.json",
}


def load_registry():
    resources = []
    for name in os.listdir(SCHEMAS):
        if name.endswith(".schema.json"):
            with open(os.path.join(SCHEMAS, name)) as f:
                schema = json.load(f)
            resources.append((schema["$id"], Resource.from_contents(schema)))
    return Registry().with_resources(resources)


REGISTRY = load_registry()


def validator(name):
    with open(os.path.join(SCHEMAS, name)) as f:
        schema = json.load(f)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, registry=REGISTRY)


def check(name, instance, where):
    errors = sorted(validator(name).iter_errors(instance), key=lambda e: list(e.absolute_path))
    if errors:
        e = errors[0]
        path = "$" + "".join("[%d]" % p if isinstance(p, int) else ".%s" % p for p in e.absolute_path)
        sys.exit("%s: at %s: %s (schema %s)" % (where, path, e.message, name))


def json_view(value):
    """The JSON view of a decoded canonical value: bytes become base64, as in Phalanx's JSON."""
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    if isinstance(value, list):
        return [json_view(v) for v in value]
    if isinstance(value, dict):
        return {k: json_view(v) for k, v in value.items()}
    return value


def check_envelopes(path):
    count = 0
    with open(path) as f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            where = "%s:%d" % (path, number)
            envelope = json.loads(line)
            check("signed-envelope.schema.json", envelope, where)
            payload = phalanx_verify.decode(base64.b64decode(envelope["payload"]))
            check(PAYLOAD_SCHEMAS[envelope["payloadType"]], json_view(payload), where + " (payload)")
            count += 1
    return count


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    report, artifacts = sys.argv[1], sys.argv[2]
    with open(report) as f:
        check("demo-report.schema.json", json.load(f), report)
    with open(os.path.join(artifacts, "manifest.json")) as f:
        check("manifest.schema.json", json.load(f), "manifest.json")
    counts = {name: check_envelopes(os.path.join(artifacts, name)) for name in ("frames.jsonl", "commands.jsonl", "acks.jsonl")}
    if len(sys.argv) == 4:
        with open(sys.argv[3]) as f:
            for i, vector in enumerate(json.load(f)["vectors"]):
                check(PAYLOAD_SCHEMAS[vector["payloadType"]], vector["object"], "%s: vector %d" % (sys.argv[3], i))
    print("schemas ok: report, manifest, %s" % ", ".join("%d %s" % (n, k) for k, n in counts.items()))


if __name__ == "__main__":
    main()
