"""2. Channel layer cost: group_send as the group grows, against a raw redis-py PUBLISH loop.

Members are channels in one or two member processes, each receiving as a consumer does; the
producer sends from this process. The payload has the size of a real forum event. The
in-memory layer only works inside one process, so its members share the producer's.
"""

import asyncio
import logging
import multiprocessing
import secrets
import time

from bench import stack
from bench.results import Result, median, row

SHIPPED = "pubsub"  # config/settings.py: channels_redis.pubsub.RedisPubSubChannelLayer
NAMES = {"core": "RedisChannelLayer", "pubsub": "RedisPubSubChannelLayer", "memory": "in-memory"}
MESSAGE = {
    "type": "forum.event",
    "event": {"type": "post.created", "topic": 1, "id": 1, "post": {"html": "x" * 400}},
}


def _layer(kind: str, redis_url: str, prefix: str):
    # The bench's tuned pool (see bench/settings.py): the shipped one drops idle receivers.
    hosts = [{"address": redis_url, "max_connections": 10_000, "socket_timeout": 30}]
    if kind == "core":
        from channels_redis.core import RedisChannelLayer

        return RedisChannelLayer(hosts=hosts, prefix=prefix)
    if kind == "pubsub":
        from channels_redis.pubsub import RedisPubSubChannelLayer

        return RedisPubSubChannelLayer(hosts=hosts, prefix=prefix)
    from channels.layers import InMemoryChannelLayer

    # The producer never yields to receivers, so the default capacity (100) would drop sends.
    return InMemoryChannelLayer(capacity=10_000)


async def _receive_all(layer, channels: list[str], expected: int, *, idle: float = 3.0) -> int:
    """Receive on every channel until all `expected` came, or none came for `idle` seconds.

    Messages the layer dropped (over capacity) never come, hence the idle limit.
    """
    counts, last = [0], [time.monotonic()]

    async def drain(channel):
        while True:
            await layer.receive(channel)
            counts[0] += 1
            last[0] = time.monotonic()

    tasks = [asyncio.create_task(drain(channel)) for channel in channels]
    while counts[0] < expected and time.monotonic() - last[0] < idle:
        await asyncio.sleep(0.05)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return counts[0]


async def _member(pipe, kind, redis_url, prefix, group, size, sends, raw) -> None:
    if raw:
        import redis.asyncio as redis

        client = redis.Redis.from_url(redis_url)
        subscription = client.pubsub()
        await subscription.subscribe(group)
        pipe.send("ready")
        received, last = 0, time.monotonic()
        while received < sends and time.monotonic() - last < 3:
            if await subscription.get_message(ignore_subscribe_messages=True, timeout=0.5):
                received, last = received + 1, time.monotonic()
        pipe.send(received)  # one subscription per process: what PUBLISH delivers
        await client.aclose()
        return
    layer = _layer(kind, redis_url, prefix)
    channels = [await layer.new_channel() for _ in range(size)]
    for channel in channels:
        await layer.group_add(group, channel)
    pipe.send("ready")
    pipe.send(await _receive_all(layer, channels, sends * size))


def _member_main(pipe, *args) -> None:
    # Cancelling receivers at the end makes channels-redis log clean-up noise; not a finding.
    logging.getLogger("channels_redis").setLevel(logging.CRITICAL)
    asyncio.run(_member(pipe, *args))


async def _produce(kind: str, redis_url: str, prefix: str, group: str, sends: int) -> float:
    if kind == "raw":
        import json

        import redis.asyncio as redis

        client = redis.Redis.from_url(redis_url)
        payload = json.dumps(MESSAGE)
        started = time.perf_counter()
        for _ in range(sends):
            await client.publish(group, payload)
        elapsed = time.perf_counter() - started
        await client.aclose()
        return elapsed
    layer = _layer(kind, redis_url, prefix)
    started = time.perf_counter()
    for _ in range(sends):
        await layer.group_send(group, MESSAGE)
    return time.perf_counter() - started


