"""Settings read from the environment through small typed helpers."""

import os
import secrets
from datetime import timedelta
from pathlib import Path

ENVIRONMENTS = ("development", "production", "testing")
DEFAULT_SECRET_KEYS = {"", "dev", "change-me", "secret"}
MIN_SECRET_LENGTH = 32
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


class ConfigError(RuntimeError):
    """Raised when the environment holds a setting the app cannot start with."""


def env_str(name: str, default: str = "") -> str:
    """Return an environment variable with surrounding white space removed."""
    return os.environ.get(name, default).strip()


def env_int(name: str, default: int, minimum: int = 0) -> int:
    """Return an integer environment variable, refusing what is not a number."""
    raw = env_str(name)
    if not raw:
        return default

    try:
        value = int(raw)
    except ValueError as error:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}") from error

    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}")

    return value


def env_bool(name: str, default: bool = False) -> bool:
    """Return a yes/no environment variable, refusing anything else."""
    raw = env_str(name).lower()
    if not raw:
        return default
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False

    raise ConfigError(f"{name} must be true or false, not {raw!r}")


def env_choice(name: str, choices: tuple[str, ...], default: str) -> str:
    """Return one of the allowed values of a variable, in upper case."""
    value = env_str(name, default).upper()
    if value not in choices:
        raise ConfigError(f"{name} must be one of {', '.join(choices)}")

    return value


def environment() -> str:
    """Return the selected environment: development, production or testing."""
    name = env_str("HCIMV_ENV", "development").lower()
    if name not in ENVIRONMENTS:
        raise ConfigError(f"HCIMV_ENV must be one of {', '.join(ENVIRONMENTS)}")

    return name


def development_secret_key(instance_path: Path) -> str:
    """Return the key kept in the instance folder, creating it on first use."""
    path = instance_path / "secret_key"
    if path.exists():
        return path.read_text().strip()

    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    path.write_text(key)
    path.chmod(0o600)
    return key


def load(instance_path: Path) -> dict:
    """Build the Flask configuration for the selected environment."""
    env = environment()
    production = env == "production"

    secret_key = env_str("SECRET_KEY")
    if production and (
        secret_key.lower() in DEFAULT_SECRET_KEYS or len(secret_key) < MIN_SECRET_LENGTH
    ):
        raise ConfigError(
            f"SECRET_KEY must be a random value of at least {MIN_SECRET_LENGTH} "
            "characters in production"
        )
    if not secret_key:
        secret_key = development_secret_key(instance_path)

    database_url = env_str("DATABASE_URL")
    if not database_url:
        instance_path.mkdir(parents=True, exist_ok=True)
        database_url = f"sqlite:///{instance_path / 'hcimv_lc.sqlite'}"
    if database_url.startswith("postgres://"):
        database_url = database_url.replace("postgres://", "postgresql+psycopg://", 1)
    elif database_url.startswith("postgresql://"):
        database_url = database_url.replace("postgresql://", "postgresql+psycopg://", 1)

    redis_url = env_str("REDIS_URL")

    return {
        "ENV_NAME": env,
        "SECRET_KEY": secret_key,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        # Off only for load benchmarks, whose clients all share one address.
        "RATELIMIT_ENABLED": env_bool("RATELIMIT_ENABLED", True),
        "RATELIMIT_HEADERS_ENABLED": False,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        # "Remember me" keeps the session cookie for the absolute limit; without it
        # the browser forgets it on closing, and the server ends it after idling.
        "PERMANENT_SESSION_LIFETIME": timedelta(days=30),
        "SESSION_ABSOLUTE_LIMIT": timedelta(days=30),
        "SESSION_IDLE_LIMIT": timedelta(hours=8),
        "MAX_CONTENT_LENGTH": 10 * 1024 * 1024,
        "WTF_CSRF_TIME_LIMIT": None,
        "WTF_CSRF_SSL_STRICT": production,
        "PREFERRED_URL_SCHEME": "https" if production else "http",
        "BABEL_DEFAULT_LOCALE": "nl",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Amsterdam",
        "BABEL_TRANSLATION_DIRECTORIES": str(Path(__file__).parent / "translations"),
        "PASSWORD_HASH_METHOD": "scrypt",
        "PASSWORD_RESET_MAX_AGE": env_int("PASSWORD_RESET_MAX_AGE", 3600, minimum=60),
        "INVITATION_DAYS": 14,
        "MAIL_BACKEND": "smtp" if env_str("SMTP_HOST") else "log",
        "SMTP_HOST": env_str("SMTP_HOST"),
        "SMTP_PORT": env_int("SMTP_PORT", 587, minimum=1),
        "SMTP_USERNAME": env_str("SMTP_USERNAME"),
        "SMTP_PASSWORD": env_str("SMTP_PASSWORD"),
        "SMTP_STARTTLS": env_bool("SMTP_STARTTLS", True),
        "MAIL_FROM": env_str(
            "MAIL_FROM", "HCIMV Leergemeenschappen <noreply@localhost>"
        ),
        "BASE_URL": env_str("BASE_URL", "http://127.0.0.1:5000"),
        # Uploaded evidence and the badge signing key live outside static/ and git.
        "UPLOAD_FOLDER": env_str("UPLOAD_FOLDER", str(instance_path / "uploads")),
        "BADGE_KEY_PATH": env_str(
            "BADGE_KEY_PATH", str(instance_path / "badge_signing_key.pem")
        ),
        "SEED_DEMO_ACCOUNTS": not production or env_bool("SEED_DEMO_ACCOUNTS"),
        "LOG_LEVEL": env_choice("LOG_LEVEL", LOG_LEVELS, "INFO"),
        "PROXY_FIX_HOPS": env_int("PROXY_FIX_HOPS", 0),
    }
