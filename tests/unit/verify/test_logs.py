import hashlib
import logging

from verify.web.logs import RedactTokens, redact, token_ref

TOKEN = "ATORV4FLLHQOUKU6QRPQOPSBQJ7DFZPI"


def test_token_ref_is_a_short_sha256() -> None:
    assert token_ref(TOKEN) == hashlib.sha256(TOKEN.encode()).hexdigest()[:12]


def test_redact_replaces_tokens_wherever_they_are() -> None:
    ref = token_ref(TOKEN)
    line = f'127.0.0.1 - - "GET /v/{TOKEN} HTTP/1.1" 200 - and /api/v1/certificates/{TOKEN}/match'
    assert redact(line) == (
        f'127.0.0.1 - - "GET /v/<token:{ref}> HTTP/1.1" 200 - and /api/v1/certificates/<token:{ref}>/match'
    )
    assert redact("sha256 bcda7e07bfe7afa55d736b9deec05c0d712c92d9c99cd53096f6da2829eade66") == (
        "sha256 bcda7e07bfe7afa55d736b9deec05c0d712c92d9c99cd53096f6da2829eade66"
    )
    assert redact("A" * 33) == "A" * 33  # not a token: longer runs are left alone


def test_the_filter_rewrites_formatted_records() -> None:
    record = logging.LogRecord(
        "werkzeug", logging.INFO, __file__, 1, '"GET /v/%s HTTP/1.1" %s', (TOKEN, 200), None
    )
    assert RedactTokens().filter(record)
    assert record.getMessage() == f'"GET /v/<token:{token_ref(TOKEN)}> HTTP/1.1" 200'
    plain = logging.LogRecord("x", logging.INFO, __file__, 1, "nothing %d", (1,), None)
    assert RedactTokens().filter(plain) and (plain.msg, plain.args) == ("nothing %d", (1,))


def test_redact_replaces_holder_secrets_in_their_paths() -> None:
    secret = "g0GIXcPZkvoPYLnyKSyOm3jrWHb-a2V_"
    ref = token_ref(secret)
    line = f'"GET /h/{secret}?lang=en HTTP/1.1" 200 and /api/v1/holder/{secret}'
    assert redact(line) == f'"GET /h/<secret:{ref}>?lang=en HTTP/1.1" 200 and /api/v1/holder/<secret:{ref}>'
