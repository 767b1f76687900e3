"""Configuration from the environment, read once by `load_settings()` (never at import time)."""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

SLACK_API_DEFAULT = "https://slack.com/api/"
SLACK_AUTHORIZE_DEFAULT = "https://slack.com/oauth/v2/authorize"
SLACK_APP_REDIRECT_DEFAULT = "https://slack.com/app_redirect"


class ConfigError(Exception):
    """The environment does not describe a runnable app; the message names what to set."""


class Settings(BaseSettings):
    """Everything the app reads from its environment."""

    model_config = SettingsConfigDict(extra="ignore", case_sensitive=False, populate_by_name=True)

    slack_bot_token: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("SLACK_BOT_TOKEN", "slack_bot_token")
    )  # one workspace; unset with SLACK_CLIENT_ID (installs from a link, bot.oauth)
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

    # installing from a link (OAuth, bot/oauth.py): many workspaces, Enterprise Grid
    slack_client_id: str | None = Field(
        default=None, validation_alias=AliasChoices("SLACK_CLIENT_ID", "slack_client_id")
    )
    slack_client_secret: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("SLACK_CLIENT_SECRET", "slack_client_secret")
    )
    slack_state_secret: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("SLACK_STATE_SECRET", "slack_state_secret")
    )
    slack_scopes: str | None = Field(
        default=None, validation_alias=AliasChoices("SLACK_SCOPES", "slack_scopes")
    )  # comma-separated bot scopes; unset: the manifest's
    slack_user_scopes: str = Field(
        default="", validation_alias=AliasChoices("SLACK_USER_SCOPES", "slack_user_scopes")
    )
    slack_redirect_uri: str | None = Field(
        default=None, validation_alias=AliasChoices("SLACK_REDIRECT_URI", "slack_redirect_uri")
    )
    slack_authorize_url: str = Field(
        default=SLACK_AUTHORIZE_DEFAULT,
        validation_alias=AliasChoices("SLACK_AUTHORIZE_URL", "slack_authorize_url"),
    )  # Slack's page where an installer approves the app (the stand-in's in tests and the sandbox)
    slack_app_redirect_url: str = Field(
        default=SLACK_APP_REDIRECT_DEFAULT,
        validation_alias=AliasChoices("SLACK_APP_REDIRECT_URL", "slack_app_redirect_url"),
    )  # where "Open Slack" after an install leads (the sandbox's page in the sandbox)
    token_rotation_minutes: int = Field(
        default=120,
        ge=1,
        le=700,
        validation_alias=AliasChoices("SLACK_TOKEN_ROTATION_MINUTES", "token_rotation_minutes"),
    )  # with token rotation on: refresh a token this long before it expires (Slack's last 12 hours)
    oauth_state_seconds: int = Field(
        default=600,
        ge=60,
        le=3600,
        validation_alias=AliasChoices("SLACK_STATE_SECONDS", "oauth_state_seconds"),
    )  # how long an install link's state is valid

    @field_validator("slack_signing_secret")
    @classmethod
    def _not_empty(cls, value: SecretStr) -> SecretStr:
        if not value.get_secret_value().strip():
            raise ValueError("must not be empty")
        return value

    @field_validator(
        "slack_bot_token", "slack_client_secret", "slack_state_secret", "slack_app_token", "slack_client_id"
    )
    @classmethod
    def _empty_is_unset(cls, value: SecretStr | str | None) -> SecretStr | str | None:
        """An optional credential set to "" (`VAR=` in a compose file or .env) counts as not set."""
        text = value.get_secret_value() if isinstance(value, SecretStr) else value
        return value if text and text.strip() else None

    @property
    def oauth(self) -> bool:
        """True when the app is installed from a link into many workspaces (SLACK_CLIENT_ID set)."""
        return bool(self.slack_client_id)

    def bot_token(self) -> str:
        """The one workspace's bot token (single-workspace mode; `load_settings` made sure it is set)."""
        if self.slack_bot_token is None:
            raise ConfigError("SLACK_BOT_TOKEN is not set")
        return self.slack_bot_token.get_secret_value()

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
    "slack_client_id": "SLACK_CLIENT_ID",
    "slack_client_secret": "SLACK_CLIENT_SECRET",
    "slack_state_secret": "SLACK_STATE_SECRET",
    "slack_scopes": "SLACK_SCOPES",
    "slack_user_scopes": "SLACK_USER_SCOPES",
    "slack_redirect_uri": "SLACK_REDIRECT_URI",
    "slack_authorize_url": "SLACK_AUTHORIZE_URL",
    "slack_app_redirect_url": "SLACK_APP_REDIRECT_URL",
    "token_rotation_minutes": "SLACK_TOKEN_ROTATION_MINUTES",
    "oauth_state_seconds": "SLACK_STATE_SECONDS",
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
        problems = _missing_credentials(_Credentials(**overrides)) + problems  # type: ignore[arg-type]
        raise ConfigError("Common Ground cannot start: " + "; ".join(problems) + ".") from None
    missing = _missing_credentials(settings)
    if missing:
        raise ConfigError("Common Ground cannot start: " + "; ".join(missing) + ".")
    if not settings.embedded_redis and settings.encryption_key is None:
        raise ConfigError(
            "Common Ground cannot start: COMMONGROUND_ENCRYPTION_KEY is not set. With REDIS_URL set, "
            "private text must be encrypted with a key you keep: create one with "
            "`commonground keygen` and set it in the environment."
        )
    return settings


class _Credentials(BaseSettings):
    """Only what says how the app talks to Slack, read leniently: to name what is missing even when
    other settings are invalid too."""

    model_config = SettingsConfigDict(extra="ignore", case_sensitive=False, populate_by_name=True)

    slack_bot_token: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("SLACK_BOT_TOKEN", "slack_bot_token")
    )
    slack_client_id: str | None = Field(
        default=None, validation_alias=AliasChoices("SLACK_CLIENT_ID", "slack_client_id")
    )
    slack_client_secret: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("SLACK_CLIENT_SECRET", "slack_client_secret")
    )
    slack_state_secret: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("SLACK_STATE_SECRET", "slack_state_secret")
    )

    @property
    def oauth(self) -> bool:
        """As `Settings.oauth`."""
        return bool(self.slack_client_id)


def _missing_credentials(settings: Settings | _Credentials) -> list[str]:
    """What is missing to talk to Slack: a bot token for one workspace, or with SLACK_CLIENT_ID the
    client secret and the state secret of installs from a link."""
    if not settings.oauth:
        return [] if settings.slack_bot_token else ["SLACK_BOT_TOKEN is not set (or set SLACK_CLIENT_ID)"]
    return [
        f"{name} is not set (SLACK_CLIENT_ID is)"
        for name, value in (
            ("SLACK_CLIENT_SECRET", settings.slack_client_secret),
            ("SLACK_STATE_SECRET", settings.slack_state_secret),
        )
        if value is None
    ]
