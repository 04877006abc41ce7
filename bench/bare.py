"""The reference: a bare asyncio server speaking the forum socket's subscribe/post protocol.

No Django, no database, no channel layer: a post is numbered and handed to the `websockets`
library's broadcast() at once. Its frames have the shape and size of the real events, so the
client harness does the same work against both servers.
"""

import argparse
import asyncio
import datetime
import html
import json

from websockets.asyncio.server import broadcast, serve

subscribers: dict[int, set] = {}
numbers: dict[int, int] = {}


def event(topic: int, body: str) -> str:
    numbers[topic] = numbers.get(topic, 0) + 1
    created = datetime.datetime.now(datetime.UTC).isoformat()
    return json.dumps(
        {
            "type": "post.created",
            "topic": topic,
            "id": numbers[topic],
            "accepted_post": None,
            "locked": False,
            "pinned": False,
            "post": {
                "id": numbers[topic],
                "author": "Bench Writer",
                "created_at": created,
                "edited": False,
                "hidden": False,
                "helpful": 0,
                "html": f'<div class="post-body"><p>{html.escape(body)}</p></div>',
            },
        }
    )


async def handle(connection) -> None:
    followed: set[int] = set()
    try:
        async for raw in connection:
            message = json.loads(raw)
            kind, topic = message.get("type"), message.get("topic")
            if kind == "subscribe":
                subscribers.setdefault(topic, set()).add(connection)
                followed.add(topic)
                last = numbers.get(topic, 0)
                reply = {"type": "subscribed", "topic": topic, "last": last, "complete": True}
                await connection.send(json.dumps(reply))
            elif kind == "post":
                broadcast(subscribers.get(topic, ()), event(topic, message["body"]))
                await connection.send(
                    json.dumps({"type": "posted", "topic": topic, "ref": message.get("ref")})
                )
            elif kind == "ping":
                await connection.send('{"type": "pong"}')
    finally:
        for topic in followed:
            subscribers[topic].discard(connection)


async def main(port: int) -> None:
    async with serve(handle, "127.0.0.1", port, max_size=32 * 1024, backlog=4096):
        await asyncio.get_running_loop().create_future()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    asyncio.run(main(parser.parse_args().port))
