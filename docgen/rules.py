"""The notice's arithmetic: quorum, the pass rule, and masking for public display."""


def quorum_met(*, members: int, present: int) -> bool:
    """Attending experts are at least 2/3 of the membership (integer arithmetic)."""
    return 3 * present >= 2 * members


def vote_passes(*, agree: int, present: int) -> bool:
    """Agreeing votes are at least 2/3 of the attending experts."""
    return 3 * agree >= 2 * present


def mask_id(number: str) -> str:
    """First 6 and last 4 characters shown, the rest starred (short numbers keep only the last 2)."""
    if len(number) <= 10:
        return "*" * (len(number) - 2) + number[-2:]
    return number[:6] + "*" * (len(number) - 10) + number[-4:]
