"""Settings come from defaults and ENGAGE_* variables; unsafe production settings stop the app starting."""

from pathlib import Path

import pytest

from engage import create_app
from engage.config import ConfigError, load_config


def test_production_without_a_secret_key_is_a_clear_start_up_error(tmp_path: Path):
    with pytest.raises(ConfigError, match="ENGAGE_SECRET_KEY is not set"):
        load_config(str(tmp_path), env={})


def test_secret_key_comes_from_the_environment_first(tmp_path: Path):
    (tmp_path / "secret_key").write_text("from-file")
    env = {"ENGAGE_SECRET_KEY": "from-env", "ENGAGE_BASE_URL": "https://e.example"}
    config = load_config(str(tmp_path), env=env)
    assert config["SECRET_KEY"] == "from-env"


def test_secret_key_falls_back_to_the_instance_file_make_run_writes(tmp_path: Path):
    (tmp_path / "secret_key").write_text("from-file\n")
    env = {"ENGAGE_BASE_URL": "https://e.example"}
    assert load_config(str(tmp_path), env=env)["SECRET_KEY"] == "from-file"


def test_development_gets_a_throwaway_key(tmp_path: Path):
    config = load_config(str(tmp_path), env={"ENGAGE_ENV": "development"})
    assert len(config["SECRET_KEY"]) == 64


def test_unknown_environment_name_is_refused(tmp_path: Path):
    with pytest.raises(ConfigError, match="ENGAGE_ENV must be"):
        load_config(str(tmp_path), env={"ENGAGE_ENV": "staging"})


def test_default_database_is_sqlite_in_the_instance_folder(tmp_path: Path):
    config = load_config(
        str(tmp_path), env={"ENGAGE_SECRET_KEY": "x", "ENGAGE_BASE_URL": "https://e.example"}
    )
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'engage.sqlite'}"
    assert config["RATELIMIT_STORAGE_URI"] == "engage-memory://"


def test_database_and_redis_urls_come_from_the_environment(tmp_path: Path):
    env = {
        "ENGAGE_SECRET_KEY": "x",
        "ENGAGE_BASE_URL": "https://e.example",
        "ENGAGE_DATABASE_URL": "postgresql+psycopg://postgres@127.0.0.1:5432/test",
        "ENGAGE_REDIS_URL": "redis://127.0.0.1:6379/0",
    }
    config = load_config(str(tmp_path), env=env)
    assert config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql+psycopg://")
    assert config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/0"


def test_create_app_takes_a_mapping_that_wins_over_everything(tmp_path: Path):
    app = create_app({"ENGAGE_ENV": "testing", "ENGAGE_SERVICE_NAME": "Have your say"})
    assert app.config["ENGAGE_SERVICE_NAME"] == "Have your say"
    assert app.testing


def test_a_pooled_connection_is_tested_after_two_idle_seconds_unless_set(tmp_path: Path):
    env = {"ENGAGE_ENV": "development"}
    assert load_config(str(tmp_path), env=env)["ENGAGE_DATABASE_PING_AFTER_IDLE"] == 2.0
    env["ENGAGE_DATABASE_PING_AFTER_IDLE"] = "0"
    assert load_config(str(tmp_path), env=env)["ENGAGE_DATABASE_PING_AFTER_IDLE"] == 0.0
