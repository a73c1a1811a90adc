"""Every user-facing string has a Simplified Chinese translation, and the compiled catalogue is current."""

from pathlib import Path

import polib
from django.utils import translation

from loopdesk.tickets.workflow import STATUS_LABELS, Status

PO = Path(__file__).resolve().parents[1] / "loopdesk" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def test_every_msgid_is_translated_and_not_fuzzy():
    catalogue = polib.pofile(str(PO))
    untranslated = [e.msgid for e in catalogue.untranslated_entries()]
    fuzzy = [e.msgid for e in catalogue.fuzzy_entries()]
    assert untranslated == [] and fuzzy == []


def test_statuses_read_in_sop_terms():
    with translation.override("zh-hans"):
        labels = {s: str(STATUS_LABELS[s]) for s in Status}
    assert labels[Status.NEW] == "已登记"
    assert labels[Status.NOTIFIED] == "已反馈"
    assert labels[Status.CLOSED] == "已闭环"
    assert labels[Status.REOPENED] == "二次处理"
