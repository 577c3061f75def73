"""Saved e-mail: one message (.eml) or a mailbox of them (.mbox), with the standard library's
email parser. A message reads as its subject, sender, date and body (the plain-text part, else the
HTML part's text), and the names of its attachments. A mailbox's messages are each a section,
numbered as their place.

Attachments are read as the files they are, by the same readers (a PDF, a Word file, a forwarded
message…), each from a copy in a private temporary folder: an .eml's attachments are its sections
"attachment 1", "attachment 2"; a mailbox message's follow its text in its section. Pictures and
songs sent by mail are named, not analysed. Bounded: MAX_ATTACHMENTS a message, each at most
MAX_ATTACHMENT_BYTES, one level of forwarded messages, and an attachment that cannot be read is
left out without costing its message."""

from __future__ import annotations

import email
import logging
import mailbox
import tempfile
from email import policy
from email.message import EmailMessage, Message
from pathlib import Path

from nearby.core.errors import UnsupportedFile
from nearby.core.extract.html import html_to_text
from nearby.core.extract.registry import Extracted, Section

log = logging.getLogger(__name__)

MAX_MESSAGES = 100_000
MAX_BODY_CHARS = 200_000  # of one message (a message is a letter, not a book)
MAX_ATTACHMENTS = 20
MAX_ATTACHMENT_BYTES = 50 * 1024 * 1024
MAX_ATTACHMENT_CHARS = 1_000_000  # of one attachment's text: a long report, not a whole library


def read_eml(path: Path) -> Extracted:
    with open(path, "rb") as handle:
        message = email.message_from_binary_file(handle, policy=policy.default)
    if not any(_header(message, name) for name in ("From", "To", "Subject", "Date", "Message-ID")):
        raise UnsupportedFile("not an e-mail message (no sender, recipient, subject or date); damaged, or named "
                              "wrongly")
    text = _message_text(message)
    subject = _header(message, "subject")
    attached = [Section(f"Attachment {name} of the message “{subject or path.stem}”\n\n{body}", page=number)
                for number, (name, body) in enumerate(_attachments(message), 1)]
    if not text.strip() and not attached:
        raise UnsupportedFile("the message has no readable text (not an e-mail, or only attachments)")
    return Extracted(title=subject or path.stem, sections=(Section(text), *attached))


def read_mbox(path: Path) -> Extracted:
    box = mailbox.mbox(str(path), create=False)
    sections: list[Section] = []
    try:
        for number, key in enumerate(box.iterkeys()):
            if number >= MAX_MESSAGES:
                break
            message = email.message_from_bytes(box.get_bytes(key), policy=policy.default)
            text = _message_text(message)
            text += "".join(f"\n\nAttachment {name}:\n{body}" for name, body in _attachments(message))
            if text.strip():
                sections.append(Section(text, page=len(sections) + 1))
    finally:
        box.close()
    if not sections:
        raise UnsupportedFile("the mailbox holds no readable messages (not an mbox file, or empty)")
    return Extracted(title=path.stem, sections=tuple(sections))


def _message_text(message: Message) -> str:
    lines = [f"{name}: {value}" for name in ("Subject", "From", "Date") if (value := _header(message, name))]
    names = _attachment_names(message)
    if names:
        lines.append("Attachments: " + ", ".join(names))
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


def _attachment_names(message: Message) -> list[str]:
    if not isinstance(message, EmailMessage):
        return []
    try:
        return [part.get_filename() or ("a forwarded message" if part.get_content_type() == "message/rfc822"
                                         else f"an unnamed {part.get_content_maintype()} file")
                for part in message.iter_attachments()]
    except (ValueError, LookupError, AttributeError):  # a malformed multipart
        return []


def _attachments(message: Message, depth: int = 0) -> list[tuple[str, str]]:
    """(name, text) of each attachment a reader of Nearby's can read."""
    from nearby.core.extract.registry import EXTENSIONS, extract

    if not isinstance(message, EmailMessage):
        return []
    found: list[tuple[str, str]] = []
    try:
        parts = list(message.iter_attachments())[:MAX_ATTACHMENTS]
    except (ValueError, LookupError, AttributeError):
        return []
    for part in parts:
        name = part.get_filename() or ""
        try:
            if part.get_content_type() == "message/rfc822" and depth == 0:  # a forwarded message
                inner = part.get_payload()
                inner = inner[0] if isinstance(inner, list) and inner else inner
                if isinstance(inner, EmailMessage):
                    text = _message_text(inner)
                    found.append((name or f"message “{_header(inner, 'subject')}”", text[:MAX_ATTACHMENT_CHARS]))
                continue
            suffix = Path(name).suffix.lower()
            if suffix not in EXTENSIONS or suffix in (".eml", ".mbox"):
                continue
            payload = part.get_payload(decode=True)
            if not isinstance(payload, bytes) or not payload or len(payload) > MAX_ATTACHMENT_BYTES:
                continue
            with tempfile.TemporaryDirectory(prefix="nearby-attachment-") as folder:
                copy = Path(folder) / f"attachment{suffix}"  # the sender's name is never a path here
                copy.write_bytes(payload)
                read = extract(copy)
            text = "\n\n".join(section.text for section in read.sections)
            found.append((name, text[:MAX_ATTACHMENT_CHARS]))
        except UnsupportedFile as exc:
            log.info("attachment %s left out: %s", name or "(unnamed)", exc)
        except Exception as exc:  # a broken part, or a reader library choking on it: the message stays
            log.info("attachment %s left out: %s", name or "(unnamed)", exc)
    return found
