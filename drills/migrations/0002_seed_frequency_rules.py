"""The drill frequency rules of Linqing §四.(二) and Rongcheng §四.二.4, as data."""

from django.db import migrations

RULES = [
    {
        "code": "bureau-annual-multi-department-comprehensive",
        "name": "应急管理局每年至少1次多部门联合综合性演练",
        "organisation_kind": "emergency_bureau",
        "risk_class": "",
        "scope": "organisation",
        "period_months": 12,
        "drill_types": ["comprehensive"],
        "requires_multi_department": True,
        "source": "Rongcheng §四.二.4; Linqing §四.(二)",
    },
    {
        "code": "high-risk-half-yearly",
        "name": "高危行业企业、人员密集场所每半年至少1次综合或专项演练",
        "organisation_kind": "",
        "risk_class": "high",
        "scope": "organisation",
        "period_months": 6,
        "drill_types": ["comprehensive", "special"],
        "requires_multi_department": False,
        "source": "Linqing §四.(二)",
    },
    {
        "code": "high-risk-special-plans-2y",
        "name": "高危行业企业、人员密集场所每2年演练全部专项预案",
        "organisation_kind": "",
        "risk_class": "high",
        "scope": "special_plan",
        "period_months": 24,
        "drill_types": [],
        "requires_multi_department": False,
        "source": "Linqing §四.(二)",
    },
    {
        "code": "enterprise-yearly",
        "name": "其他企业每年至少1次综合或专项演练",
        "organisation_kind": "enterprise",
        "risk_class": "normal",
        "scope": "organisation",
        "period_months": 12,
        "drill_types": ["comprehensive", "special"],
        "requires_multi_department": False,
        "source": "Linqing §四.(二)",
    },
    {
        "code": "enterprise-special-plans-3y",
        "name": "其他企业每3年演练全部专项预案",
        "organisation_kind": "enterprise",
        "risk_class": "normal",
        "scope": "special_plan",
        "period_months": 36,
        "drill_types": [],
        "requires_multi_department": False,
        "source": "Linqing §四.(二)",
    },
]


def seed(apps, schema_editor):
    Rule = apps.get_model("drills", "DrillFrequencyRule")
    for row in RULES:
        Rule.objects.update_or_create(code=row["code"], defaults=row)


def unseed(apps, schema_editor):
    Rule = apps.get_model("drills", "DrillFrequencyRule")
    Rule.objects.filter(code__in=[r["code"] for r in RULES]).delete()


class Migration(migrations.Migration):
    dependencies = [("drills", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
