"""The gate's worker: the kit's child process (npkit.Worker), addressed by
listing and function name (part of the robustness gate, see gate.py)."""

from __future__ import annotations

from gate_decl import ROOT, Declaration, load
from npkit import Worker as KitWorker
from npkit import serve


def worker(module_name: str) -> None:
    """`gate.py worker MODULE`: the kit's child process, serving cases on stdin."""
    serve(module_name)


class Worker:
    """Runs cases of one module in a child process; `run(listing, function,
    case)` reads the listing's gate.toml once."""

    def __init__(self, module, env=None, timeout=30.0):
        self.kit = KitWorker(module, env=env, timeout=timeout)
        self.decls: dict[str, Declaration] = {}

    def run(self, listing, function, case):
        if listing not in self.decls:
            self.decls[listing] = load(ROOT / listing)  # an absolute path stays itself
        return self.kit.run(self.decls[listing].functions[function], case)

    def close(self):
        self.kit.close()
