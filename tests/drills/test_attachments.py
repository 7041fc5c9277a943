"""Drill attachments: size and type checked before anything is written (RELIABILITY:
"Uploads: size and type checked before parsing")."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.exceptions import PermissionDeniedError, ValidationFailed
from drills import services
from drills.models import DrillAttachment
from tests.drills.helpers import plan_drill

pytestmark = pytest.mark.django_db

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.7\n" + b"\x00" * 64
ZIP = b"PK\x03\x04" + b"\x00" * 64


def stored_files(media_root):
    return [p for p in media_root.rglob("*") if p.is_file()] if media_root.exists() else []


@pytest.fixture
def drill(dw):
    return plan_drill(dw.admin_a, dw.bureau_a, planned_date=date(2026, 5, 20))


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("现场照片.jpg", JPEG, "image/jpeg"),
        ("photo.JPEG", JPEG, "image/jpeg"),
        ("scene.png", PNG, "image/png"),
        ("评估报告.pdf", PDF, "application/pdf"),
        (
            "总结.docx",
            ZIP,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("名单.xlsx", ZIP, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ],
)
def test_accepted_types_are_stored(dw, drill, media_root, name, content, content_type):
    """SPEC §6: drill records take photos and documents."""
    upload = SimpleUploadedFile(name, content, content_type="application/octet-stream")
    att = services.add_drill_attachment(actor=dw.duty_officer_a, drill_id=drill.pk, upload=upload)
    assert att.original_name == name
    assert att.content_type == content_type  # from the extension, not the client
    assert att.size == len(content)
    assert att.uploaded_by == dw.duty_officer_a
    assert att.file.name.startswith("drills/")
    assert len(stored_files(media_root)) == 1


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("script.exe", b"MZ" + b"\x00" * 64, "attachment_type"),
        ("noextension", JPEG, "attachment_type"),
        ("page.html", b"<html></html>", "attachment_type"),
        ("fake.jpg", PDF, "attachment_content_mismatch"),
        ("fake.png", JPEG, "attachment_content_mismatch"),
        ("fake.pdf", b"hello world", "attachment_content_mismatch"),
        ("fake.docx", PDF, "attachment_content_mismatch"),
        ("empty.pdf", b"", "attachment_empty"),
    ],
)
def test_refused_uploads_write_nothing(dw, drill, media_root, name, content, code):
    """Extension AND magic bytes must match an accepted type; nothing is saved."""
    upload = SimpleUploadedFile(name, content)
    with pytest.raises(ValidationFailed) as exc:
        services.add_drill_attachment(actor=dw.admin_a, drill_id=drill.pk, upload=upload)
    assert exc.value.code == code
    assert "file" in exc.value.errors
    assert not DrillAttachment.objects.exists()
    assert stored_files(media_root) == []


def test_too_large_is_refused_at_the_limit_plus_one(dw, drill, media_root, settings):
    """DRILL_ATTACHMENT_MAX_BYTES bounds the size; exactly the limit is fine."""
    settings.DRILL_ATTACHMENT_MAX_BYTES = 100
    ok = SimpleUploadedFile("ok.pdf", PDF.ljust(100, b"\x00"))
    services.add_drill_attachment(actor=dw.admin_a, drill_id=drill.pk, upload=ok)
    big = SimpleUploadedFile("big.pdf", PDF.ljust(101, b"\x00"))
    with pytest.raises(ValidationFailed) as exc:
        services.add_drill_attachment(actor=dw.admin_a, drill_id=drill.pk, upload=big)
    assert exc.value.code == "attachment_too_large"
    assert DrillAttachment.objects.count() == 1
    assert len(stored_files(media_root)) == 1


def test_default_limit_is_20_mb(settings):
    if hasattr(settings, "DRILL_ATTACHMENT_MAX_BYTES"):
        del settings.DRILL_ATTACHMENT_MAX_BYTES
    assert services.max_attachment_bytes() == 20 * 1024 * 1024


def test_unauthorised_upload_writes_no_file(dw, drill, media_root):
    """SPEC §1: only the drill's managers attach files; a refusal leaves no orphan file."""
    upload = SimpleUploadedFile("scene.png", PNG)
    with pytest.raises(PermissionDeniedError):
        services.add_drill_attachment(actor=dw.editor_power_a, drill_id=drill.pk, upload=upload)
    assert stored_files(media_root) == []
    assert not DrillAttachment.objects.exists()


# --- through the page and the API ------------------------------------------------------------


def test_page_shows_field_error_for_bad_upload(dw, drill, client, media_root):
    client.force_login(dw.admin_a)
    response = client.post(
        f"/drills/{drill.pk}/attachments/",
        {"file": SimpleUploadedFile("fake.jpg", PDF)},
    )
    assert response.status_code == 400
    assert "field-error" in response.content.decode()
    assert stored_files(media_root) == []


def test_page_upload_then_download(dw, drill, client):
    client.force_login(dw.admin_a)
    response = client.post(
        f"/drills/{drill.pk}/attachments/", {"file": SimpleUploadedFile("scene.png", PNG)}
    )
    assert response.status_code == 302
    att = DrillAttachment.objects.get()
    download = client.get(f"/drills/attachments/{att.pk}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PNG
    client.force_login(dw.duty_officer_b)
    assert client.get(f"/drills/attachments/{att.pk}/").status_code == 404


def test_api_answers_400_for_bad_upload(dw, drill, api, media_root):
    response = api(dw.admin_a).post(
        f"/api/v1/drills/drills/{drill.pk}/attachments/",
        {"file": SimpleUploadedFile("fake.png", JPEG)},
        format="multipart",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "attachment_content_mismatch"
    assert "file" in body["errors"]
    assert stored_files(media_root) == []


def test_api_upload_created(dw, drill, api):
    response = api(dw.admin_a).post(
        f"/api/v1/drills/drills/{drill.pk}/attachments/",
        {"file": SimpleUploadedFile("评估报告.pdf", PDF)},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["original_name"] == "评估报告.pdf"
