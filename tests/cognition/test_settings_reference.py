"""The README's settings reference is generated from the settings models; it cannot drift."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel

from cognition.config import REFERENCE_BEGIN, REFERENCE_END, Settings, settings_reference

README = Path(__file__).resolve().parents[2] / "README.md"


def test_every_setting_says_what_it_does():
    missing = [name for name, f in Settings.model_fields.items()
               if not f.description and not isinstance(f.default, BaseModel)]
    for group, f in Settings.model_fields.items():
        if isinstance(f.default, BaseModel):
            missing += [f"{group}.{n}" for n, g in type(f.default).model_fields.items() if not g.description]
    assert missing == []


def test_the_readme_holds_the_reference_as_generated():
    text = README.read_text(encoding="utf-8")
    start, end = text.index(REFERENCE_BEGIN), text.index(REFERENCE_END) + len(REFERENCE_END)
    assert text[start:end] == settings_reference(), "run `python -m cognition.config` and paste it into README.md"


def test_the_reference_names_every_key_with_its_environment_variable():
    reference = settings_reference()
    for group, f in Settings.model_fields.items():
        if isinstance(f.default, BaseModel):
            for name in type(f.default).model_fields:
                assert f"`{group}.{name}`" in reference and f"`REVERIE_{group.upper()}__{name.upper()}`" in reference
