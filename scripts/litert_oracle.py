#!/usr/bin/env python3
"""Runs .tflite files with LiteRT and compares every layer's int8 output
with what pocketgan's own kernels computed on the same inputs.

Called by `litert-oracle` (tests/src/bin/litert-oracle.rs), which writes one
folder per model:

    CASE/model.tflite
    CASE/manifest.json   {"inputs": N, "input_len": L,
                          "tensors": [{"name": "layer0", "len": K,
                                       "op": "FULLY_CONNECTED"}, ...]}
    CASE/inputs.bin      N x L int8
    CASE/<name>.bin      N x K int8, pocketgan's output for tensor <name>

LiteRT runs with its reference kernels (OpResolverType.BUILTIN_REF: the
plain C++ kernels, no XNNPACK), every intermediate tensor preserved. For the
docs, the same inputs also go through the default resolver (BUILTIN:
optimized kernels and XNNPACK), and the elements where it differs from the
reference are counted per op, twice: end to end (differences upstream
propagate), and in isolation (only inputs for which the op's input tensor
was identical under both resolvers).

Prints one JSON object on stdout; exits 1 if any reference output differs.
"""
import json
import sys
from pathlib import Path

import numpy as np
from ai_edge_litert.interpreter import Interpreter, OpResolverType


def interpreter(model: bytes, resolver) -> Interpreter:
    it = Interpreter(model_content=model, experimental_op_resolver_type=resolver,
                     experimental_preserve_all_tensors=True, num_threads=1)
    it.allocate_tensors()
    return it


def run_case(case: Path) -> dict:
    manifest = json.loads((case / "manifest.json").read_text())
    model = (case / "model.tflite").read_bytes()
    n, input_len = manifest["inputs"], manifest["input_len"]
    inputs = np.fromfile(case / "inputs.bin", dtype=np.int8).reshape(n, input_len)
    ref = interpreter(model, OpResolverType.BUILTIN_REF)
    default = interpreter(model, OpResolverType.BUILTIN)
    index = {d["name"]: d["index"] for d in ref.get_tensor_details()}
    (input_detail,) = ref.get_input_details()
    result = {"case": case.name, "inputs": n, "tensors": [], "mismatches": 0, "compared": 0}
    outputs = {t["name"]: [] for t in manifest["tensors"]}
    default_outputs = {t["name"]: [] for t in manifest["tensors"]}
    for k in range(n):
        x = inputs[k].reshape(input_detail["shape"])
        for it, store in ((ref, outputs), (default, default_outputs)):
            it.set_tensor(input_detail["index"], x)
            it.invoke()
            for t in manifest["tensors"]:
                store[t["name"]].append(it.get_tensor(index[t["name"]]).reshape(-1).copy())
    previous = None
    for t in manifest["tensors"]:
        name, length = t["name"], t["len"]
        expected = np.fromfile(case / f"{name}.bin", dtype=np.int8).reshape(n, length)
        got = np.stack(outputs[name]).astype(np.int8)
        other = np.stack(default_outputs[name]).astype(np.int8)
        differ = int(np.count_nonzero(got != expected))
        # Inputs whose op input was the same under both resolvers.
        if previous is None:
            same_input = np.ones(n, dtype=bool)
        else:
            same_input = np.all(np.stack(outputs[previous]) == np.stack(default_outputs[previous]), axis=1)
        isolated = (other != got)[same_input]
        entry = {"name": name, "op": t.get("op", "?"), "elements": int(expected.size), "differ": differ,
                 "default_resolver_differs": int(np.count_nonzero(other != got)),
                 "default_resolver_max_abs": int(np.max(np.abs(other.astype(np.int32) - got.astype(np.int32)), initial=0)),
                 "isolated_elements": int(isolated.size), "isolated_differs": int(np.count_nonzero(isolated))}
        if differ:
            where = np.argwhere(got != expected)[:5]
            entry["first"] = [{"input": int(i), "element": int(j), "litert": int(got[i, j]),
                               "pocketgan": int(expected[i, j])} for i, j in where]
        result["tensors"].append(entry)
        result["mismatches"] += differ
        result["compared"] += int(expected.size)
        previous = name
    return result


def main() -> int:
    root = Path(sys.argv[1])
    cases = sorted(p for p in root.iterdir() if (p / "manifest.json").exists())
    if not cases:
        print(json.dumps({"error": f"no cases under {root}"}))
        return 1
    results = [run_case(c) for c in cases]
    print(json.dumps({"cases": results}))
    return 1 if any(r["mismatches"] for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
