"""The cluster of a multi-worker run: `TF_CONFIG`, which worker this is, and a checked meeting.

Every machine (worker) runs the same command with the same `TF_CONFIG` cluster and its own
`task.index`; worker 0 is the chief, the one that writes the results:

    TF_CONFIG='{"cluster": {"worker": ["host1:23456", "host2:23456"]}, "task": {"type": "worker", "index": 0}}'

Before TensorFlow connects the workers (it would wait without end for a worker that never comes,
and hang later if two workers were given different lists), `meet` makes each worker greet every
other one on its own address: it fails with a one-line error naming the address it waited for,
or the worker whose list differs. Plain Python: no TensorFlow.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import threading
import time
from dataclasses import dataclass

#: Seconds a worker waits for the others (`KERAS_VISION_WORKER_TIMEOUT` overrides it).
DEFAULT_TIMEOUT = 120.0
#: Seconds a worker keeps answering greetings after it has met every other worker.
LINGER_SECONDS = 3.0

_TF_CONFIG_EXAMPLE = (
    'TF_CONFIG=\'{"cluster": {"worker": ["host1:12345", "host2:12345"]}, "task": {"type": "worker", "index": 0}}\''
)


@dataclass(frozen=True)
class Cluster:
    """The workers of a run and which of them this process is.

    Attributes:
        workers: The `host:port` of every worker, in `TF_CONFIG` order.
        index: This worker's position in `workers`; 0 is the chief.
    """

    workers: tuple[str, ...]
    index: int

    @property
    def is_chief(self) -> bool:
        return self.index == 0

    @property
    def size(self) -> int:
        return len(self.workers)


def read_tf_config(environ=None) -> Cluster:
    """Reads and checks the `TF_CONFIG` environment variable that describes a cluster.

    Args:
        environ: The environment to read. Defaults to `os.environ`.

    Returns:
        The `Cluster`.

    Raises:
        ValueError: if `TF_CONFIG` is missing, not JSON, lacks the worker list or task, has an
            index out of range, or lists a worker twice or without a port.
    """
    raw = (os.environ if environ is None else environ).get("TF_CONFIG")
    if not raw:
        raise ValueError(
            "The 'multi_worker' strategy needs the TF_CONFIG environment variable, which lists the "
            f"machines of the cluster and this machine's index, e.g. {_TF_CONFIG_EXAMPLE}. "
            "On one machine, `python -m keras_vision.run launch --workers 2 EXPERIMENT ...` sets it for you."
        )
    try:
        config = json.loads(raw)
    except json.JSONDecodeError as error:
        raise ValueError(f"TF_CONFIG is not valid JSON ({error}). Expected e.g. {_TF_CONFIG_EXAMPLE}.") from None
    return _check_tf_config(config)


def _check_tf_config(config: object) -> Cluster:
    workers = config.get("cluster", {}).get("worker") if isinstance(config, dict) else None
    task = config.get("task") if isinstance(config, dict) else None
    if not isinstance(workers, list) or not workers:
        raise ValueError(
            f"TF_CONFIG must contain cluster.worker, a non-empty list of 'host:port'. "
            f"Received: {config!r}. Expected e.g. {_TF_CONFIG_EXAMPLE}."
        )
    bad = [w for w in workers if not isinstance(w, str) or not w.rpartition(":")[2].isdigit()]
    if bad:
        raise ValueError(f"TF_CONFIG cluster.worker entries must be 'host:port'. Received: {bad[0]!r}.")
    if len(set(workers)) != len(workers):
        raise ValueError(f"TF_CONFIG cluster.worker lists an address twice: {workers}. Give each worker its own.")
    if not isinstance(task, dict) or task.get("type") != "worker":
        raise ValueError(f"TF_CONFIG must contain task = {{'type': 'worker', 'index': i}}. Received: {config!r}.")
    index = task.get("index")
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(workers):
        raise ValueError(
            f"TF_CONFIG task.index must be an integer in [0, {len(workers) - 1}] (one per entry of "
            f"cluster.worker). Received: index={index!r}."
        )
    return Cluster(tuple(workers), index)


def worker_timeout(environ=None) -> float:
    """Seconds to wait for the other workers: `KERAS_VISION_WORKER_TIMEOUT`, else `DEFAULT_TIMEOUT`."""
    raw = (os.environ if environ is None else environ).get("KERAS_VISION_WORKER_TIMEOUT", "")
    try:
        seconds = float(raw) if raw else DEFAULT_TIMEOUT
    except ValueError:
        seconds = -1.0
    if not seconds > 0:
        raise ValueError(f"KERAS_VISION_WORKER_TIMEOUT must be a positive number of seconds. Received: {raw!r}.")
    return seconds


def meet(cluster: Cluster, *, timeout: float | None = None) -> None:
    """Waits until every other worker is up and checks that all were given the same worker list.

    This worker listens on its own address and sends `{index, workers}` to each other worker's
    address until it is answered; it returns once it has both reached every other worker and
    been reached by every one. The port is released afterwards, for TensorFlow to take.

    Args:
        cluster: This worker's view of the cluster (`read_tf_config()`).
        timeout: Seconds to wait in all. Defaults to `worker_timeout()`.

    Raises:
        ConnectionError: a worker did not answer in time (names its index and address), or this
            worker's own address cannot be listened on.
        ValueError: another worker's `TF_CONFIG` lists other workers, or claims this index.
    """
    if cluster.size == 1:
        return
    timeout = worker_timeout() if timeout is None else timeout
    deadline = time.monotonic() + timeout
    hello = json.dumps({"index": cluster.index, "workers": list(cluster.workers)}).encode() + b"\n"
    others = [i for i in range(cluster.size) if i != cluster.index]
    with _listen(cluster) as server:
        # Answering runs beside greeting: two workers greeting each other at the same moment would
        # otherwise each wait for an answer the other cannot give until its own greeting ends.
        answering = _Answering(server, cluster)
        answering.start()
        try:
            reached: set[int] = set()
            while not (len(reached) == len(others) and answering.heard.issuperset(others)):
                answering.raise_problem()
                if time.monotonic() > deadline:
                    missing = next(i for i in others if i not in reached or i not in answering.heard)
                    raise ConnectionError(
                        f"Worker {cluster.index} waited {timeout:.0f} s for worker {missing} at "
                        f"{cluster.workers[missing]}, which did not answer. Start every worker with the same "
                        "TF_CONFIG cluster (its own task.index), check that this address is reachable from here "
                        "(host, port, firewall), or wait longer with KERAS_VISION_WORKER_TIMEOUT=SECONDS."
                    )
                for i in others:
                    if i not in reached and _greet(cluster.workers[i], hello):
                        reached.add(i)
                if len(reached) == len(others):
                    time.sleep(0.05)  # reached everyone: wait to be reached
            # A worker whose greeting we answered may not have read the answer yet (it timed out, busy):
            # keep answering a while, so that it does not wait for us in vain.
            time.sleep(LINGER_SECONDS)
        finally:
            answering.stop()
        answering.raise_problem()


class _Answering(threading.Thread):
    """Answers the greetings that reach `server` until stopped; `heard` holds the greeters' indexes."""

    def __init__(self, server: socket.socket, cluster: Cluster):
        super().__init__(name=f"keras_vision-meet-{cluster.index}", daemon=True)
        self.server, self.cluster = server, cluster
        self.heard: set[int] = set()
        self.problem: ValueError | None = None
        self._stopping = threading.Event()

    def run(self) -> None:
        while not self._stopping.is_set():
            try:
                _answer(self.server, self.cluster, self.heard)
            except ValueError as problem:  # a worker with another cluster: stop, the meeting fails
                self.problem = problem
                return

    def stop(self) -> None:
        self._stopping.set()
        self.join()

    def raise_problem(self) -> None:
        if self.problem is not None:
            raise self.problem


