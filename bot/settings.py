"""Configuration from the environment, read once by `load_settings()` (never at import time)."""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

SLACK_API_DEFAULT = "https://slack.com/api/"


class ConfigError(Exception):
    """The environment does not describe a runnable app; the message names what to set."""


class Settings(BaseSettings):
    """Everything the app reads from its environment."""

    model_config = SettingsConfigDict(extra="ignore", case_sensitive=False, populate_by_name=True)

    slack_bot_token: SecretStr = Field(validation_alias=AliasChoices("SLACK_BOT_TOKEN", "slack_bot_token"))
    slack_signing_secret: SecretStr = Field(
        validation_alias=AliasChoices("SLACK_SIGNING_SECRET", "slack_signing_secret")
    )
    slack_app_token: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("SLACK_APP_TOKEN", "slack_app_token")
    )
    slack_api_url: str = Field(
        default=SLACK_API_DEFAULT, validation_alias=AliasChoices("SLACK_API_URL", "slack_api_url")
    )
    redis_url: str | None = Field(default=None, validation_alias=AliasChoices("REDIS_URL", "redis_url"))
    port: int = Field(default=3000, ge=1, le=65535, validation_alias=AliasChoices("PORT", "port"))
    encryption_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("COMMONGROUND_ENCRYPTION_KEY", "encryption_key")
    )
    data_dir: Path = Field(
        default=Path(".data"), validation_alias=AliasChoices("COMMONGROUND_DATA_DIR", "data_dir")
    )
    key_prefix: str = Field(
        default="cg",
        pattern=r"^[A-Za-z0-9_.-]{1,40}$",
        validation_alias=AliasChoices("COMMONGROUND_KEY_PREFIX", "key_prefix"),
    )
    log_level: str = Field(default="INFO", validation_alias=AliasChoices("LOG_LEVEL", "log_level"))
    # the worker's timers (bot/worker.py)
    timer_batch: int = Field(
        default=200, ge=1, le=5000, validation_alias=AliasChoices("COMMONGROUND_TIMER_BATCH", "timer_batch")
    )
    timer_concurrency: int = Field(
        default=32,
        ge=1,
        le=1000,
        validation_alias=AliasChoices("COMMONGROUND_TIMER_CONCURRENCY", "timer_concurrency"),
    )
    timer_lease_seconds: float = Field(
        default=120,
        ge=5,
        le=3600,
        validation_alias=AliasChoices("COMMONGROUND_TIMER_LEASE_SECONDS", "timer_lease_seconds"),
    )
    timer_max_tries: int = Field(
        default=8,
        ge=1,
        le=100,
        validation_alias=AliasChoices("COMMONGROUND_TIMER_MAX_TRIES", "timer_max_tries"),
    )
    worker_idle_seconds: float = Field(
        default=1.0,
        gt=0,
        le=300,
        validation_alias=AliasChoices("COMMONGROUND_WORKER_IDLE_SECONDS", "worker_idle_seconds"),
    )
    # the hand-over of clicks and `/mediate status` to a worker (bot/jobs.py)
    hand_over: bool = Field(
        default=True, validation_alias=AliasChoices("COMMONGROUND_HAND_OVER", "hand_over")
    )  # False: the web process does all the work after its acks, even with a worker running
    job_lease_seconds: float = Field(
        default=60,
        ge=5,
        le=3600,
        validation_alias=AliasChoices("COMMONGROUND_JOB_LEASE_SECONDS", "job_lease_seconds"),
    )
    redis_cluster: bool = Field(
        default=False, validation_alias=AliasChoices("REDIS_CLUSTER", "redis_cluster")
    )  # REDIS_URL names one node of a Redis Cluster; the client finds the others
    redis_max_connections: int = Field(
        default=50,
        ge=1,
        le=10_000,
        validation_alias=AliasChoices("REDIS_MAX_CONNECTIONS", "redis_max_connections"),
    )
    redis_pool_timeout: float = Field(
        default=5.0, gt=0, le=60, validation_alias=AliasChoices("REDIS_POOL_TIMEOUT", "redis_pool_timeout")
    )

    @field_validator("slack_bot_token", "slack_signing_secret")
    @classmethod
    def _not_empty(cls, value: SecretStr) -> SecretStr:
        if not value.get_secret_value().strip():
            raise ValueError("must not be empty")
        return value

    @field_validator("slack_api_url")
    @classmethod
    def _trailing_slash(cls, value: str) -> str:
        return value if value.endswith("/") else value + "/"

    @property
    def embedded_redis(self) -> bool:
        """True when no REDIS_URL is set and the app runs its own Redis under the data folder."""
        return not self.redis_url


_ENV_NAMES = {
    "slack_bot_token": "SLACK_BOT_TOKEN",
    "slack_signing_secret": "SLACK_SIGNING_SECRET",
    "slack_app_token": "SLACK_APP_TOKEN",
    "slack_api_url": "SLACK_API_URL",
    "redis_url": "REDIS_URL",
    "port": "PORT",
    "encryption_key": "COMMONGROUND_ENCRYPTION_KEY",
    "data_dir": "COMMONGROUND_DATA_DIR",
    "key_prefix": "COMMONGROUND_KEY_PREFIX",
    "timer_batch": "COMMONGROUND_TIMER_BATCH",
    "timer_concurrency": "COMMONGROUND_TIMER_CONCURRENCY",
    "timer_lease_seconds": "COMMONGROUND_TIMER_LEASE_SECONDS",
    "timer_max_tries": "COMMONGROUND_TIMER_MAX_TRIES",
    "worker_idle_seconds": "COMMONGROUND_WORKER_IDLE_SECONDS",
    "hand_over": "COMMONGROUND_HAND_OVER",
    "job_lease_seconds": "COMMONGROUND_JOB_LEASE_SECONDS",
    "redis_cluster": "REDIS_CLUSTER",
    "redis_max_connections": "REDIS_MAX_CONNECTIONS",
    "redis_pool_timeout": "REDIS_POOL_TIMEOUT",
}


def load_settings(**overrides: object) -> Settings:
    """Read the settings once, or raise `ConfigError` naming each missing or invalid variable."""
    try:
        settings = Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            field = str(error["loc"][0]) if error["loc"] else "?"
            name = _ENV_NAMES.get(field, field.upper())
            reason = (
                "is not set" if error["type"] == "missing" else error["msg"].removeprefix("Value error, ")
            )
            problems.append(f"{name} {reason}")
        raise ConfigError("Common Ground cannot start: " + "; ".join(problems) + ".") from None
    if not settings.embedded_redis and settings.encryption_key is None:
        raise ConfigError(
            "Common Ground cannot start: COMMONGROUND_ENCRYPTION_KEY is not set. With REDIS_URL set, "
            "private text must be encrypted with a key you keep: create one with "
            "`commonground keygen` and set it in the environment."
        )
    return settings
