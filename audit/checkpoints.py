"""Signed checkpoints: the audit trail anchored outside the database.

A checkpoint says "the trail had N entries, its chain ended at hash H, and the Merkle tree over
them (``audit.merkle``) has root R", signed with an Ed25519 key the operator holds outside the
database (``AUDIT_SIGNING_KEY_FILE``). Each one is written twice: to the database
(:class:`audit.models.AuditCheckpoint`, append-only) and as a file in ``AUDIT_CHECKPOINT_DIR``, a
directory the operator ships anywhere (another server, a write-once bucket, the IG officers'
mail). Whoever can rewrite the database cannot sign a checkpoint for the rewritten trail, and
cannot reach the copies shipped away: ``verify_audit`` checks the trail against every checkpoint
it finds, so a chain recomputed after an edit, or entries cut from its end, fail against them.

The format is a C2SP signed note (https://c2sp.org/signed-note) holding a tlog checkpoint
(https://c2sp.org/tlog-checkpoint), as Certificate Transparency's and Go's logs write them, so
standard tools can read it::

    isa-portal/audit                      <- origin (AUDIT_CHECKPOINT_ORIGIN)
    505                                   <- tree size: entries
    om8yQlo5CQTXQcfnuZP3Fo4+/eQaEjPjFcrG8FWMJL8=   <- Merkle root, base64
    chain-head 7d7532...                  <- the entry_hash of entry N (the chain's head)
    last-entry 505                        <- its id
    time 2026-12-06T07:40:00.000000+00:00
    frontier 9f86d0... 3e23e8...          <- the perfect subtrees (audit.merkle.Frontier)

    — isa-portal/audit ABCDEF...base64 of key id (4 bytes) and signature (64 bytes)

The signature covers every line above the blank one. The key id is the first four bytes of
SHA-256(origin, newline, 0x01, public key), as signed notes define it for Ed25519.
"""

import base64
import hashlib
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from audit import merkle

ED25519 = b"\x01"  # the signed-note signature type


class CheckpointError(Exception):
    """A checkpoint that cannot be read or trusted; the message names which and why."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    tree_size: int
    root: bytes
    head: str
    last_entry_id: int
    time: datetime
    frontier: merkle.Frontier

    def body(self) -> str:
        frontier = " ".join(node.hex() for _, node in self.frontier.nodes)
        lines = [
            self.origin,
            str(self.tree_size),
            base64.b64encode(self.root).decode(),
            f"chain-head {self.head}",
            f"last-entry {self.last_entry_id}",
            f"time {self.time.astimezone(UTC).isoformat(timespec='microseconds')}",
        ]
        if frontier:
            lines.append(f"frontier {frontier}")
        return "\n".join(lines) + "\n"

    @property
    def label(self) -> str:
        signed = self.time.astimezone(UTC)
        return f"the checkpoint of {self.tree_size:,} entries signed {signed:%d %B %Y %H:%M:%S} UTC"

    @property
    def filename(self) -> str:
        return f"{self.tree_size:012d}-{self.time.astimezone(UTC):%Y%m%dT%H%M%S%fZ}.checkpoint"


# Keys.


def origin() -> str:
    return getattr(settings, "AUDIT_CHECKPOINT_ORIGIN", "") or "isa-portal/audit"


def key_id(name: str, public_key: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + ED25519 + public_key).digest()[:4]


def raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def verifier_key(name: str, public_key: bytes) -> str:
    """The public key as a signed-note verifier key: ``name+keyid+base64(0x01 || key)``."""
    return f"{name}+{key_id(name, public_key).hex()}+{base64.b64encode(ED25519 + public_key).decode()}"


def parse_verifier_key(text: str) -> tuple[str, bytes]:
    name, hex_id, encoded = text.strip().split("+", 2)  # a name has no "+"; base64 may
    data = base64.b64decode(encoded, validate=True)
    if data[:1] != ED25519 or len(data) != 33 or key_id(name, data[1:]).hex() != hex_id:
        raise ValueError(f"Not an Ed25519 verifier key: {text}")
    return name, data[1:]


def signing_key() -> Ed25519PrivateKey | None:
    """The operator's key, from ``AUDIT_SIGNING_KEY_FILE`` (PEM, PKCS#8); None when not configured."""
    path = getattr(settings, "AUDIT_SIGNING_KEY_FILE", "")
    if not path:
        return None
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise ImproperlyConfigured(
            f"AUDIT_SIGNING_KEY_FILE names {path}, which cannot be read ({error.strerror})."
        ) from None
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except ValueError:
        raise ImproperlyConfigured(
            f"AUDIT_SIGNING_KEY_FILE ({path}) does not hold a PEM private key without a password. "
            "Make one with: python manage.py audit_checkpoint --generate-key PATH"
        ) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise ImproperlyConfigured(f"AUDIT_SIGNING_KEY_FILE ({path}) holds a key that is not Ed25519.")
    return key


