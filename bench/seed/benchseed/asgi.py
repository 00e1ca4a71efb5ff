import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchseed.settings")

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.core.asgi import get_asgi_application  # noqa: E402
from django.urls import path  # noqa: E402

http = get_asgi_application()

from .consumers import NotificationConsumer  # noqa: E402

application = ProtocolTypeRouter(
    {"http": http, "websocket": URLRouter([path("ws/notifications/", NotificationConsumer.as_asgi())])}
)
