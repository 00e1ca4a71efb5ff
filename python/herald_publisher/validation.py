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


def _check_user_id(user_id):
    if isinstance(user_id, bool) or not isinstance(user_id, (str, int)):
        raise HeraldPublishError("userId: must be a string or an integer")
    if isinstance(user_id, str) and not user_id:
        raise HeraldPublishError("userId: must not be empty")


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
    if "userId" in notification:
        if not rules["userId"]:
            raise HeraldPublishError(f"userId: a {kind} goes to every subscriber and takes no userId")
        _check_user_id(notification["userId"])
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