def generate_key_file(path: Path) -> Ed25519PublicKey:
    """Write a new Ed25519 key to ``path`` (readable by its owner only); never over an existing file."""
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(pem)
    return key.public_key()


def trusted_keys() -> dict[bytes, tuple[str, bytes]]:
    """Key id -> (name, public key): this installation's key and any it used before
    (``AUDIT_TRUSTED_PUBLIC_KEYS``, verifier keys, for checkpoints signed before a key was changed)."""
    keys = {}
    private = signing_key()
    if private is not None:
        public = raw_public(private.public_key())
        keys[key_id(origin(), public)] = (origin(), public)
    for text in getattr(settings, "AUDIT_TRUSTED_PUBLIC_KEYS", []) or []:
        name, public = parse_verifier_key(text)
        keys[key_id(name, public)] = (name, public)
    return keys


# Signing and reading notes.


def sign(checkpoint: Checkpoint, key: Ed25519PrivateKey) -> str:
    body = checkpoint.body()
    public = raw_public(key.public_key())
    signature = key.sign(body.encode())
    encoded = base64.b64encode(key_id(checkpoint.origin, public) + signature).decode()
    return f"{body}\n\u2014 {checkpoint.origin} {encoded}\n"


def read(note: str, where: str, keys: dict[bytes, tuple[str, bytes]]) -> Checkpoint:
    """A signed note checked against the trusted keys; :class:`CheckpointError` names what is wrong."""
    from audit.verify import CHECKPOINT_EDITED, CHECKPOINT_OTHER_KEY

    body, separator, signatures = note.partition("\n\n")
    if not separator:
        raise CheckpointError(CHECKPOINT_EDITED, f"{where} is not a signed checkpoint: it has no signature.")
    body += "\n"
    known = False
    for line in signatures.splitlines():
        parts = line.split(" ")
        if len(parts) != 3 or parts[0] != "\u2014":
            continue
        try:
            data = base64.b64decode(parts[2], validate=True)
        except ValueError:
            continue
        signer = keys.get(data[:4])
        if signer is None or signer[0] != parts[1]:
            continue
        known = True
        try:
            Ed25519PublicKey.from_public_bytes(signer[1]).verify(data[4:], body.encode())
        except InvalidSignature:
            continue
        return _parse_body(body, where)
    if known:
        raise CheckpointError(
            CHECKPOINT_EDITED,
            f"{where} has been edited: its signature does not match its content.",
        )
    ids = ", ".join(_signature_ids(signatures)) or "none"
    mine = ", ".join(key.hex() for key in keys) or "none configured"
    raise CheckpointError(
        CHECKPOINT_OTHER_KEY,
        f"{where} is signed with another key (key id {ids}; this installation trusts {mine}): "
        "it was not written by this installation.",
    )


def _signature_ids(signatures: str) -> list[str]:
    ids = []
    for line in signatures.splitlines():
        parts = line.split(" ")
        if len(parts) == 3:
            try:
                ids.append(base64.b64decode(parts[2], validate=True)[:4].hex())
            except ValueError:
                continue
    return ids


def _parse_body(body: str, where: str) -> Checkpoint:
    from audit.verify import CHECKPOINT_EDITED

    try:
        lines = body.rstrip("\n").split("\n")
        fields = dict(line.split(" ", 1) for line in lines[3:])
        tree_size = int(lines[1])
        nodes = fields.get("frontier", "").split()
        sizes = [1 << bit for bit in reversed(range(tree_size.bit_length())) if tree_size >> bit & 1]
        frontier = merkle.Frontier.from_json([[size, node] for size, node in zip(sizes, nodes, strict=True)])
        checkpoint = Checkpoint(
            origin=lines[0],
            tree_size=tree_size,
            root=base64.b64decode(lines[2], validate=True),
            head=fields["chain-head"],
            last_entry_id=int(fields["last-entry"]),
            time=datetime.fromisoformat(fields["time"]),
            frontier=frontier,
        )
    except (ValueError, KeyError, IndexError) as error:
        raise CheckpointError(CHECKPOINT_EDITED, f"{where} cannot be read ({error}).") from None
    if checkpoint.frontier.root() != checkpoint.root:
        raise CheckpointError(CHECKPOINT_EDITED, f"{where}: its frontier does not give its root.")
    return checkpoint


# Where checkpoints are kept.


