"""What `titlecert verify` prints: one line per file, or the whole report in one language."""

from verify.report import VerificationReport
from verify.text import Text
from verify.wording import Case, Label, beijing


def short_line(report: VerificationReport) -> str:
    """`有效 / valid — CQZC2026000001`: the outcome in both languages, then what the file is."""
    words = report.outcome_words
    receipt = report.receipt.number if report.receipt and report.outcome is Case.RECEIPT else None
    what = receipt or report.certificate_no or report.document or report.file
    return f"{words.zh} / {words.en.lower()} — {what}"


def full_report(report: VerificationReport, language: str) -> str:
    """The report as the page shows it, as text in `language` ("zh" or "en")."""

    def say(text: Text | None) -> str:
        return text.in_language(language) if text else "—"

    colon = "：" if language == "zh" else ": "
    lines = [
        f"{short_line(report)}  ({report.file})",
        f"  {say(report.headline)}",
        f"  {say(Label.CHECKED_AT)}{colon}{say(beijing(report.validation_time))}",
    ]
    for outcome, facts in zip(report.seals, report.signatures, strict=True):
        code = outcome.indication.value + (
            f" / {outcome.sub_indication.value}" if outcome.sub_indication else ""
        )
        lines += [
            f"  {say(outcome.title)}{colon}{say(outcome.indication_words)} ({code}) — {say(outcome.meaning)}",
            f"    {say(Label.SIGNER)}{colon}{facts.signer}",
            f"    {say(Label.COVERAGE)}{colon}{say(outcome.coverage)}",
            f"    {say(Label.PROVEN_TIME)}{colon}{say(outcome.proven_time)}",
            f"    {say(Label.CLAIMED_TIME)}{colon}{say(outcome.claimed_time)}",
            f"    {say(Label.REVOCATION)}{colon}{say(outcome.revocation)}",
        ]
    if report.findings:
        lines.append(f"  {say(Label.NOTES)}{colon}")
        lines += [f"  - {reason}" for reason in report.reasons_in(language)]
    if report.sha256:
        lines.append(f"  {say(Label.FINGERPRINT)}{colon}{report.sha256}")
    return "\n".join(lines)
