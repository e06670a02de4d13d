"""A Merkle tree over the audit trail, as RFC 9162 (Certificate Transparency 2.0) defines it.

The leaves are the entries in id order; leaf ``i``'s data is entry ``i``'s ``entry_hash`` (32
bytes). So a signed checkpoint's root commits to every entry of the trail up to its size, and:

- an *inclusion proof* shows that an entry is in the tree a checkpoint signed, with about
  log2(n) hashes, without the rest of the trail;
- a *consistency proof* shows that a later checkpoint's tree extends an earlier one's (nothing
  before the earlier size was changed or removed), again with about log2(n) hashes.

Hashes (RFC 9162 section 2.1.1): the empty tree is SHA-256 of nothing; a leaf is
``SHA-256(0x00 || data)``; an interior node is ``SHA-256(0x01 || left || right)``; a tree of n > 1
leaves splits at k, the largest power of two below n.

A :class:`Frontier` holds the roots of the perfect subtrees a tree of n leaves is made of (one per
bit set in n, at most 64 hashes): enough to compute the root at n and to go on adding leaves. A
checkpoint stores its frontier, so verification since a checkpoint starts from it and hashes only
the new entries; the walk in parallel (``audit.verify``) joins the frontiers of aligned ranges.

The proofs need the hash of any range of leaves; :func:`inclusion_proof` and
:func:`consistency_proof` take a function that gives one (``subtree(start, end)``), so the same
code serves a list of leaves in memory (tests, small trees) and the trail in the database.
"""

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

EMPTY_ROOT = hashlib.sha256(b"").digest()
_LEAF, _NODE = b"\x00", b"\x01"


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(_LEAF + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(_NODE + left + right).digest()


def entry_leaf(entry_hash_hex: str) -> bytes:
    """The leaf hash of an audit entry: its chain hash is the leaf's data."""
    return hashlib.sha256(_LEAF + bytes.fromhex(entry_hash_hex)).digest()


def _split(n: int) -> int:
    """The largest power of two smaller than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


@dataclass
class Frontier:
    """The perfect subtrees of a tree of ``size`` leaves, largest first: (leaves, root hash)."""

    nodes: list[tuple[int, bytes]] = field(default_factory=list)

    @property
    def size(self) -> int:
        return sum(count for count, _ in self.nodes)

    def add(self, leaf: bytes) -> None:
        """Add a leaf hash (see :func:`leaf_hash`)."""
        nodes = self.nodes
        nodes.append((1, leaf))
        while len(nodes) > 1 and nodes[-1][0] == nodes[-2][0]:
            (count, right), (_, left) = nodes.pop(), nodes.pop()
            nodes.append((count * 2, node_hash(left, right)))

    def extend(self, other: "Frontier") -> None:
        """Append the leaves ``other`` stands for. Allowed when this tree's size is a multiple of
        ``other``'s largest subtree (a range aligned to its size: how the parallel walk splits)."""
        for count, root in other.nodes:
            if self.nodes and self.nodes[-1][0] < count:
                raise ValueError("A range of leaves can only follow a tree whose size it is aligned to.")
            self.nodes.append((count, root))
            while len(self.nodes) > 1 and self.nodes[-1][0] == self.nodes[-2][0]:
                (size, right), (_, left) = self.nodes.pop(), self.nodes.pop()
                self.nodes.append((size * 2, node_hash(left, right)))

    def root(self) -> bytes:
        if not self.nodes:
            return EMPTY_ROOT
        *rest, (_, root) = self.nodes
        for _, left in reversed(rest):
            root = node_hash(left, root)
        return root

    def copy(self) -> "Frontier":
        return Frontier(list(self.nodes))

    def to_json(self) -> list[list]:
        return [[count, root.hex()] for count, root in self.nodes]

    @classmethod
    def from_json(cls, value: list[list]) -> "Frontier":
        nodes = [(int(count), bytes.fromhex(root)) for count, root in value]
        sizes = [count for count, _ in nodes]
        powers = all(count >= 1 and not count & (count - 1) for count in sizes)
        if not powers or sizes != sorted(set(sizes), reverse=True):
            raise ValueError("Not a frontier: its subtrees must be distinct powers of two, largest first.")
        return cls(nodes)


def root_of(leaves: Sequence[bytes]) -> bytes:
    """MTH(D[n]) of leaf hashes in memory."""
    frontier = Frontier()
    for leaf in leaves:
        frontier.add(leaf)
    return frontier.root()


SubtreeHash = Callable[[int, int], bytes]  # the hash of leaves [start, end)


def in_memory(leaves: Sequence[bytes]) -> SubtreeHash:
    return lambda start, end: root_of(leaves[start:end])


# Proofs (RFC 9162 section 2.1.3 and 2.1.4), over leaves [start, end) of the whole tree.


def inclusion_proof(index: int, size: int, subtree: SubtreeHash) -> list[bytes]:
    """PATH(m, D[n]): the hashes that, with leaf ``index``, give the root of the first ``size`` leaves."""
    if not 0 <= index < size:
        raise ValueError(f"Leaf {index} is not in a tree of {size} leaves.")

    def path(m: int, start: int, end: int) -> list[bytes]:
        n = end - start
        if n == 1:
            return []
        k = _split(n)
        if m < k:
            return [*path(m, start, start + k), subtree(start + k, end)]
        return [*path(m - k, start + k, end), subtree(start, start + k)]

    return path(index, 0, size)


def consistency_proof(old_size: int, new_size: int, subtree: SubtreeHash) -> list[bytes]:
    """PROOF(m, D[n]): the hashes that show the tree of ``new_size`` leaves extends that of ``old_size``."""
    if not 0 < old_size <= new_size:
        raise ValueError(f"No consistency proof from {old_size} to {new_size} leaves.")

    def subproof(m: int, start: int, end: int, whole: bool) -> list[bytes]:
        n = end - start
        if m == n:
            return [] if whole else [subtree(start, end)]
        k = _split(n)
        if m <= k:
            return [*subproof(m, start, start + k, whole), subtree(start + k, end)]
        return [*subproof(m - k, start + k, end, False), subtree(start, start + k)]

    return subproof(old_size, 0, new_size, True)


def verify_inclusion(leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes) -> bool:
    """RFC 9162 section 2.1.3.2."""
    if not 0 <= index < size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == root


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    """RFC 9162 section 2.1.4.2."""
    if not 0 < old_size <= new_size:
        return False
    if old_size == new_size:
        return not proof and old_root == new_root
    if not proof:
        return False
    path = list(proof)
    if old_size & (old_size - 1) == 0:  # a power of two: the old root is the first node
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and fr == old_root and sr == new_root