class _listen:
    """A listening socket on this worker's own port (all interfaces), closed on exit."""

    def __init__(self, cluster: Cluster):
        self.port = int(cluster.workers[cluster.index].rpartition(":")[2])
        self.address = cluster.workers[cluster.index]

    def __enter__(self) -> socket.socket:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            self.sock.bind(("", self.port))
        except OSError as error:
            self.sock.close()
            raise ConnectionError(
                f"This worker cannot listen on its address {self.address} ({error.strerror}): another program "
                "holds that port. Choose a free port for it in TF_CONFIG."
            ) from None
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        return self.sock

    def __exit__(self, *exc):
        self.sock.close()


def _greet(address: str, hello: bytes) -> bool:
    """Sends `hello` to the worker at `address`; True once it has read it (it closes first)."""
    host, _, port = address.rpartition(":")
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=5.0) as sock:
            sock.sendall(hello)
            answer = sock.makefile("rb").readline()
    except OSError:
        time.sleep(0.2)
        return False
    if answer.startswith(b"no "):  # the other worker found our TF_CONFIGs differ: say so here too
        raise ValueError(answer[3:].decode(errors="replace").strip())
    if answer.startswith(b"ok"):
        return True
    time.sleep(0.2)
    return False


def _answer(server: socket.socket, cluster: Cluster, heard: set[int]) -> None:
    """Answers the greetings waiting on `server`, adding the greeters' indexes to `heard`."""
    while True:
        try:
            conn, _ = server.accept()
        except (TimeoutError, BlockingIOError):
            return
        with conn:
            conn.settimeout(5.0)
            try:
                data = conn.makefile("rb").readline()
                peer = json.loads(data)
            except (OSError, ValueError):
                continue  # not a worker (a port scan, a half-open connection): ignore it
            problem = _peer_problem(cluster, peer)
            with contextlib.suppress(OSError):
                conn.sendall(f"no {problem}\n".encode() if problem else b"ok\n")
            if problem:
                raise ValueError(problem)
            heard.add(int(peer["index"]))
            with contextlib.suppress(OSError):
                conn.recv(1)  # the greeter closes first, so this port is not left in TIME_WAIT for TensorFlow


def _peer_problem(cluster: Cluster, peer: dict) -> str | None:
    """Why `peer`'s greeting does not fit this worker's cluster, or None."""
    if list(peer.get("workers", [])) != list(cluster.workers):
        return (
            f"Worker {peer.get('index')} was given another cluster: its TF_CONFIG lists {peer.get('workers')}, "
            f"this worker's ({cluster.index}) lists {list(cluster.workers)}. Give every worker the same "
            "cluster.worker list, in the same order."
        )
    if peer.get("index") == cluster.index:
        return f"Two workers have task.index {cluster.index}: give each worker its own index, 0 to {cluster.size - 1}."
    return None
