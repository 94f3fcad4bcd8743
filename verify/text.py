"""Sentences a person reads, in both languages of the site: every reason a verification gives is
written in Chinese and in English where it is made, so no channel shows a sentence its reader
cannot read (the Chinese is what the site shows by default)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Text:
    """One sentence in Chinese and English."""

    zh: str
    en: str

    def __add__(self, other: "Text") -> "Text":
        return Text(self.zh + other.zh, self.en + other.en)

    def in_language(self, language: str) -> str:
        """The sentence in `language` ("zh" or "en"; anything else is Chinese)."""
        return self.en if language == "en" else self.zh


def joined(texts: "list[Text]", zh: str = "、", en: str = ", ") -> Text:
    """Several phrases as one list, joined the way each language does."""
    return Text(zh.join(t.zh for t in texts), en.join(t.en for t in texts))


__all__ = ["Text", "joined"]
