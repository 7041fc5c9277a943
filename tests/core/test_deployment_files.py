"""The deployment files agree with the settings: same variable names everywhere."""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def env_example_names():
    names = set()
    for line in (ROOT / ".env.example").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            names.add(line.split("=", 1)[0])
    return names


def test_compose_has_its_services_and_uses_documented_variables():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    assert set(compose["services"]) == {
        "postgres",
        "redis",
        "migrate",
        "web",
        "worker",
        "beat",
        "nginx",
    }
    used = set(re.findall(r"\$\{([A-Z_]+)", (ROOT / "docker-compose.yml").read_text()))
    assert used <= env_example_names()


def test_every_setting_read_from_the_environment_is_documented():
    settings_src = (ROOT / "config" / "settings.py").read_text(encoding="utf-8")
    read = set(re.findall(r'env(?:\.\w+)?\(\s*"([A-Z_]+)"', settings_src))
    assert read, "settings read nothing from the environment?"
    assert read <= env_example_names(), read - env_example_names()
