"""Draws the placeholder ID photos of the sample session (examples/photos/*.png).

Synthetic silhouettes, not people: the sample session must not carry anyone's likeness.
"""

from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parent.parent / "examples" / "photos"
BACKGROUNDS = [(67, 142, 219), (255, 255, 255), (200, 30, 40), (67, 142, 219)]


def photo(background: tuple[int, int, int]) -> Image.Image:
    img = Image.new("RGB", (260, 360), background)
    d = ImageDraw.Draw(img)
    d.ellipse((80, 60, 180, 180), fill=(120, 120, 125))  # head
    d.rounded_rectangle((30, 200, 230, 420), radius=90, fill=(90, 90, 96))  # shoulders
    return img


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for i, bg in enumerate(BACKGROUNDS, start=1):
        photo(bg).save(OUT / f"applicant-{i}.png", optimize=True)
        print(OUT / f"applicant-{i}.png")


if __name__ == "__main__":
    main()
