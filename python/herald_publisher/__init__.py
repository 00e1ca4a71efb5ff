"""Publish Herald notifications from Python with the seed's function names.

A Django project that used ``api.websocket_utils`` changes one import line::

    from herald_publisher import send_alert_notification, send_log_stream

Configuration comes from the environment:

- ``HERALD_TOPIC_ARN``: the topic (the ``TopicArn`` output of ``cdk deploy``, or what
  ``npm start`` prints);
- ``HERALD_SNS_ENDPOINT``: the local stack's SNS endpoint (unset on AWS);
- ``HERALD_REGION``, else ``AWS_REGION`` or ``AWS_DEFAULT_REGION``: the topic's region;
- ``HERALD_TENANT``: the tenant of every publish that names none (multi-tenant deployments).

Every function validates before it publishes and raises :class:`HeraldPublishError` with the
field and what is wrong, so a bad notification never leaves the process.
"""

from .publisher import (
    HeraldPublishError,
    notify_log_ingested,
    publish,
    send_alert_notification,
    send_log_stream,
    send_system_notification,
    send_upload_status,
)

__version__ = "0.3.0"

__all__ = [
    "HeraldPublishError",
    "notify_log_ingested",
    "publish",
    "send_alert_notification",
    "send_log_stream",
    "send_system_notification",
    "send_upload_status",
]
