"""content/site.toml → Config (frozen dataclasses), every key validated."""

from generator.config.named import MetricDefinition, Named
from generator.config.newsletter import NewsletterSettings
from generator.config.payroll import PaySchedule
from generator.config.settings import (
    CALENDAR_NAMES,
    Audience,
    CalendarSettings,
    Config,
    ContentSettings,
    Office,
    load_config,
    parse_config,
    read_config,
)

__all__ = [
    "CALENDAR_NAMES",
    "Audience",
    "CalendarSettings",
    "Config",
    "ContentSettings",
    "MetricDefinition",
    "Named",
    "NewsletterSettings",
    "Office",
    "PaySchedule",
    "load_config",
    "parse_config",
    "read_config",
]
