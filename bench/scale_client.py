"""The load process of bench_scale.py: an asyncio HTTP/1.1 keep-alive client, standard library only.

Reads a JSON spec on stdin ({"host", "port", "workloads": [{"name", "concurrency", "seconds", "max_requests",
"requests": [{"method", "path", "headers", "body"}]}]}), runs each workload in turn with `concurrency`
connections that each send one request at a time (cycling through `requests`), and prints JSON: per workload
requests, errors, status counts, throughput and latency percentiles, plus this process's own CPU seconds."""

from __future__ import annotations

import asyncio
import itertools
import json
import sys
import time


class Connection:
    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.opened = 0

    async def request(self, method: str, path: str, headers: dict, body: bytes) -> tuple[int, bytes, dict]:
        if self.writer is None or self.writer.is_closing():
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
            self.opened += 1
        assert self.reader is not None
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}", "Connection: keep-alive"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        if body or method in {"POST", "PUT", "PATCH"}:
            lines.append(f"Content-Length: {len(body)}")
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        status = int(status_line.split()[1])
        got = {}
        for line in header_lines:
            if ":" in line:
                k, v = line.split(":", 1)
                got.setdefault(k.strip().lower(), []).append(v.strip())
        if "content-length" in got:
            data = await self.reader.readexactly(int(got["content-length"][0]))
        elif "chunked" in ",".join(got.get("transfer-encoding", [])):
            data = await self._chunked()
        else:
            data = await self.reader.read()
            self.close()
        if "close" in ",".join(got.get("connection", [])).lower():
            self.close()
        return status, data, got

    async def _chunked(self) -> bytes:
        assert self.reader is not None
        parts = []
        while True:
            size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
            chunk = await self.reader.readexactly(size + 2)
            if size == 0:
                return b"".join(parts)
            parts.append(chunk[:-2])

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.writer = None


def percentile(sorted_ms: list[float], q: float) -> float:
    if not sorted_ms:
        return 0.0
    return sorted_ms[min(len(sorted_ms) - 1, int(len(sorted_ms) * q))]


async def run_workload(host: str, port: int, w: dict) -> dict:
    requests = itertools.cycle(w["requests"])
    deadline = time.perf_counter() + w["seconds"]
    budget = [w.get("max_requests", 10**9)]
    samples: list[float] = []
    statuses: dict[str, int] = {}
    errors: list[str] = []
    connections = [Connection(host, port) for _ in range(w["concurrency"])]

    async def loop(conn: Connection) -> None:
        while time.perf_counter() < deadline and budget[0] > 0:
            budget[0] -= 1
            r = next(requests)
            body = r.get("body", "").encode()
            start = time.perf_counter()
            try:
                status, _data, _h = await conn.request(r["method"], r["path"], r.get("headers", {}), body)
            except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
                conn.close()
                errors.append(type(exc).__name__)
                continue
            samples.append((time.perf_counter() - start) * 1000)
            statuses[str(status)] = statuses.get(str(status), 0) + 1

    began = time.perf_counter()
    await asyncio.gather(*(loop(c) for c in connections))
    elapsed = time.perf_counter() - began
    for c in connections:
        c.close()
    samples.sort()
    expected = str(w.get("expect", 200))
    return {
        "name": w["name"],
        "concurrency": w["concurrency"],
        "requests": len(samples),
        "ok": statuses.get(expected, 0),
        "statuses": statuses,
        "errors": len(errors),
        "connections_opened": sum(c.opened for c in connections),
        "seconds": round(elapsed, 2),
        "throughput": round(statuses.get(expected, 0) / elapsed, 1) if elapsed else 0.0,
        "p50_ms": round(percentile(samples, 0.50), 1),
        "p95_ms": round(percentile(samples, 0.95), 1),
        "p99_ms": round(percentile(samples, 0.99), 1),
    }


async def main_async(spec: dict) -> dict:
    results = []
    for w in spec["workloads"]:
        warm = {**w, "seconds": min(3.0, w["seconds"]), "max_requests": max(2 * w["concurrency"], 20)}
        await run_workload(spec["host"], spec["port"], warm)  # every worker has loaded its code and caches
        cpu = time.process_time()
        result = await run_workload(spec["host"], spec["port"], w)
        result["client_cpu_seconds"] = round(time.process_time() - cpu, 2)
        result["client_cpu_share"] = (
            round(result["client_cpu_seconds"] / result["seconds"], 2) if result["seconds"] else 0
        )
        results.append(result)
    return {"workloads": results, "client_cpu_seconds": round(time.process_time(), 2)}


if __name__ == "__main__":
    json.dump(asyncio.run(main_async(json.load(sys.stdin))), sys.stdout)
