"""Installs the Python packages the checks need (cryptography, jsonschema) if they are missing."""

import importlib
import subprocess
import sys

NEEDED = {"cryptography": "cryptography", "jsonschema": "jsonschema"}

missing = []
for module, package in NEEDED.items():
    try:
        importlib.import_module(module)
    except ImportError:
        missing.append(package)

if missing:
    print("installing from PyPI:", ", ".join(missing))
    subprocess.check_call([sys.executable, "-m", "pip", "install", "--quiet", *missing])
else:
    print("present:", ", ".join(NEEDED))
