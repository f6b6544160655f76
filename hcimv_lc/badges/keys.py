"""The platform's Ed25519 key that signs Open Badges, kept as a PEM file."""

import base64
import hashlib
import logging
import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

logger = logging.getLogger(__name__)

CREATE_COMMAND = "flask --app wsgi badges create-key"


class MissingKey(RuntimeError):
    """Raised when the signing key file is absent or holds no usable key."""


def create_key(path: Path, *, force: bool = False) -> str:
    """Write a new private key to path, readable by its owner only; return its id."""
    path = Path(path)
    if path.exists() and not force:
        raise FileExistsError(f"A badge signing key exists already at {path}")

    private_key = Ed25519PrivateKey.generate()
    pem = private_key.private_bytes(
        encoding=serialization.Encoding.PEM,
        format=serialization.PrivateFormat.PKCS8,
        encryption_algorithm=serialization.NoEncryption(),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    if force:
        retire(path)
        # A replacement goes through a sibling file, so a crash never leaves half a
        # key behind and the old one stays until the new one is complete.
        partial = path.with_name(f".{path.name}.new")
        partial.unlink(missing_ok=True)
        write_private_file(partial, pem)
        os.replace(partial, path)
    else:
        write_private_file(path, pem)

    kid = key_id(private_key.public_key())
    logger.info("Badge signing key %s created at %s", kid, path)
    return kid


def retired_folder(path: Path) -> Path:
    return path.with_name(f"{path.name}.retired")


def retire(path: Path) -> None:
    """Keep the public half of the key being replaced, so its badges still verify."""
    try:
        old = load_private_key(path)
    except MissingKey:
        return

    folder = retired_folder(path)
    folder.mkdir(parents=True, exist_ok=True)
    public_pem = old.public_key().public_bytes(
        encoding=serialization.Encoding.PEM,
        format=serialization.PublicFormat.SubjectPublicKeyInfo,
    )
    (folder / f"{key_id(old.public_key())}.pem").write_bytes(public_pem)
    logger.info("Badge signing key %s retired", key_id(old.public_key()))


def public_keys(path: Path) -> dict[str, Ed25519PublicKey]:
    """Return the current and the retired public keys by their id."""
    found = {}
    folder = retired_folder(Path(path))
    for item in sorted(folder.glob("*.pem")) if folder.is_dir() else []:
        key = serialization.load_pem_public_key(item.read_bytes())
        if isinstance(key, Ed25519PublicKey):
            found[key_id(key)] = key
    try:
        current = load_private_key(path).public_key()
    except MissingKey:
        return found
    found[key_id(current)] = current
    return found


def write_private_file(path: Path, content: bytes) -> None:
    """Create path with mode 0600, failing if it exists, and write content to it."""
    # O_EXCL closes the gap between the existence check and the write, and the mode
    # is set at creation so the key is never readable by others, whatever the umask.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(content)
    path.chmod(0o600)


def load_private_key(path: Path) -> Ed25519PrivateKey:
    """Read the private key at path, or raise MissingKey saying how to create one."""
    path = Path(path)
    try:
        pem = path.read_bytes()
    except OSError as error:
        raise MissingKey(
            f"The badge signing key at {path} cannot be read ({error.strerror}). "
            f"Create one with `{CREATE_COMMAND}`."
        ) from error

    try:
        private_key = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError) as error:
        raise MissingKey(
            f"The file {path} holds no readable badge signing key. "
            f"Create one with `{CREATE_COMMAND} --force`."
        ) from error

    if not isinstance(private_key, Ed25519PrivateKey):
        raise MissingKey(
            f"The key at {path} is not an Ed25519 key. "
            f"Create one with `{CREATE_COMMAND} --force`."
        )

    return private_key


def raw_public_bytes(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(
        encoding=serialization.Encoding.Raw, format=serialization.PublicFormat.Raw
    )


def key_id(public_key: Ed25519PublicKey) -> str:
    """Return the short, stable identifier of a public key."""
    return hashlib.sha256(raw_public_bytes(public_key)).hexdigest()[:16]


def public_jwk(public_key: Ed25519PublicKey) -> dict:
    """Return the public key as a JSON Web Key (RFC 8037), for verifiers."""
    x = base64.urlsafe_b64encode(raw_public_bytes(public_key)).rstrip(b"=")
    return {
        "kty": "OKP",
        "crv": "Ed25519",
        "x": x.decode("ascii"),
        "kid": key_id(public_key),
        "alg": "EdDSA",
        "use": "sig",
    }
