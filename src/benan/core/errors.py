"""Domain errors, each with the HTTP status the API answers with.

Services raise these (or Django's ValidationError for bad input, answered with 422);
views and the API map them, so the rule lives in one place.
"""


class DomainError(Exception):
    status = 400
    default_message = "请求无法处理"

    def __init__(self, message: str | None = None):
        self.message = message or self.default_message
        super().__init__(self.message)


class NotFound(DomainError):
    """Missing, or outside the actor's data scope: the two are indistinguishable on purpose."""

    status = 404
    default_message = "对象不存在"


class PermissionDenied(DomainError):
    status = 403
    default_message = "无权执行此操作"


class InvalidTransition(DomainError):
    """The action is not allowed from the object's current state (or a guard refused it)."""

    status = 409
    default_message = "当前状态不允许此操作"


def choices_hint(choices) -> str:
    """The allowed values of a TextChoices for an error message: 正常生产(normal)、…"""
    return "、".join(f"{c.label}({c.value})" for c in choices)
