import pytest
from django.core.exceptions import ImproperlyConfigured

from coding_site.settings import env_bool, env_int


@pytest.mark.parametrize(
    "value, expected", [("1", True), ("yes", True), ("off", False), ("", False)]
)
def test_env_bool_reads_common_spellings(monkeypatch, value, expected):
    monkeypatch.setenv("SOME_FLAG", value)
    assert env_bool("SOME_FLAG", default=False) is expected


@pytest.mark.parametrize("name, value", [("SOME_FLAG", "maybe")])
def test_env_bool_rejects_other_values(monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(ImproperlyConfigured, match="true or false"):
        env_bool(name)


@pytest.mark.parametrize("value", ["20MB", "-1", "1.5"])
def test_env_int_rejects_bad_values(monkeypatch, value):
    monkeypatch.setenv("UPLOAD_MAX_BYTES", value)
    with pytest.raises(ImproperlyConfigured):
        env_int("UPLOAD_MAX_BYTES", 10, minimum=1)


def test_env_int_reads_a_number(monkeypatch):
    monkeypatch.setenv("UPLOAD_MAX_BYTES", "1048576")
    assert env_int("UPLOAD_MAX_BYTES", 10, minimum=1) == 1048576
