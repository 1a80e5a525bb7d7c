"""The README's configuration table names every setting, with its real default."""

from __future__ import annotations

from pathlib import Path

from workspace.config.settings import Settings

README = Path(__file__).resolve().parents[3] / "README.md"


def test_every_setting_is_documented_in_the_readme() -> None:
    text = README.read_text()
    for name, field in Settings.model_fields.items():
        alias = field.validation_alias
        env = alias.choices[0] if alias is not None else f"SWITCHBOARD_{name.upper()}"  # type: ignore[attr-defined]
        assert f"| `{env}` |" in text, f"{env} is missing from the README"
        default = field.default
        shown = "unset" if default is None else ("empty" if default == "" else default)
        assert f"| `{env}` | `{shown}` |" in text, f"{env}: README default is not {shown}"
