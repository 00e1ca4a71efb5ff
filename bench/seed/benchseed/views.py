"""What the seed's websocket_utils did from a request: group_send to a user's group or to everyone."""

import json

from channels.layers import get_channel_layer
from django.http import HttpResponse, JsonResponse

from .consumers import BROADCAST


# No CSRF middleware is installed: the benchmark is the only client.
async def publish(request):
    body = json.loads(request.body)
    group = f"user_{body['userId']}" if body.get("userId") is not None else BROADCAST
    message = {key: value for key, value in body.items() if key != "userId"}
    await get_channel_layer().group_send(group, {"type": "notification", "message": message})
    return JsonResponse({"ok": True})


async def health(request):
    return HttpResponse("ok")
