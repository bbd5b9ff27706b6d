"""The ``command`` kind of objective: a training program run once per candidate, as Katib's and
NNI's trial commands are. It needs to know nothing of gaweb.

The worker's configuration (``GAWEB_OBJECTIVES_FILE``) names the program and its arguments;
``{genome}`` in them is replaced by the path of a JSON file holding the genome. The program
also finds in its environment:

- ``GAWEB_GENOME``: that path;
- ``GAWEB_EPOCHS``: the search's ``training.epochs``;
- ``GAWEB_SEED``: a seed for this candidate's training (the same genome in the same search gets
  the same one; a confirmation another);
- ``GAWEB_ENTITY``: the candidate's number in gaweb;
- ``GAWEB_IMAGE_SHARES``, only where successive halving's resource is ``images`` or ``both``: the
  share of its training data each epoch should train on, comma-separated (``0.1111,0.3333,1``),
  the first that many of a fixed order, going on from the last epoch's weights.

A command whose configuration says ``trains_final = true`` can be trained at last ("Train the
best on all data"): gaweb runs it once more for each of the search's best with ``GAWEB_FINAL=1``
and ``GAWEB_MODEL_DIR`` (an empty folder). It trains on all its training data, writes its model
there as one file (any format: gaweb keeps the bytes and offers them as the search's best model)
and prints as its result its measure on its own held-out test data: ``{"test_accuracy": 0.9}``
(for a metric ``val_X``, the key ``test_X``; the metric's own key is taken where that is missing).

It prints JSON lines on its standard output: ``{"epoch": 1, "val_accuracy": 0.61}`` after each
epoch (the live curve, and the search's early-stopping rule), and last its result,
``{"val_accuracy": 0.74}`` (the objective's ``metric``; a ``parameter_count`` may come with it).
Other lines are its log. Every line, and its standard error, goes to the worker's log, under
the candidate's number.

Its whole process group is killed when the stopping rule stops it (the last reported value is
then its fitness), when its search is cancelled (the candidate then ends as cancelled, with no
result) or its candidate given to another worker, past its ``timeout_seconds``, and if the
worker's training process itself is stopped. The worker's heartbeat notices a cancel, within
``GAWEB_HEARTBEAT_SECONDS``. A program that
cannot start, exits with an error, prints no result or a last line that is not JSON fails that
candidate, with the last lines of its standard error as the reason.
"""

from __future__ import annotations

import collections
import contextlib
import json
import logging
import os
import queue
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .base import CandidateCancelled, CandidateFailed, EvaluationRequest, EvaluationResult, FinalResult
from .function import DEFAULT_METRIC, DIRECTIONS, final_measure, held_out_key, number

log = logging.getLogger("gaweb.workers.command")

# How often the worker looks at the candidate while the program is quiet (cancel, timeout).
POLL_SECONDS = 0.25
# How long a program has to end after SIGTERM before its group gets SIGKILL.
TERM_GRACE_SECONDS = 5.0
STDERR_LINES_KEPT = 20


