"""The Merkle tree over the trail is RFC 9162's: its roots, inclusion and consistency proofs."""

import hashlib

import pytest

from audit import merkle


def leaves(count: int) -> list[bytes]:
    return [merkle.leaf_hash(hashlib.sha256(str(n).encode()).digest()) for n in range(count)]


def mth(items: list[bytes]) -> bytes:
    """RFC 9162 section 2.1.1, as written: the definition the frontier must agree with."""
    if not items:
        return hashlib.sha256(b"").digest()
    if len(items) == 1:
        return items[0]
    k = 1
    while k * 2 < len(items):
        k *= 2
    return hashlib.sha256(b"\x01" + mth(items[:k]) + mth(items[k:])).digest()


def test_known_answers_from_the_rfc_definitions():
    assert merkle.EMPTY_ROOT.hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert merkle.leaf_hash(b"").hex() == "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
    one, two = merkle.leaf_hash(b"\x00"), merkle.leaf_hash(b"\x10")
    assert merkle.root_of([one, two]) == hashlib.sha256(b"\x01" + one + two).digest()


@pytest.mark.parametrize("size", range(0, 40))
def test_the_frontier_gives_the_root_of_the_definition(size):
    items = leaves(size)
    assert merkle.root_of(items) == mth(items)


def test_a_frontier_joins_aligned_ranges_and_survives_json():
    items = leaves(77)
    whole = merkle.Frontier()
    for start in range(0, 77, 16):
        part = merkle.Frontier()
        for leaf in items[start : start + 16]:
            part.add(leaf)
        whole.extend(merkle.Frontier.from_json(part.to_json()))
    assert whole.size == 77 and whole.root() == mth(items)
    unaligned = merkle.Frontier()
    for leaf in items[:3]:
        unaligned.add(leaf)
    with pytest.raises(ValueError, match="aligned"):
        unaligned.extend(whole)
    with pytest.raises(ValueError, match="Not a frontier"):
        merkle.Frontier.from_json([[3, "00" * 32]])


def test_every_inclusion_proof_verifies_and_a_wrong_one_does_not():
    items = leaves(33)
    subtree = merkle.in_memory(items)
    for size in range(1, 34):
        root = mth(items[:size])
        for index in range(size):
            proof = merkle.inclusion_proof(index, size, subtree)
            assert merkle.verify_inclusion(items[index], index, size, proof, root), (index, size)
            assert not merkle.verify_inclusion(items[(index + 1) % 33], index, size, proof, root) or size == 1
            if proof:
                bad = [*proof[:-1], bytes(32)]
                assert not merkle.verify_inclusion(items[index], index, size, bad, root)


def test_every_consistency_proof_verifies_and_a_rewritten_history_does_not():
    items = leaves(33)
    forged = [*items[:5], merkle.leaf_hash(b"edited"), *items[6:]]
    subtree = merkle.in_memory(items)
    for new in range(1, 34):
        for old in range(1, new + 1):
            proof = merkle.consistency_proof(old, new, subtree)
            assert merkle.verify_consistency(old, new, mth(items[:old]), mth(items[:new]), proof), (old, new)
            if old > 5:
                # An old checkpoint signed before entry 5 was edited: the rewritten tree cannot extend it.
                forged_proof = merkle.consistency_proof(old, new, merkle.in_memory(forged))
                assert not merkle.verify_consistency(
                    old, new, mth(items[:old]), mth(forged[:new]), forged_proof
                ), (old, new)
