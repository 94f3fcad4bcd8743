import hashlib
import hmac

from registry.holders import holder_id_hmac, normalise_id_number, same_holder_id

SECRET = b"0123456789abcdef" * 2


def test_id_numbers_are_normalised_as_typed_by_people() -> None:
    canonical = "82000019861014161X"
    for typed in (
        "82000019861014161x",
        " 820000 19861014 161x ",
        "820000-19861014-161X",
        "８２００００１９８６１０１４１６１Ｘ",  # full-width, from a Chinese input method
        "8200001986\u300010141\t61X",  # ideographic space and a tab
    ):
        assert normalise_id_number(typed) == canonical, typed
    assert normalise_id_number("e12345678") == "E12345678"
    assert normalise_id_number("（H12345678）") == "H12345678"


def test_the_hash_is_keyed_and_of_the_normalised_number() -> None:
    stored = holder_id_hmac(SECRET, "82000019861014161X")
    assert len(stored) == 64 and stored == holder_id_hmac(SECRET, "820000 19861014 161x")
    assert stored != holder_id_hmac(SECRET[::-1], "82000019861014161X")
    assert stored != hashlib.sha256(b"82000019861014161X").hexdigest()
    # Domain-separated from any other HMAC of the bare number under the same secret.
    assert stored != hmac.new(SECRET, b"82000019861014161X", hashlib.sha256).hexdigest()


def test_same_holder_id() -> None:
    stored = holder_id_hmac(SECRET, "510104197311081606")
    assert same_holder_id(SECRET, "510104 19731108 1606", stored)
    assert same_holder_id(SECRET, "510104197311081606", stored.upper())
    assert not same_holder_id(SECRET, "510104197311081607", stored)
    assert not same_holder_id(SECRET, "", stored)


def test_a_persons_name_sex_and_birth_date_have_a_keyed_hash_of_their_own() -> None:
    import datetime as dt

    from registry.holders import holder_person_hmac

    born = dt.date(1986, 10, 14)
    stored = holder_person_hmac(SECRET, "何华", "男", born)
    assert len(stored) == 64
    assert stored == holder_person_hmac(SECRET, " 何 华", "男", born)  # as typed, spaces and all
    assert len({stored, holder_person_hmac(SECRET, "何华", "女", born)}) == 2
    assert stored != holder_person_hmac(SECRET, "何华", "男", dt.date(1986, 10, 15))
    assert stored != holder_person_hmac(SECRET[::-1], "何华", "男", born)
    # Never equal to the hash of an ID number, whatever the text.
    assert stored != holder_id_hmac(SECRET, "何华\x00男\x001986-10-14")