class CommandObjective:
    """Runs ``argv`` for each candidate (see the module's docstring)."""

    def __init__(
        self,
        argv: Sequence[str],
        *,
        metric: str = DEFAULT_METRIC,
        direction: str = "maximize",
        timeout_seconds: float | None = None,
        cwd: str | Path | None = None,
        description: str = "",
        traits: Sequence[str] | None = None,
        trains_final: bool = False,
    ):
        if not argv or not all(isinstance(part, str) and part for part in argv):
            raise ValueError("a command is a list of non-empty strings: the program, then its arguments")
        if direction not in DIRECTIONS:
            raise ValueError(f"direction must be maximize or minimize, not {direction!r}")
        self.argv, self.metric, self.timeout_seconds, self.cwd = list(argv), metric, timeout_seconds, cwd
        self.sign = DIRECTIONS[direction]
        self.description, self.traits = description, list(traits) if traits is not None else None
        self.trains_final = trains_final

    def evaluate(self, request: EvaluationRequest) -> EvaluationResult:
        with tempfile.TemporaryDirectory(prefix="gaweb-candidate-") as folder:
            genome_path = Path(folder) / "genome.json"
            genome_path.write_text(json.dumps(dict(request.genome)))
            run = self._run(request, genome_path, {})
        if run.stopped:
            fitness, parameters = self.sign * run.history[-1][self.metric], 0
        else:
            result = self._result(run)
            fitness = self.sign * number(result[self.metric], f"the result's {self.metric!r}")
            parameters = int(number(result.get("parameter_count", 0), "parameter_count"))
        return EvaluationResult(
            accuracy=fitness, parameter_count=parameters, train_seconds=run.seconds, history=run.history,
            timings={"fit": run.seconds}, stopped=run.stopped,
        )  # fmt: skip

    def train_final(self, request: EvaluationRequest) -> FinalResult:
        if not self.trains_final:
            raise CandidateFailed("this command cannot be trained at last: its configuration lacks trains_final = true")
        with tempfile.TemporaryDirectory(prefix="gaweb-final-") as folder:
            genome_path, model_dir = Path(folder) / "genome.json", Path(folder) / "model"
            genome_path.write_text(json.dumps(dict(request.genome)))
            model_dir.mkdir()
            run = self._run(request, genome_path, {"GAWEB_FINAL": "1", "GAWEB_MODEL_DIR": str(model_dir)})
            if run.stopped:
                raise CandidateFailed("a final training was stopped: it has no measure on held-out data")
            result = self._result(run, key=held_out_key(self.metric))
            saved = [file for file in model_dir.rglob("*") if file.is_file()]
            if len(saved) > 1:
                names = ", ".join(sorted(str(file.relative_to(model_dir)) for file in saved)[:5])
                raise CandidateFailed(f"GAWEB_MODEL_DIR holds {len(saved)} files ({names}): save the model as one file")
            name, data = (saved[0].name, saved[0].read_bytes()) if saved else ("", b"")
        test, test_loss = final_measure(result, self.metric, self.sign)
        return FinalResult(
            test_accuracy=test, test_loss=test_loss, train_seconds=run.seconds, model=data, model_filename=name,
            parameter_count=int(number(result.get("parameter_count", 0), "parameter_count")), history=run.history,
            timings={"fit": run.seconds},
        )  # fmt: skip

    def _run(self, request: EvaluationRequest, genome_path: Path, extra_env: Mapping[str, str]) -> _Run:
        argv = [part.replace("{genome}", str(genome_path)) for part in self.argv]
        env = {
            **os.environ,
            "GAWEB_GENOME": str(genome_path),
            "GAWEB_EPOCHS": str(
                request.settings.final_epochs if "GAWEB_FINAL" in extra_env else request.training.epochs
            ),
            "GAWEB_SEED": str(request.training_seed),
            "GAWEB_ENTITY": str(request.entity_id),
            **_image_shares(request, final="GAWEB_FINAL" in extra_env),
            **extra_env,
        }
        started = time.perf_counter()
        try:
            process = subprocess.Popen(
                argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True,
                env=env, cwd=self.cwd, start_new_session=True,  # its own process group, killed as one
            )  # fmt: skip
        except OSError as error:
            raise CandidateFailed(f"cannot run {argv[0]!r}: {error.strerror or error}") from error
        lines: queue.Queue[str | None] = queue.Queue()
        errors: collections.deque[str] = collections.deque(maxlen=STDERR_LINES_KEPT)
        readers = [
            threading.Thread(target=_read, args=(process.stdout, lines.put, lambda: lines.put(None)), daemon=True),
            threading.Thread(target=_read, args=(process.stderr, lambda line: _log_error(request, line, errors), None)),
        ]
        for reader in readers:
            reader.start()
        history: list[dict[str, Any]] = []
        last: str | None = None
        stopped = False
        try:
            while True:
                try:
                    line = lines.get(timeout=POLL_SECONDS)
                except queue.Empty:
                    self._check(request, started)
                    continue
                if line is None:
                    break
                log.info("entity #%s: %s", request.entity_id, line.rstrip()[:1000])
                if not line.strip():
                    continue
                last = line
                row = _json_object(line)
                if row is not None and "epoch" in row:
                    # A final training trains on all its data: its epochs need not have the validation metric.
                    history.append(self._report(row, required="GAWEB_FINAL" not in extra_env))
                    report = history[-1]
                    go_on = self.metric not in report or request.go_on(
                        report["epoch"], {**report, "val_accuracy": self.sign * report[self.metric]}
                    )
                    # A stop at the last epoch (training.epochs) would change nothing: it ends as trained.
                    if not go_on and report["epoch"] < int(env["GAWEB_EPOCHS"]):
                        stopped = True
                        break
                self._check(request, started)
        finally:
            _end(process)
        for reader in readers:
            reader.join(timeout=TERM_GRACE_SECONDS)
        return _Run(process.returncode, last, list(errors), history, stopped, time.perf_counter() - started)

    def _check(self, request: EvaluationRequest, started: float) -> None:
        if request.cancelled():
            raise CandidateCancelled("cancelled in training: the search was cancelled, and its program stopped")
        if request.abandoned():
            raise CandidateFailed("its candidate is no longer this worker's (cancelled, or given to another)")
        if self.timeout_seconds is not None and time.perf_counter() - started > self.timeout_seconds:
            raise CandidateFailed(f"took longer than its timeout of {self.timeout_seconds:g} s (timeout_seconds)")

    def _report(self, row: Mapping[str, Any], *, required: bool = True) -> dict[str, Any]:
        epoch = row["epoch"]
        if isinstance(epoch, bool) or not isinstance(epoch, int) or epoch < 1:
            raise CandidateFailed(f"a report's epoch must be a whole number from 1, not {epoch!r}")
        if required and self.metric not in row:
            raise CandidateFailed(f"the report of epoch {epoch} has no {self.metric!r}: {json.dumps(row)[:200]}")
        values = {name: number(value, f"epoch {epoch}: {name}") for name, value in row.items() if name != "epoch"}
        return {"epoch": epoch, **values}

    def _result(self, run: _Run, *, key: str | None = None) -> dict[str, Any]:
        """The program's last line as a JSON object holding ``key`` (else the metric)."""
        said = "; its last lines of standard error:\n" + "".join(run.errors) if run.errors else " (no standard error)"
        if run.returncode != 0:
            code = run.returncode
            how = f"was killed by signal {-code}" if code < 0 else f"exited with status {code}"
            raise CandidateFailed(f"the command {how}{said}")
        if run.last is None:
            raise CandidateFailed(f"the command printed no result (a last line such as {{{self.metric!r}: 0.9}})")
        result = _json_object(run.last)
        if result is None:
            raise CandidateFailed(f"the command's last line is not a JSON object: {run.last.strip()[:200]!r}")
        if self.metric not in result and (key is None or key not in result):
            raise CandidateFailed(f"the command's result has no {key or self.metric!r}: {run.last.strip()[:200]}")
        return result


@dataclass(frozen=True)
class _Run:
    """How one run of the program went."""

    returncode: int
    last: str | None  # its last non-empty line on standard output
    errors: list[str]  # its last lines of standard error
    history: list[dict[str, Any]]
    stopped: bool  # by the search's early-stopping rule
    seconds: float


def _json_object(line: str) -> dict[str, Any] | None:
    try:
        value = json.loads(line)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _read(stream, handle, done) -> None:
    try:
        for line in stream:
            handle(line)
    finally:
        if done is not None:
            done()


def _log_error(request: EvaluationRequest, line: str, kept: collections.deque) -> None:
    kept.append(line)
    log.info("entity #%s (stderr): %s", request.entity_id, line.rstrip()[:1000])


def _end(process: subprocess.Popen) -> None:
    """The program's whole process group ends: SIGTERM, then SIGKILL after a grace period."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=TERM_GRACE_SECONDS)
    # Its children too, even when the program itself has ended (a training script's data loaders).
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def _image_shares(request: EvaluationRequest, *, final: bool) -> dict[str, str]:
    shares = None if final else request.image_shares
    return {} if shares is None else {"GAWEB_IMAGE_SHARES": ",".join(f"{share:.4g}" for share in shares)}
