import os

import pytest


@pytest.fixture()
def clean_environment(monkeypatch, tmp_path):
    """No REVERIE_* variable or real home of the machine running the tests leaks in."""
    for name in list(os.environ):
        if name.startswith("REVERIE_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(tmp_path / "user-home"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
