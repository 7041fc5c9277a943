"""The Simplified Chinese catalogue (ECOSYSTEM.md: the UI is zh-hans): every message is
translated, nothing is fuzzy, the compiled .mo matches the .po, and the pages users see
come out in Chinese.

The .po file is parsed here by hand so that the checks need neither polib nor the GNU
gettext tools."""

from __future__ import annotations

import gettext
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.utils.translation import to_locale

LOCALE_DIR = Path(settings.BASE_DIR) / "locale"
LC_MESSAGES = LOCALE_DIR / to_locale(settings.LANGUAGE_CODE) / "LC_MESSAGES"
PO_PATH = LC_MESSAGES / "django.po"
MO_PATH = LC_MESSAGES / "django.mo"

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a", "b": "\b"}
_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")\s*$')


@dataclass
class Entry:
    line: int
    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: str | None = None
    msgstr_plural: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)

    @property
    def translations(self) -> list[str]:
        if self.msgid_plural is not None:
            return [self.msgstr_plural[k] for k in sorted(self.msgstr_plural)]
        return [self.msgstr or ""]

    @property
    def key(self) -> str:
        """The key gettext uses in the compiled catalogue."""
        return self.msgid if self.msgctxt is None else f"{self.msgctxt}\x04{self.msgid}"


def _unquote(token: str, where: str) -> str:
    if len(token) < 2 or token[0] != '"' or token[-1] != '"':
        raise ValueError(f"{where}: not a quoted string: {token!r}")
    body, out, i = token[1:-1], [], 0
    while i < len(body):
        ch = body[i]
        if ch == "\\":
            nxt = body[i + 1 : i + 2]
            if nxt not in _ESCAPES:
                raise ValueError(f"{where}: unknown escape \\{nxt}")
            out.append(_ESCAPES[nxt])
            i += 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def parse_po(path: Path) -> list[Entry]:
    """Entries of a .po file, header included (msgid ""); obsolete #~ entries are left out."""
    entries: list[Entry] = []
    current: Entry | None = None
    target: tuple[str, int | None] | None = None
    pending_flags: set[str] = set()

    def put(entry: Entry, kind: str, index: int | None, text: str, append: bool) -> None:
        if kind == "msgstr" and index is not None:
            entry.msgstr_plural[index] = (
                entry.msgstr_plural.get(index, "") if append else ""
            ) + text
        elif append:
            setattr(entry, kind, (getattr(entry, kind) or "") + text)
        else:
            setattr(entry, kind, text)

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        where = f"{path.name}:{number}"
        if not line:
            target = None
            continue
        if line.startswith("#~"):
            continue
        if line.startswith("#,"):
            pending_flags |= {flag.strip() for flag in line[2:].split(",") if flag.strip()}
            continue
        if line.startswith("#"):
            continue
        if line.startswith('"'):
            if current is None or target is None:
                raise ValueError(f"{where}: continuation line outside an entry")
            put(current, target[0], target[1], _unquote(line, where), append=True)
            continue
        match = _KEYWORD.match(line)
        if not match:
            raise ValueError(f"{where}: cannot parse {line!r}")
        keyword, index, token = match.group(1), match.group(2), match.group(3)
        kind = "msgstr" if keyword.startswith("msgstr") else keyword
        # msgctxt opens an entry; so does msgid unless it follows that entry's msgctxt.
        starts_entry = kind == "msgctxt" or (
            kind == "msgid" and (target is None or target[0] != "msgctxt")
        )
        if starts_entry:
            current = Entry(line=number, flags=pending_flags)
            pending_flags = set()
            entries.append(current)
        assert current is not None
        target = (kind, int(index) if index is not None else None)
        put(current, kind, target[1], _unquote(token, where), append=False)
    return entries


def test_parser_reads_context_plurals_flags_and_escapes(tmp_path):
    po = tmp_path / "sample.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: zh_Hans\\n"\n\n'
        '#, fuzzy, python-format\nmsgctxt "menu"\nmsgid "Open"\nmsgstr "打开"\n\n'
        'msgid ""\n"Say \\"hi\\"\\n"\n"twice"\nmsgstr ""\n\n'
        'msgid "%(n)s day"\nmsgid_plural "%(n)s days"\nmsgstr[0] "%(n)s 天"\n\n'
        '#~ msgid "Old"\n#~ msgstr "旧"\n',
        encoding="utf-8",
    )
    header, ctx, escaped, plural = parse_po(po)
    assert header.msgid == "" and header.msgstr == "Language: zh_Hans\n"
    assert (ctx.msgctxt, ctx.msgid, ctx.msgstr) == ("menu", "Open", "打开")
    assert ctx.flags == {"fuzzy", "python-format"} and ctx.key == "menu\x04Open"
    assert escaped.msgid == 'Say "hi"\ntwice' and escaped.translations == [""]
    assert escaped.flags == set()
    assert plural.msgid_plural == "%(n)s days" and plural.translations == ["%(n)s 天"]


