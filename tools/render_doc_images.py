"""Renders one PNG per document kind into docs/images/ from an issued sample session.

Usage: .venv/bin/python tools/render_doc_images.py OUT_DIR   (OUT_DIR from `titlecert demo --no-serve --out`)
"""

import json
import subprocess
import sys
from pathlib import Path

IMAGES = Path(__file__).resolve().parent.parent / "docs" / "images"
PICK = {  # kind -> (file name, pages to render)
    "certificate": ("certificate", [1]),
    "publicity-table": ("publicity-table", [1]),
    "results-list": ("results-list", [1]),
    "review-report": ("review-report", [1]),
    "review-form": ("review-form", [1, 2, -1]),
}


def main(out_dir: Path) -> None:
    documents = json.loads((out_dir / "manifest.json").read_text(encoding="utf-8"))["documents"]
    IMAGES.mkdir(parents=True, exist_ok=True)
    for kind, (name, pages) in PICK.items():
        path = next(d["path"] for d in documents if d["kind"] == kind)
        count = int(
            subprocess.run(["pdfinfo", path], capture_output=True, text=True, check=True)
            .stdout.split("Pages:")[1]
            .split()[0]
        )
        for page in pages:
            number = count if page == -1 else page
            suffix = "" if len(pages) == 1 else f"-p{number}"
            target = IMAGES / f"{name}{suffix}"
            argv = ["pdftoppm", "-r", "60", "-png", "-singlefile", "-f", str(number), "-l", str(number)]
            subprocess.run([*argv, path, str(target)], check=True)
            print(f"{target}.png")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
