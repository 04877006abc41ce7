"""A signed-in member's live channel: events about them (invitations, requests, roles)."""

from core.consumers import LiveConsumer
from core.hub import hub
from core.realtime import member_group
from core.throttle import TOO_MANY_MESSAGES, MessageBudget

# Clients only ever send {"type": "ping"} here.
MAX_FRAME = 1024


class MemberEventsConsumer(LiveConsumer):
    async def connect(self):
        if not await self.signed_in():
            return
        user = self.scope["user"]
        self.group = member_group(user.pk)
        self.budget = MessageBudget()
        # Events heard from the process's hub (core/hub.py) before "hello" went out: sent
        # after it, in order.
        self.early: list | None = []
        await hub().join(self.group, self)
        await self.accept()
        await self.send_json({"type": "hello"})
        while self.early:
            await self.member_event(self.early.pop(0))
        self.early = None

    async def leave_hub(self) -> None:
        if hasattr(self, "group"):
            await hub().leave(self.group, self)

    async def hear(self, message: dict) -> None:
        """An event about this member, from the hub."""
        if self.early is not None:
            self.early.append(message)
        else:
            await self.member_event(message)

    @classmethod
    async def decode_json(cls, text_data):
        try:
            return await super().decode_json(text_data)
        except (ValueError, RecursionError):  # RecursionError: "[[[[…" nested too deep
            return None  # a garbled frame is ignored, the socket stays open

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        # This channel only listens for pings: a flood of anything is closed, not answered.
        if not self.budget.spend():
            if self.budget.out_of_patience:
                await self.close(code=TOO_MANY_MESSAGES)
            return
        if not text_data or len(text_data) > MAX_FRAME:
            return  # binary, empty or oversized: not a ping, ignored
        await super().receive(text_data, bytes_data, **kwargs)

    async def receive_json(self, content, **kwargs):
        # This channel only speaks; a ping keeps proxies from closing an idle socket.
        if isinstance(content, dict) and content.get("type") == "ping":
            await self.send_json({"type": "pong"})

    async def member_event(self, message):
        await self.send_json(message["event"])