@pytest.fixture(scope="module")
def entries() -> list[Entry]:
    assert PO_PATH.is_file(), f"missing {PO_PATH}; run makemessages -l zh_Hans"
    return parse_po(PO_PATH)


@pytest.fixture(scope="module")
def messages(entries) -> list[Entry]:
    return [e for e in entries if e.msgid != ""]


def test_language_code_maps_to_the_locale_directory():
    # Django looks for zh-hans in locale/zh_Hans, not zh_hans or zh-hans.
    assert to_locale("zh-hans") == "zh_Hans"
    assert LC_MESSAGES.parent.name == "zh_Hans"
    assert PO_PATH.is_file() and MO_PATH.is_file()


def test_header_declares_utf8_and_one_plural_form(entries):
    headers = [e for e in entries if e.msgid == "" and e.msgctxt is None]
    assert len(headers) == 1, "exactly one header entry"
    header = headers[0]
    assert "fuzzy" not in header.flags
    fields = dict(
        line.split(": ", 1) for line in (header.msgstr or "").splitlines() if ": " in line
    )
    assert fields.get("Language") == "zh_Hans"
    assert "charset=UTF-8" in fields.get("Content-Type", "")
    assert fields.get("Plural-Forms", "").replace(" ", "") == "nplurals=1;plural=0;"
    assert fields.get("Project-Id-Version", "").startswith("Linkage")


def test_catalogue_is_not_empty(messages):
    assert len(messages) > 100


def test_every_message_is_translated_and_none_is_fuzzy(messages):
    untranslated = [e.msgid for e in messages if not all(t.strip() for t in e.translations)]
    fuzzy = [e.msgid for e in messages if "fuzzy" in e.flags]
    assert not untranslated, f"untranslated: {untranslated}"
    assert not fuzzy, f"fuzzy: {fuzzy}"


def test_plural_entries_have_exactly_one_form(messages):
    wrong = [
        e.msgid for e in messages if e.msgid_plural is not None and sorted(e.msgstr_plural) != [0]
    ]
    assert not wrong, f"Chinese has one plural form (msgstr[0] only): {wrong}"


# %(name)s / %(n)d / %s / %% (printf style) and {name} (str.format style).
_PLACEHOLDER = re.compile(r"%(?:\(\w+\))?[#0 +-]*\d*(?:\.\d+)?[sdifrxXeEgGc%]|\{\w*\}")
_TAG = re.compile(r"</?[a-zA-Z][^>]*>")


def test_placeholders_and_markup_are_kept(messages):
    problems = []
    for e in messages:
        sources = [e.msgid] + ([e.msgid_plural] if e.msgid_plural else [])
        for pattern in (_PLACEHOLDER, _TAG):
            wanted = sorted({m for s in sources for m in pattern.findall(s)})
            for translation in e.translations:
                found = sorted(set(pattern.findall(translation)))
                if found != wanted:
                    problems.append((e.msgid, wanted, found))
    assert not problems, problems


def test_compiled_catalogue_matches_the_po_file(messages):
    with MO_PATH.open("rb") as fp:
        compiled = gettext.GNUTranslations(fp)
    stale = []
    for e in messages:
        if e.msgid_plural is None:
            got = (
                compiled.gettext(e.msgid)
                if e.msgctxt is None
                else compiled.pgettext(e.msgctxt, e.msgid)
            )
            if got != e.msgstr:
                stale.append((e.key, e.msgstr, got))
        else:
            for n in (1, 2, 5):
                got = (
                    compiled.ngettext(e.msgid, e.msgid_plural, n)
                    if e.msgctxt is None
                    else compiled.npgettext(e.msgctxt, e.msgid, e.msgid_plural, n)
                )
                if got != e.msgstr_plural[0]:
                    stale.append((e.key, e.msgstr_plural[0], got))
    assert not stale, f"django.mo is out of date; run compilemessages: {stale[:10]}"
    # Nothing left over from messages that have since been removed from the .po.
    # (_catalog is CPython's internal dict; plural keys are (msgid, index) tuples.)
    po_keys = {e.key for e in messages}
    mo_keys = {k[0] if isinstance(k, tuple) else k for k in compiled._catalog} - {""}
    assert mo_keys == po_keys, f"only in .mo: {mo_keys - po_keys}; only in .po: {po_keys - mo_keys}"


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext (msgfmt) not installed")
def test_msgfmt_accepts_the_po_file():
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(PO_PATH)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "untranslated" not in result.stderr and "fuzzy" not in result.stderr, result.stderr


