"""CAP messages for the CAP tests: a provincial weather service's warning as it would
send one, and a helper that makes published warnings directly (rows, as the service
would leave them)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from earlywarning.cap import cap_time
from earlywarning.choices import WarningSource, WarningStatus
from earlywarning.models import HazardWarning

# 山东省气象台: an orange rainstorm warning for two counties of 聊城市, written the way a
# provincial weather service publishes it (no platform parameters: the level comes from
# the severity, the hazard from the event's name, the areas from GB/T 2260 geocodes).
_SHANDONG_RAINSTORM = """<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>{identifier}</identifier>
  <sender>sdqxt@sd.cma.gov.cn</sender>
  <sent>{sent}</sent>
  <status>Actual</status>
  <msgType>Alert</msgType>
  <scope>Public</scope>
  <info>
    <language>zh-CN</language>
    <category>Met</category>
    <event>暴雨橙色预警</event>
    <responseType>Prepare</responseType>
    <urgency>Expected</urgency>
    <severity>Severe</severity>
    <certainty>Likely</certainty>
    <eventCode><valueName>CMA-EVENT</valueName><value>11B03</value></eventCode>
    <effective>{sent}</effective>
    <expires>{expires}</expires>
    <senderName>山东省气象台</senderName>
    <headline>山东省气象台发布暴雨橙色预警</headline>
    <description>受低涡切变线影响，预计14日白天到夜间，聊城市临清市、阳谷县将出现大暴雨，局部特大暴雨，累计雨量100～200毫米，最大小时雨强60毫米以上，并伴有雷电和7～9级雷暴大风。</description>
    <instruction>1. 政府及相关部门按照职责做好防暴雨应急工作；
2. 切断有危险的室外电源，暂停户外作业；
3. 做好城市、农田的排涝，注意防范可能引发的山洪、滑坡、泥石流等灾害。</instruction>
    <web>http://sd.cma.gov.cn/</web>
    <area>
      <areaDesc>聊城市临清市、阳谷县</areaDesc>
      <geocode><valueName>GB/T 2260</valueName><value>371581</value></geocode>
      <geocode><valueName>GB/T 2260</valueName><value>371521</value></geocode>
    </area>
  </info>
</alert>
"""


def shandong_rainstorm(
    identifier: str = "37000041600000_20261204063000", replace: dict[str, str] | None = None
) -> bytes:
    """The weather service's message, sent an hour ago and in force for a day; ``replace``
    swaps pieces of its text (to break it on purpose)."""
    now = timezone.now()
    text = _SHANDONG_RAINSTORM.format(
        identifier=identifier,
        sent=cap_time(now - timedelta(hours=1)),
        expires=cap_time(now + timedelta(days=1)),
    )
    for old, new in (replace or {}).items():
        text = text.replace(old, new)
    return text.encode()


def published(
    world,
    *,
    areas=None,
    hazard=None,
    level="orange",
    headline="卫运河临清段洪水橙色预警",
    status=WarningStatus.PUBLISHED,
    previous=None,
    **extra,
) -> HazardWarning:
    """A published warning as publish_warning leaves it (rows only)."""
    now = timezone.now().replace(microsecond=0)
    areas = areas or [world.town_a, world.town_a2]
    version = previous.version + 1 if previous else 1
    fields = {
        "identifier": f"371581-{now:%Y%m%d%H%M%S}-{HazardWarning.objects.count():06x}",
        "sender": "linkage@localhost",
        "version": version,
        "previous": previous,
        "msg_type": "Update" if previous else "Alert",
        "status": status,
        "hazard_type": hazard or world.flood_hazard,
        "level": level,
        "issuer": world.water_a,
        "jurisdiction": world.county_a,
        "headline": headline,
        "description": "受上游强降雨影响，卫运河临清段水位持续上涨，预计14日夜间超警戒水位0.5米。",
        "instruction": "沿河村庄做好人员转移准备，远离河道。",
        "force_instruction": "抢险队伍前置到先锋街道、松林镇堤段待命。",
        "effective_at": now - timedelta(hours=1),
        "expires_at": now + timedelta(days=1),
        "published_at": now - timedelta(minutes=30),
        "source": WarningSource.LOCAL,
        "opens_key_period": level in ("orange", "red"),
        "polygon": "36.85,115.70 36.85,115.80 36.80,115.80 36.80,115.70 36.85,115.70",
    }
    fields.update(extra)
    warning = HazardWarning.objects.create(**fields)
    warning.areas.set(areas)
    return warning
