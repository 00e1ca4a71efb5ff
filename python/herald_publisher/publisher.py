"""The seed's publishing functions, on Herald's SNS topic."""

import os

import boto3

from .validation import HeraldPublishError, canonical_word, encode, validate

_client = None


def _sns():
    global _client
    if _client is None:
        endpoint = os.environ.get("HERALD_SNS_ENDPOINT") or None
        region = (
            os.environ.get("HERALD_REGION")
            or os.environ.get("AWS_REGION")
            or os.environ.get("AWS_DEFAULT_REGION")
        )
        session = boto3.session.Session()
        local = {}
        # The local stack takes any key; a shell with no AWS profile should still reach it.
        if endpoint and session.get_credentials() is None:
            local = {"aws_access_key_id": "local", "aws_secret_access_key": "local"}
        _client = session.client("sns", region_name=region or "us-east-1", endpoint_url=endpoint, **local)
    return _client


def _topic_arn():
    arn = os.environ.get("HERALD_TOPIC_ARN")
    if not arn:
        raise HeraldPublishError("environment variable HERALD_TOPIC_ARN is not set", "config")
    return arn


def _attributes(notification):
    """SNS message attributes mirroring the body, so subscription filter policies can select on them."""
    data = notification["data"]
    values = {"type": notification["type"]}
    for field in ("tenant", "userId", "group"):
        if notification.get(field) is not None:
            values[field] = str(notification[field])
    if notification["type"] == "log_event":
        for field in ("level", "source", "environment"):
            if data.get(field):
                values[field] = str(data[field])
    return {name: {"DataType": "String", "StringValue": value} for name, value in values.items()}


def _addressed(body, user_id=None, tenant=None, group=None, thread_key=None):
    """The body with its audience: a user or a group of the tenant, or everyone in it, and the
    inbox thread it joins. The tenant defaults to HERALD_TENANT, which a multi-tenant deployment
    needs."""
    tenant = tenant if tenant is not None else os.environ.get("HERALD_TENANT") or None
    fields = (("tenant", tenant), ("userId", user_id), ("group", group), ("threadKey", thread_key))
    for field, value in fields:
        if value is not None:
            body[field] = value
    return body


def publish(notification):
    """Validates and publishes one notification body; returns SNS's ``MessageId``. Without a
    ``tenant`` it takes HERALD_TENANT's."""
    checked = validate(_addressed(dict(notification)) if isinstance(notification, dict) else notification)
    response = _sns().publish(
        TopicArn=_topic_arn(), Message=encode(checked), MessageAttributes=_attributes(checked)
    )
    return response["MessageId"]


def send_alert_notification(user_id, alert_data, tenant=None, group=None, thread_key=None):
    """An alert for one user's connections (``user_id`` may be Django's integer key), or for
    every ``alerts`` subscriber (or ``group``'s) when it is None. Alerts with one ``thread_key``
    are one inbox entry."""
    return publish(_addressed({"type": "alert", "data": alert_data}, user_id, tenant, group, thread_key))


def send_log_stream(log_data, tenant=None):
    """A log event for every ``logs`` subscriber whose filters match it."""
    return publish(_addressed({"type": "log_event", "data": log_data}, tenant=tenant))


def notify_log_ingested(log_data, tenant=None):
    """What the ingestion pipeline calls per stored log: streams it, and raises a broadcast alert
    when it is critical, so people who are not watching the log stream still hear of it."""
    streamed = send_log_stream(log_data, tenant)
    if canonical_word(str(log_data.get("level", ""))) != "critical":
        return [streamed]
    source = log_data.get("source")
    alert = {
        "severity": "critical",
        "title": f"Critical log from {source}" if source else "Critical log",
        "message": str(log_data.get("message", ""))[:16384],
        "metadata": {"logId": log_data.get("id"), "environment": log_data.get("environment")},
    }
    if source:
        alert["source"] = source
    return [streamed, send_alert_notification(None, alert, tenant)]


def send_system_notification(title, message, severity="info", tenant=None, group=None):
    """A notice for every ``system`` subscriber (or ``group``'s)."""
    data = {"title": title, "message": message, "severity": severity}
    return publish(_addressed({"type": "system", "data": data}, tenant=tenant, group=group))


def send_upload_status(
    user_id, upload_id, status, progress, filename, message=None, tenant=None, group=None
):
    """Upload progress for one user's connections, or for every ``uploads`` subscriber (or
    ``group``'s) when ``user_id`` is None."""
    data = {"upload_id": upload_id, "status": status, "progress": progress, "filename": filename}
    if message is not None:
        data["message"] = message
    return publish(_addressed({"type": "upload_status", "data": data}, user_id, tenant, group))
