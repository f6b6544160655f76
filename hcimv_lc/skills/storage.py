"""Evidence files: checked by their content, stored under generated names."""

import hashlib
import logging
import os
import re
import secrets
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from werkzeug.datastructures import FileStorage

logger = logging.getLogger(__name__)

MAX_FILE_SIZE = 10 * 1024 * 1024
CHUNK = 64 * 1024

# What the first bytes say a file is, and the extension it is served with.
TYPES = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/webp": ".webp",
    "image/heic": ".heic",
    "application/pdf": ".pdf",
}
HEIC_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"mif1", b"msf1"}


class FileTooLarge(Exception):
    """The upload is larger than MAX_FILE_SIZE."""


class WrongFileType(Exception):
    """The content is not one of the accepted photo or PDF formats."""


@dataclass
class StoredFile:
    stored_name: str
    filename: str
    content_type: str
    size: int
    sha256: str


def sniff(head: bytes) -> str | None:
    """Return the content type the file's first bytes show, or None."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[4:8] == b"ftyp" and head[8:12] in HEIC_BRANDS:
        return "image/heic"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    return None


def clean_filename(name: str | None, content_type: str) -> str:
    """Return a display name without folders or odd characters, typed by content."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = unicodedata.normalize("NFC", base)
    stem = base.rsplit(".", 1)[0] if "." in base else base
    stem = "".join(char for char in stem if char.isalnum() or char in " -_()").strip(
        " .-_"
    )[:100]
    return (stem or "bewijs") + TYPES[content_type]


def upload_folder() -> Path:
    return Path(current_app.config["UPLOAD_FOLDER"])


def path_of(stored_name: str) -> Path:
    # Generated names are hex; anything else cannot point outside the folder.
    if not re.fullmatch(r"[0-9a-f]{32}", stored_name):
        raise ValueError("not a stored file name")
    return upload_folder() / stored_name[:2] / stored_name


def save(upload: FileStorage) -> StoredFile:
    """Check and store an upload; raise FileTooLarge or WrongFileType."""
    head = upload.stream.read(16)
    content_type = sniff(head)
    if content_type is None:
        raise WrongFileType()

    stored_name = secrets.token_hex(16)
    target = path_of(stored_name)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".part")
    digest = hashlib.sha256(head)
    size = len(head)
    try:
        with open(partial, "wb") as out:
            out.write(head)
            while chunk := upload.stream.read(CHUNK):
                size += len(chunk)
                if size > MAX_FILE_SIZE:
                    raise FileTooLarge()
                digest.update(chunk)
                out.write(chunk)
        os.chmod(partial, 0o640)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)

    logger.info("Evidence file stored (%s, %d bytes)", content_type, size)
    return StoredFile(
        stored_name=stored_name,
        filename=clean_filename(upload.filename, content_type),
        content_type=content_type,
        size=size,
        sha256=digest.hexdigest(),
    )


def delete(stored_name: str) -> None:
    """Remove a stored file; a file already gone is not an error."""
    path_of(stored_name).unlink(missing_ok=True)
