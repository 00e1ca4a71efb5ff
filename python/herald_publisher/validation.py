"""Checks a notification against Herald's rules before it is sent.

The rules (required fields, the accepted words and their aliases, the size limit) are generated
from Herald's TypeScript schemas into ``rules.json``, so the two publishers cannot drift apart.
The fan-out stays the authority: what it still refuses is listed by ``herald rejected``.
"""

import datetime
import json
from importlib import resources

RULES = json.loads(resources.files(__package__).joinpath("rules.json").read_text("utf-8"))


class HeraldPublishError(ValueError):
    """A notification Herald would refuse; ``code`` is stable, the message is for people."""

    def __init__(self, message, code="invalid_notification"):
        super().__init__(message)
        self.code = code


def canonical_word(value):
    """A level or severity as Herald delivers it: lower case, aliases (warn, fatal…) resolved."""
    word = value.strip().lower()
    return RULES["aliases"].get(word, word)


def _json_default(value):
    # Django code passes datetimes (timezone.now(), datetime.utcnow()); Herald reads ISO-8601.
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _check_name(field, value):
    """A user id, tenant or group: a non-empty string, or an integer (Django's primary keys)."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise HeraldPublishError(f"{field}: must be a string or an integer")
    if isinstance(value, str) and not value:
        raise HeraldPublishError(f"{field}: must not be empty")


def _check_audience(notification, kind, rules):
    """Who the notification is for: a user or a group of the tenant, or everyone in it."""
    for field in ("userId", "group"):
        if field in notification and not rules[field]:
            raise HeraldPublishError(f"{field}: a {kind} takes no {field}")
    for field in ("userId", "group", "tenant"):
        if field in notification:
            _check_name(field, notification[field])
    targeted = "userId" in notification or "group" in notification
    if "userId" in notification and "group" in notification:
        raise HeraldPublishError(
            "userId and group are exclusive: a notification is for one user or one group", "invalid_audience"
        )
    if notification.get("tenant") == RULES["everyTenant"] and targeted:
        raise HeraldPublishError(
            'tenant "*" is for broadcasts: user ids and groups exist within one tenant', "invalid_audience"
        )


def validate(notification):
    """Returns the notification with its words normalised, or raises HeraldPublishError."""
    if not isinstance(notification, dict):
        raise HeraldPublishError("a notification must be a dict with 'type' and 'data'")
    kind = notification.get("type")
    rules = RULES["types"].get(kind)
    if rules is None:
        kinds = ", ".join(RULES["types"])
        raise HeraldPublishError(f"type {kind!r}: must be one of {kinds}", "unknown_type")
    data = notification.get("data")
    if not isinstance(data, dict):
        raise HeraldPublishError("data: must be a dict")
    data = dict(data)
    for field in rules["required"]:
        if data.get(field) is None:
            raise HeraldPublishError(f"data.{field} is required")
    for field, words in rules["words"].items():
        if data.get(field) is None:
            continue
        if not isinstance(data[field], str) or canonical_word(data[field]) not in words:
            raise HeraldPublishError(f"data.{field}: must be one of {', '.join(words)}")
        data[field] = canonical_word(data[field])
    for field, (low, high) in rules["ranges"].items():
        value = data.get(field)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
            raise HeraldPublishError(f"data.{field}: must be a number from {low} to {high}")
    _check_audience(notification, kind, rules)
    return {**notification, "data": data}


def encode(notification):
    """The SNS message body, refused when it is over SNS's limit."""
    message = json.dumps(notification, default=_json_default, ensure_ascii=False)
    size = len(message.encode("utf-8"))
    if size > RULES["maxMessageBytes"]:
        raise HeraldPublishError(
            f"message is {size} bytes; SNS's limit is {RULES['maxMessageBytes']}", "too_large"
        )
    return message
