"""Saved e-mail: one message (.eml) or a mailbox of them (.mbox), with the standard library's
email parser. A message reads as its subject, sender, date and body (the plain-text part, else the
HTML part's text); its attachments are not read here. A mailbox's messages are each a section,
numbered as their place."""

from __future__ import annotations

import email
import mailbox
from email import policy
from email.message import EmailMessage, Message
from pathlib import Path

from nearby.core.errors import UnsupportedFile
from nearby.core.extract.html import html_to_text
from nearby.core.extract.registry import Extracted, Section

MAX_MESSAGES = 100_000
MAX_BODY_CHARS = 200_000  # of one message (a message is a letter, not a book)


def read_eml(path: Path) -> Extracted:
    with open(path, "rb") as handle:
        message = email.message_from_binary_file(handle, policy=policy.default)
    if not any(_header(message, name) for name in ("From", "To", "Subject", "Date", "Message-ID")):
        raise UnsupportedFile("not an e-mail message (no sender, recipient, subject or date); damaged, or named "
                              "wrongly")
    text = _message_text(message)
    if not text.strip():
        raise UnsupportedFile("the message has no readable text (not an e-mail, or only attachments)")
    return Extracted(title=_header(message, "subject") or path.stem, sections=(Section(text),))


def read_mbox(path: Path) -> Extracted:
    box = mailbox.mbox(str(path), create=False)
    sections: list[Section] = []
    try:
        for number, key in enumerate(box.iterkeys()):
            if number >= MAX_MESSAGES:
                break
            text = _message_text(email.message_from_bytes(box.get_bytes(key), policy=policy.default))
            if text.strip():
                sections.append(Section(text, page=len(sections) + 1))
    finally:
        box.close()
    if not sections:
        raise UnsupportedFile("the mailbox holds no readable messages (not an mbox file, or empty)")
    return Extracted(title=path.stem, sections=tuple(sections))


def _message_text(message: Message) -> str:
    lines = [f"{name}: {value}" for name in ("Subject", "From", "Date") if (value := _header(message, name))]
    body = ""
    if isinstance(message, EmailMessage):
        part = message.get_body(preferencelist=("plain", "html"))
        if part is not None:
            try:
                body = part.get_content()
            except (LookupError, ValueError, AssertionError):  # an unknown charset or a broken part
                body = ""
            if part.get_content_subtype() == "html":
                body = html_to_text(body)[1]
    return "\n".join(lines) + ("\n\n" + body[:MAX_BODY_CHARS].strip() if body.strip() else "")


def _header(message: Message, name: str) -> str:
    try:
        return " ".join(str(message.get(name, "") or "").split())
    except (ValueError, LookupError):  # a malformed header
        return ""