async def _in_memory(size: int, sends: int) -> tuple[float, float, int]:
    layer = _layer("memory", "", "")
    channels = [await layer.new_channel() for _ in range(size)]
    for channel in channels:
        await layer.group_add("bench", channel)
    started = time.perf_counter()
    for _ in range(sends):
        await layer.group_send("bench", MESSAGE)
    produced = time.perf_counter() - started
    received = await _receive_all(layer, channels, sends * size)
    return produced, time.perf_counter() - started, received


def once(kind: str, redis_url: str, size: int, processes: int, sends: int) -> dict:
    """One run: producer rate (sends/s), delivered messages/s and how many were lost."""
    if kind == "memory":
        produced, total, received = asyncio.run(_in_memory(size, sends))
        lost = sends * size - received
        return {"rate": sends / produced, "delivered": received / total, "lost": lost}
    context = multiprocessing.get_context("spawn")
    prefix, group = f"b{secrets.token_hex(4)}", f"g{secrets.token_hex(4)}"
    pipes, members = [], []
    for index in range(processes):
        share = size // processes + (1 if index < size % processes else 0)
        ours, theirs = context.Pipe()
        args = (theirs, kind, redis_url, prefix, group, share, sends, kind == "raw")
        process = context.Process(target=_member_main, args=args, daemon=True)
        process.start()
        pipes.append(ours)
        members.append(process)
    try:
        for pipe in pipes:
            if not pipe.poll(120) or pipe.recv() != "ready":
                raise RuntimeError("a member process did not get ready")
        started = time.perf_counter()
        produced = asyncio.run(_produce(kind, redis_url, prefix, group, sends))
        received = sum(pipe.recv() if pipe.poll(150) else 0 for pipe in pipes)
        total = time.perf_counter() - started
    finally:
        for process in members:
            process.join(timeout=10)
            if process.is_alive():
                process.kill()
    expected = sends * (processes if kind == "raw" else size)
    return {"rate": sends / produced, "delivered": received / total, "lost": expected - received}


def run(quick: bool, notes: list[str]) -> list[Result]:
    sizes = [100] if quick else [1, 10, 100, 1000]
    repeats = 3
    results = []
    with stack.redis_server() as redis_url:
        # Quick: one process only, where all three layers (in-memory too) can run.
        for processes in (1,) if quick else (1, 2):
            for size in sizes:
                sends = (100 if quick else 300) if size < 1000 else 100
                scale = f"{size} members, {processes} process{'es' if processes > 1 else ''}"
                runs = {
                    kind: [once(kind, redis_url, size, processes, sends) for _ in range(repeats)]
                    for kind in ("raw", "core", "pubsub") + (("memory",) if processes == 1 else ())
                }
                raw = median(r["rate"] for r in runs["raw"])
                for kind in ("core", "pubsub", "memory"):
                    if kind not in runs:
                        continue
                    rate = median(r["rate"] for r in runs[kind])
                    decisive = kind == SHIPPED and size == 1000
                    results.append(
                        row(
                            "layer",
                            scale,
                            f"group_send/s {NAMES[kind]} (ref: raw PUBLISH/s)",
                            rate,
                            raw,
                            target=">= 0.25x raw" if decisive else "",
                            passed=(rate >= 0.25 * raw) if decisive else None,
                        )
                    )
                    lost = sum(r["lost"] for r in runs[kind])
                    if lost:
                        notes.append(f"layer {NAMES[kind]} {scale}: {lost} messages not received")
                    if size == max(sizes):
                        results.append(
                            row(
                                "layer",
                                scale,
                                f"delivered msg/s {NAMES[kind]}",
                                median(r["delivered"] for r in runs[kind]),
                            )
                        )
                        # The Redis layers drop what a full channel (capacity 100) cannot take.
                        results.append(
                            row(
                                "layer",
                                scale,
                                f"messages not delivered {NAMES[kind]} (ref: sent x members)",
                                lost,
                                sends * size * repeats,
                            )
                        )
    return results
