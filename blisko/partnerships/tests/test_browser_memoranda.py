"""Memoranda in a real browser (Debian's Chromium, headless, Ukrainian): a supervisor writes a
memorandum with its community and a partner, adds an obligation, signs it with a small real
PDF (made here, to the byte), downloads it, and records the fulfilment, seeing the obligation's
standing change from pending to fulfilled; the community's head then reads it without the
document. No request leaves the machine and no script fails (the browser fixtures check it)."""

import re

import pytest
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from blisko.core.clock import site_today
from blisko.core.models import AuditEvent
from blisko.core.testing.browser import DESKTOP
from blisko.partnerships.models import Fulfilment, Memorandum, MemorandumStatus, Obligation
from blisko.partnerships.tests.partnerships_data import PASSWORD, pdf_bytes, world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def translated(message: str, language: str = "uk") -> str:
    with translation.override(language):
        return gettext(message)


def _open_signed_in(browser_page, username: str, path: str):
    bp = browser_page(viewport=DESKTOP)
    page = bp.open(path)
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.get_by_label(translated("User name")).fill(username)
    page.get_by_label(translated("Password")).fill(PASSWORD)
    page.get_by_role("button", name=translated("Sign in")).click()
    expect(page).to_have_url(re.compile(re.escape(path) + r"$"))
    return bp, page


def test_a_memorandum_is_written_signed_with_a_pdf_and_its_obligation_fulfilled(
    browser_page, tmp_path
):
    w = world()
    today = site_today().isoformat()
    police, page = _open_signed_in(browser_page, "supervisor_a", "/police/partnerships/")
    expect(page.locator("[data-empty]")).to_be_visible()

    # A new memorandum: its title, the community and its head, a partner.
    page.locator("[data-new-memorandum]").click()
    expect(page).to_have_url(re.compile(r"/police/partnerships/new/$"))
    form = page.locator("[data-memorandum-form]")
    form.locator("[name='title']").fill("Меморандум про співпрацю у сфері безпеки")
    form.locator("[name='number']").fill("17/2025")
    form.locator("[name='unit']").select_option(str(w.unit.pk))
    form.locator("[name='parties-0-area']").select_option(str(w.area.pk))
    form.locator("[name='parties-0-head_name']").fill("Оксана Мельник")
    form.locator("[name='parties-0-head_office']").fill("Голова громади")
    form.locator("[name='partners-0-name']").fill("Ліцей № 1")
    form.locator("[name='partners-0-kind']").select_option("school")
    form.locator("[data-save]").click()
    expect(page).to_have_url(re.compile(r"/police/partnerships/\d+/$"))
    memorandum = Memorandum.objects.get()
    expect(page.locator("[data-memorandum-status]")).to_have_attribute(
        "data-memorandum-status", "draft"
    )
    expect(page.locator(f"[data-party='community'][data-area='{w.area.code}']")).to_be_visible()
    expect(page.locator("[data-empty='obligations']")).to_be_visible()

    # An obligation of the community: an office, due today.
    page.locator("[data-add-obligation] > summary").click()
    adding = page.locator("[data-obligation-form]")
    party = memorandum.parties.get()
    adding.locator("[name='party']").select_option(f"community:{party.pk}")
    adding.locator("[name='kind']").select_option("office")
    adding.locator("[name='description']").fill("Службове приміщення в будівлі ради, 18 м²")
    adding.locator("[name='due_on']").fill(today)
    adding.locator("button[type='submit']").click()
    obligation = Obligation.objects.get()
    row = page.locator(f"[data-obligations] [data-obligation='{obligation.pk}']")
    expect(row).to_have_attribute("data-standing", "pending")

    # Signed today, with the scanned PDF.
    page.locator("[data-sign] > summary").click()
    signing = page.locator("[data-sign-form]")
    expect(signing.locator("[name='signed_on']")).to_have_value(today)
    signing.locator("[name='document']").set_input_files(
        files=[{"name": "memorandum.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}]
    )
    signing.locator("button[type='submit']").click()
    expect(page.locator("[data-memorandum-status]")).to_have_attribute(
        "data-memorandum-status", "in_force"
    )
    expect(page.locator("[data-message='success']")).to_be_visible()
    memorandum.refresh_from_db()
    assert memorandum.status == MemorandumStatus.IN_FORCE and memorandum.document_sha256

    # The document downloads as the very PDF that was signed.
    with page.expect_download() as download:
        page.locator("[data-document]").click()
    saved = tmp_path / "downloaded.pdf"
    download.value.save_as(saved)
    assert saved.read_bytes() == pdf_bytes()

    # The fulfilment, recorded: the standing changes.
    expect(row).to_have_attribute("data-standing", "pending")
    detail = page.locator(f"[data-obligation-detail='{obligation.pk}']")
    detail.locator("details > summary").click()
    recording = detail.locator(f"[data-fulfilment-form='{obligation.pk}']")
    recording.locator("[name='state']").select_option("fulfilled")
    recording.locator("[name='evidence']").fill("Акт приймання-передачі № 4")
    recording.locator("button[type='submit']").click()
    row = page.locator(f"[data-obligations] [data-obligation='{obligation.pk}']")
    expect(row).to_have_attribute("data-standing", "fulfilled")
    expect(detail.locator("[data-fulfilment]")).to_contain_text("Акт приймання-передачі № 4")
    expect(page.locator("[data-history-action='fulfilment:recorded']")).to_have_count(1)
    assert Fulfilment.objects.get().recorded_by == w.supervisor_user
    assert AuditEvent.objects.filter(entity="memorandum", action="in_force").count() == 1
    police.screenshot("memoranda-1-fulfilled")

    # The list shows it fulfilled.
    page.goto(police.base_url + "/police/partnerships/")
    listed = page.locator(f"[data-memorandum='{memorandum.pk}']")
    expect(listed).to_have_attribute("data-status", "in_force")
    expect(listed.locator("[data-fulfilled]")).to_have_attribute("data-fulfilled", "1")

    # The community's head reads it: the standing, not the document.
    _head, head_page = _open_signed_in(
        browser_page, "head_a", f"/police/partnerships/{memorandum.pk}/"
    )
    expect(head_page.locator("[data-head-nav]")).to_be_visible()
    expect(
        head_page.locator(f"[data-obligations] [data-obligation='{obligation.pk}']")
    ).to_have_attribute("data-standing", "fulfilled")
    expect(head_page.locator("[data-document]")).to_have_count(0)
    expect(head_page.locator("[data-fulfilment-form]")).to_have_count(0)
    refused = head_page.request.get(
        police.base_url + f"/police/partnerships/{memorandum.pk}/document/"
    )
    assert refused.status == 404