CHINESE_ON_LIST = [
    "应急救援力量",
    "24小时值班电话",
    "待命",
    "政府应急救援力量",
    "登记队伍",
    "退出登录",
]
CHINESE_ON_DETAIL = [
    "应急救援力量",
    "24小时值班电话",
    "待命",
    "政府应急救援力量",
    "变更记录",
    "基本信息",
]
ENGLISH_SOURCES = ["Rescue forces", "Change history", "24-hour duty phone", "Standby", "Log out"]


@pytest.mark.django_db
@pytest.mark.parametrize("accept_language", [None, "zh-CN,zh;q=0.9"])
def test_registry_pages_speak_chinese(client, world, accept_language):
    client.force_login(world.editor_a)
    headers = {"HTTP_ACCEPT_LANGUAGE": accept_language} if accept_language else {}
    pages = {
        "/forces/": CHINESE_ON_LIST,
        f"/forces/{world.force_a.pk}/": CHINESE_ON_DETAIL,
    }
    for url, expected in pages.items():
        response = client.get(url, **headers)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert '<html lang="zh-CN"' in html, url
        for text in expected:
            assert text in html, f"{text!r} missing on {url}"
        for text in ENGLISH_SOURCES:
            assert text not in html, f"untranslated {text!r} on {url}"


@pytest.mark.django_db
def test_english_is_still_available(client, world):
    """The catalogue translates; it does not replace the English source strings."""
    client.force_login(world.editor_a)
    html = client.get(f"/forces/{world.force_a.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Change history" in html and "变更记录" not in html


# The incident, dispatch and command-hall screens (SPEC §3–4, §9 "Words").
CHINESE_ON_COMMAND_PAGES = {
    "/command/incidents/": ["警情", "接警时间", "事件类型", "等级", "来源", "登记警情"],
    "incident": ["警情", "事件日志", "接警时间", "来源", "人员伤亡", "调用方案", "出动指令"],
    "/dispatch/plans/": ["调用方案", "拟定人", "提交时间", "全部"],
    "/hall/dashboard/": [
        "值班看板",
        "在办警情",
        "待审批方案",
        "超时指令",
        "执行中指令",
        "指挥大厅",
    ],
    "/hall/screen/": ["指挥大厅", "在办警情", "待审批方案", "超时指令", "实时动态"],
}
ENGLISH_ON_COMMAND_PAGES = [
    "Incidents",
    "Call-out plan",
    "Duty dashboard",
    "Command hall",
    "Open incidents",
    "Orders overdue",
    "Received at",
    "Timeline",
    "Connecting",
]
# The live status badge (live.js swaps these texts in from data-text-* attributes).
LIVE_BADGE = [
    'data-text-live="实时"',
    'data-text-lost="连接中断"',
    'data-text-catching-up="正在同步"',
]


@pytest.mark.django_db
@pytest.mark.parametrize("accept_language", [None, "zh-CN,zh;q=0.9"])
def test_command_and_hall_pages_speak_chinese(client, incident_world, accept_language):
    world = incident_world
    client.force_login(world.duty_officer_a)
    headers = {"HTTP_ACCEPT_LANGUAGE": accept_language} if accept_language else {}
    for key, expected in CHINESE_ON_COMMAND_PAGES.items():
        url = f"/command/incidents/{world.incident_a.pk}/" if key == "incident" else key
        response = client.get(url, **headers)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert 'lang="zh-CN"' in html, url
        for text in expected:
            assert text in html, f"{text!r} missing on {url}"
        for text in ENGLISH_ON_COMMAND_PAGES:
            assert text not in html, f"untranslated {text!r} on {url}"
        if url.startswith("/hall/"):
            for attribute in LIVE_BADGE:
                assert attribute in html, f"{attribute!r} missing on {url}"


@pytest.mark.django_db
def test_incident_levels_use_the_official_grades(client, incident_world):
    """Ⅰ级 特别重大 … Ⅳ级 一般, 未研判 (SPEC §3) in the level filter of the incident list."""
    client.force_login(incident_world.duty_officer_a)
    html = client.get("/command/incidents/").content.decode()
    for label in ["未研判", "Ⅳ级（一般）", "Ⅲ级（较大）", "Ⅱ级（重大）", "Ⅰ级（特别重大）"]:
        assert label in html, f"{label!r} missing from the level filter"


def test_call_out_order_is_never_translated_as_sorting():
    """In dispatch an order is a call-out order (出动指令), never 排序 (SPEC §9); msgids
    that now carry a context get the translation of that context."""
    from django.utils.translation import gettext, override, pgettext

    with override("zh-hans"):
        assert gettext("order") == "出动指令"
        assert gettext("order number") == "指令编号"
        assert gettext("Call-out order") == "出动指令单"
        assert gettext("Acknowledged") == "已签收"
        assert pgettext("incident", "title") == "标题"
        assert pgettext("expert", "title") == "职称"
        assert pgettext("person", "name") == "姓名"
