"""What the supervision endpoints share: the router and strict input schemas."""

from __future__ import annotations

from ninja import Router, Schema
from pydantic import ConfigDict

router = Router(tags=["监管督办"])


class Strict(Schema):
    model_config = ConfigDict(extra="forbid")