def directory() -> Path | None:
    path = getattr(settings, "AUDIT_CHECKPOINT_DIR", "")
    return Path(path) if path else None


def write(checkpoint: Checkpoint, key: Ed25519PrivateKey):
    """Sign ``checkpoint`` and keep it in the database and the directory. Returns the database row."""
    from audit.models import AuditCheckpoint

    note = sign(checkpoint, key)
    folder = directory()
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / checkpoint.filename
        # Never over an existing file; read-only once written. Ship the directory as it grows.
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o444)
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(note)
            file.flush()
            os.fsync(file.fileno())
    return AuditCheckpoint.objects.create(
        tree_size=checkpoint.tree_size,
        last_entry_id=checkpoint.last_entry_id,
        chain_head=checkpoint.head,
        merkle_root=checkpoint.root.hex(),
        signed_at=checkpoint.time,
        note=note,
    )


@dataclass
class Found:
    """Every checkpoint found, read and checked: those to verify against, and what was wrong."""

    checkpoints: list[Checkpoint]
    problems: list[tuple[str, str]]  # (kind, message)
    notes: list[str]


def gather() -> Found:
    """Every checkpoint in the database and the directory, checked against the trusted keys."""
    from audit.models import AuditCheckpoint
    from audit.verify import CHECKPOINT_EDITED, CHECKPOINT_MISSING

    keys = trusted_keys()
    good: dict[str, Checkpoint] = {}
    problems: list[tuple[str, str]] = []
    notes: list[str] = []
    in_database: set[str] = set()
    rows = AuditCheckpoint.objects.order_by("id").values_list(
        "id", "note", "tree_size", "last_entry_id", "chain_head", "merkle_root"
    )
    for row_id, note, tree_size, last_entry_id, head, root in rows.iterator():
        where = f"checkpoint {row_id} in the database"
        in_database.add(note)
        try:
            checkpoint = read(note, where, keys)
        except CheckpointError as error:
            problems.append((error.kind, str(error)))
            continue
        if (checkpoint.tree_size, checkpoint.last_entry_id, checkpoint.head, checkpoint.root.hex()) != (
            tree_size,
            last_entry_id,
            head,
            root,
        ):
            message = f"{where} has been edited: its columns no longer say what its signed note says."
            problems.append((CHECKPOINT_EDITED, message))
        good[note] = checkpoint
    folder = directory()
    if folder is not None and folder.is_dir():
        for path in sorted(folder.glob("*.checkpoint")):
            where = f"checkpoint file {path.name}"
            try:
                note = path.read_text(encoding="utf-8")
                checkpoint = read(note, where, keys)
            except CheckpointError as error:
                problems.append((error.kind, str(error)))
                continue
            except (OSError, UnicodeDecodeError) as error:
                problems.append((CHECKPOINT_EDITED, f"{where} cannot be read ({error})."))
                continue
            if note not in in_database:
                problems.append(
                    (
                        CHECKPOINT_MISSING,
                        f"{where} ({checkpoint.label}) is not in the database: checkpoints were deleted "
                        "from the database.",
                    )
                )
            good[note] = checkpoint
    elif folder is not None:
        notes.append(f"The checkpoint directory {folder} does not exist yet.")
    if not keys:
        notes.append(
            "No signing key is configured (AUDIT_SIGNING_KEY_FILE): no checkpoint can be trusted or written."
        )
    return Found(sorted(good.values(), key=lambda c: (c.tree_size, c.time)), problems, notes)


# Proofs against a checkpoint (audit.merkle), from the trail in the database.


def subtree_from_trail(start: int, end: int) -> bytes:
    """The Merkle hash of entries [start, end) in id order (the n-th entry is leaf n)."""
    from audit.models import AuditEntry

    hashes = AuditEntry.objects.order_by("id").values_list("entry_hash", flat=True)[start:end]
    return merkle.root_of([merkle.entry_leaf(value) for value in hashes.iterator(chunk_size=10000)])


def inclusion_proof(entry_id: int, checkpoint: Checkpoint) -> tuple[int, list[bytes]]:
    """The leaf index of an entry and the proof that the checkpoint's tree includes it."""
    from audit.models import AuditEntry

    index = AuditEntry.objects.filter(id__lt=entry_id).count()
    return index, merkle.inclusion_proof(index, checkpoint.tree_size, subtree_from_trail)


def consistency_proof(old: Checkpoint, new: Checkpoint) -> list[bytes]:
    """The proof that ``new``'s tree extends ``old``'s: nothing ``old`` signed was changed."""
    return merkle.consistency_proof(old.tree_size, new.tree_size, subtree_from_trail)
