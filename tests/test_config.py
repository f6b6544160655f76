"""Settings from the environment."""

import pytest

from hcimv_lc import config


def test_production_refuses_to_start_without_a_secret_key(monkeypatch, tmp_path):
    monkeypatch.setenv("HCIMV_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)

    with pytest.raises(config.ConfigError, match="SECRET_KEY"):
        config.load(tmp_path)


def test_production_refuses_a_default_secret_key(monkeypatch, tmp_path):
    monkeypatch.setenv("HCIMV_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "change-me")

    with pytest.raises(config.ConfigError):
        config.load(tmp_path)


def test_development_creates_a_secret_key_once_and_keeps_it(monkeypatch, tmp_path):
    monkeypatch.setenv("HCIMV_ENV", "development")
    monkeypatch.delenv("SECRET_KEY", raising=False)

    first = config.load(tmp_path)["SECRET_KEY"]
    second = config.load(tmp_path)["SECRET_KEY"]

    assert first == second
    assert len(first) >= 32
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_default_database_is_a_sqlite_file_in_the_instance_folder(
    monkeypatch, tmp_path
):
    monkeypatch.setenv("HCIMV_ENV", "development")
    monkeypatch.delenv("DATABASE_URL", raising=False)

    settings = config.load(tmp_path)

    assert (
        settings["SQLALCHEMY_DATABASE_URI"]
        == f"sqlite:///{tmp_path / 'hcimv_lc.sqlite'}"
    )


def test_postgresql_url_uses_psycopg_3(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", "postgresql://user@db/lc")

    settings = config.load(tmp_path)

    assert settings["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://user@db/lc"


def test_redis_url_becomes_the_rate_limit_storage(monkeypatch, tmp_path):
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")

    assert config.load(tmp_path)["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/0"


def test_rate_limits_are_kept_in_memory_without_redis(monkeypatch, tmp_path):
    monkeypatch.delenv("REDIS_URL", raising=False)

    assert config.load(tmp_path)["RATELIMIT_STORAGE_URI"] == "memory://"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("HCIMV_ENV", "staging"),
        ("SMTP_PORT", "twenty-five"),
        ("SMTP_STARTTLS", "perhaps"),
    ],
)
def test_a_bad_setting_is_refused_with_its_name(monkeypatch, tmp_path, name, value):
    monkeypatch.setenv(name, value)

    with pytest.raises(config.ConfigError, match=name):
        config.load(tmp_path)


def test_production_refuses_a_short_secret_key(monkeypatch, tmp_path):
    monkeypatch.setenv("HCIMV_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 20)

    with pytest.raises(config.ConfigError, match="32"):
        config.load(tmp_path)


def test_unknown_log_level_is_refused_with_its_name(monkeypatch, tmp_path):
    monkeypatch.setenv("LOG_LEVEL", "verbose")

    with pytest.raises(config.ConfigError, match="LOG_LEVEL"):
        config.load(tmp_path)
