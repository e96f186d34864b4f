"""Shared base for configuration sections: unknown keys are errors, values are immutable."""

from pydantic import BaseModel, ConfigDict


class Section(BaseModel):
    # allow_inf_nan: `inf` or `nan` for a timeout or threshold would switch its check off silently
    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True, allow_inf_nan=False)
