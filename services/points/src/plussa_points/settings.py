"""Configuration of the points service, read from PLUSSA_POINTS_* environment variables."""

from pydantic_settings import SettingsConfigDict

from plussa_shared.settings import ServiceSettings


class PointsSettings(ServiceSettings):
    """Settings of the points service."""

    model_config = SettingsConfigDict(env_prefix="PLUSSA_POINTS_", extra="ignore")

    service_name: str = "points"
    port: int = 8083
    mongo_database: str = "plussa_points"
