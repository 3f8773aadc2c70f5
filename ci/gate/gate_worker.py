"""The worker process that runs cases, so that a crash or a hang fails one
case instead of the run, and the client that drives it (part of the
robustness gate, see gate.py)."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from gate_decl import ROOT, Declaration, load
from gate_judge import judge

GATE = Path(__file__).with_name("gate.py")

# --------------------------------------------------------------------------
# The worker process, and the client that drives it


def worker(module_name: str) -> None:
    import faulthandler
    import importlib
    import os

    proto = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)  # what the module prints goes to stderr, not into the protocol
    faulthandler.enable()
    import numpy as np

    module = importlib.import_module(module_name)
    decls: dict[str, Declaration] = {}
    for line in sys.stdin:
        req = json.loads(line)
        if req["listing"] not in decls:
            decls[req["listing"]] = load(ROOT / req["listing"])
        f = decls[req["listing"]].functions[req["function"]]
        print(f"--- {req['function']} {req['case']}", file=sys.stderr, flush=True)
        try:
            ok, detail = judge(np, module, f, req["case"])
        except Exception:  # noqa: BLE001 - a harness error fails the case
            import traceback

            ok, detail = False, "the gate itself failed:\n" + traceback.format_exc()
        proto.write(json.dumps({"ok": ok, "detail": detail}) + "\n")
        proto.flush()


class Worker:
    """A Python process that imports one module and runs cases on request."""

    def __init__(self, module, env=None, timeout=30.0):
        self.module = module
        self.env = env
        self.timeout = timeout
        self.proc = None

    def start(self):
        import queue
        import threading

        self.err = tempfile.TemporaryFile(mode="w+")
        self.proc = subprocess.Popen(
            [sys.executable, str(GATE), "worker", self.module],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.err, text=True,
            env=self.env,
        )
        # A thread reads the answers, so that waiting for one can time out
        # on every platform (select() on a pipe does not work on Windows).
        self.answers = queue.Queue()
        out = self.proc.stdout

        def read():
            for line in out:
                self.answers.put(line)
            self.answers.put("")  # the process ended

        threading.Thread(target=read, daemon=True).start()

    def stderr_tail(self, lines=25):
        self.err.seek(0)
        return "".join(self.err.readlines()[-lines:])

    def run(self, listing, function, case):
        if self.proc is None or self.proc.poll() is not None:
            self.start()
        self.err.seek(0)
        self.err.truncate()
        req = {"listing": listing, "function": function, "case": case}
        self.proc.stdin.write(json.dumps(req) + "\n")
        self.proc.stdin.flush()
        import queue

        try:
            line = self.answers.get(timeout=self.timeout)
        except queue.Empty:
            self.proc.kill()
            self.proc.wait()
            return False, f"HANG: no answer in {self.timeout:.0f} s\n{self.stderr_tail()}"
        if not line:
            code = self.proc.wait()
            if code < 0:
                how = f"signal {signal.Signals(-code).name}"
            else:  # Windows reports a crash as a status like 0xC0000005
                how = f"exit status {code}" + (f" ({code:#x})" if code > 255 else "")
            return False, f"CRASH: the process died ({how})\n{self.stderr_tail()}"
        answer = json.loads(line)
        return answer["ok"], answer["detail"]

    def close(self):
        if self.proc and self.proc.poll() is None:
            self.proc.stdin.close()
            self.proc.wait(timeout=30)
