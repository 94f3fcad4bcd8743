"""The notice's arithmetic: quorum, the pass rule, and masking for public display."""


def quorum_met(*, members: int, present: int) -> bool:
    """Attending experts are at least 2/3 of the membership (integer arithmetic)."""
    return 3 * present >= 2 * members


def vote_passes(*, agree: int, present: int) -> bool:
    """Agreeing votes are at least 2/3 of the attending experts."""
    return 3 * agree >= 2 * present


def mask_id(number: str) -> str:
    """At least half of an ID number starred. 18 characters or more (the GB 11643 layout) keep the
    first 6 (the region) and the last 4; a shorter number, whose layout may be a locality's own (a
    permit, a 海外高层次人才居住证), keeps only the last 4, or the last 2 when 10 or fewer."""
    if len(number) >= 18:
        return number[:6] + "*" * (len(number) - 10) + number[-4:]
    shown = 4 if len(number) > 10 else 2
    return "*" * (len(number) - shown) + number[-shown:]
