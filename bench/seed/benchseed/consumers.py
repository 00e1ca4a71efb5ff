"""The seed's NotificationConsumer: a group per user plus a broadcast group, as its document has it."""

import datetime
from urllib.parse import parse_qs

import jwt
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings

BROADCAST = "notifications"


def now():
    return datetime.datetime.now(datetime.timezone.utc).isoformat()


class NotificationConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        query = parse_qs(self.scope["query_string"].decode())
        try:
            claims = jwt.decode(query.get("token", [""])[0], settings.JWT_SECRET, algorithms=["HS256"])
        except jwt.PyJWTError:
            await self.close(code=4001)
            return
        self.user_group = f"user_{claims['sub']}"
        await self.channel_layer.group_add(self.user_group, self.channel_name)
        await self.channel_layer.group_add(BROADCAST, self.channel_name)
        await self.accept()
        await self.send_json({"type": "connection_established", "data": {"userId": claims["sub"]}, "timestamp": now()})

    async def disconnect(self, code):
        if hasattr(self, "user_group"):
            await self.channel_layer.group_discard(self.user_group, self.channel_name)
            await self.channel_layer.group_discard(BROADCAST, self.channel_name)

    async def receive_json(self, content, **kwargs):
        if content.get("type") == "ping":
            await self.send_json({"type": "pong", "data": {}, "timestamp": now()})

    async def notification(self, event):
        await self.send_json(event["message"])
