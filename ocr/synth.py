"""Synthetic scans of procedure results: A4 pages with ground truth, and scanner degradations.

Deterministic per seed. Run `python -m ocr.synth OUT_DIR --count N --seed S [--dpi D]` to write
`NAME.png|jpg` pages with `NAME.json` ground truth (fields, text lines, degradation, angle).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import io
import json
import random
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from schemas.provinces import PROVINCES

DEGRADATIONS = ("clean", "rotation", "noise", "blur", "jpeg", "illumination", "combined")
DOC_TYPES = ("decision", "certificate", "confirmation", "extract")
FONT_DIRS = ("/usr/share/fonts/truetype",)
# Serif faces with Vietnamese glyphs in Debian (NOTES.md); Liberation Serif matches Times New Roman.
FONT_FAMILIES = {
    "liberation": (
        "liberation2/LiberationSerif-Regular.ttf",
        "liberation2/LiberationSerif-Bold.ttf",
    ),
    "dejavu": ("dejavu/DejaVuSerif.ttf", "dejavu/DejaVuSerif-Bold.ttf"),
    "noto": ("noto/NotoSerif-Regular.ttf", "noto/NotoSerif-Bold.ttf"),
}

_SURNAMES = "Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý".split()
_MIDDLE_M = "Văn Hữu Đức Minh Quốc Thành Công Xuân".split()
_MIDDLE_F = "Thị Ngọc Thu Thanh Hồng Mỹ Kim".split()
_GIVEN_M = (
    "An Bình Cường Dũng Hải Hiếu Hùng Khánh Long Nam Phúc Quân Sơn Tâm Thắng Tuấn Việt".split()
)
_GIVEN_F = (
    "Anh Chi Dung Giang Hà Hạnh Hoa Hương Lan Linh Mai Nga Nhung Phương Thảo Trang Yến".split()
)
_STREETS = (
    "Trần Hưng Đạo",
    "Nguyễn Trãi",
    "Lý Tự Trọng",
    "Hai Bà Trưng",
    "Mậu Thân",
    "Cách Mạng Tháng Tám",
    "Nguyễn Văn Cừ",
    "Ba Tháng Hai",
)
_WARDS = (
    ("An Cư", "Ninh Kiều"),
    ("Xuân Khánh", "Ninh Kiều"),
    ("Hưng Lợi", "Ninh Kiều"),
    ("Bình Thủy", "Bình Thủy"),
    ("Lê Bình", "Cái Răng"),
    ("Châu Văn Liêm", "Ô Môn"),
)
ISSUERS = (
    *(f"ỦY BAN NHÂN DÂN QUẬN {district.upper()}" for district in sorted({d for _, d in _WARDS})),
    "UBND THÀNH PHỐ CẦN THƠ SỞ LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI",
)
"""Every issuing body the generator writes: the register of a synthetic archive."""
PLACES = (*sorted({name for pair in _WARDS for name in pair}), "Cần Thơ")
"""Every ward, district and city the generator writes in addresses."""
_SUBJECTS = {
    "decision": (
        "Về việc hỗ trợ học nghề cho người lao động",
        "Về việc hưởng trợ cấp thất nghiệp",
        "Về việc trợ cấp xã hội hằng tháng",
        "Về việc hỗ trợ chi phí mai táng",
    ),
    "certificate": (
        "Về việc hoàn thành khóa đào tạo nghề",
        "Về việc người có công với cách mạng",
    ),
    "confirmation": (
        "Về việc xác nhận thông tin cư trú",
        "Về việc xác nhận hộ nghèo năm 2019",
    ),
    "extract": (
        "Về việc trích lục quyết định trợ cấp",
        "Về việc trích lục hồ sơ người có công",
    ),
}
_TITLES = {
    "decision": "QUYẾT ĐỊNH",
    "certificate": "GIẤY CHỨNG NHẬN",
    "confirmation": "GIẤY XÁC NHẬN",
    "extract": "TRÍCH LỤC",
}
_SYMBOLS = {"decision": "QĐ", "certificate": "GCN", "confirmation": "GXN", "extract": "TL"}
_SIGNER_TITLES = ("CHỦ TỊCH", "GIÁM ĐỐC", "PHÓ CHỦ TỊCH", "TRƯỞNG PHÒNG")


@dataclasses.dataclass(frozen=True)
class Line:
    text: str
    bold: bool = False
    align: str = "left"  # left | center | left-block / right-block (header) | sign
    gap_after: float = 0.0  # extra blank space after the line, in line heights
    y: int = 0  # where it was drawn (set by `render`)


@dataclasses.dataclass(frozen=True)
class SynthDocument:
    seed: int
    doc_type: str
    font: str
    fields: dict[str, str]
    lines: tuple[Line, ...]

    @property
    def text(self) -> str:
        """Ground-truth text in row-major reading order: header rows read left column first.

        This is the order Tesseract gives a two-column header whose rows align, so the character
        error rate measures reading, not layout analysis.
        """
        rows: dict[int, list[str]] = {}
        for line in sorted(self.lines, key=lambda ln: (ln.y, ln.align != "left-block")):
            rows.setdefault(line.y, []).append(line.text)
        return "\n".join(" ".join(parts) for _, parts in sorted(rows.items()))


def _person(rng: random.Random) -> dict[str, str]:
    sex = rng.choice(("male", "female"))
    middle, given = (_MIDDLE_M, _GIVEN_M) if sex == "male" else (_MIDDLE_F, _GIVEN_F)
    name = f"{rng.choice(_SURNAMES)} {rng.choice(middle)} {rng.choice(given)}"
    dob = dt.date(rng.randint(1940, 2004), 1, 1) + dt.timedelta(days=rng.randint(0, 364))
    century_digit = (dob.year - 1900) // 100 * 2 + (1 if sex == "female" else 0)
    province = rng.choice(sorted(PROVINCES))
    pid = f"{province}{century_digit}{dob.year % 100:02d}{rng.randint(0, 999_999):06d}"
    ward, district = rng.choice(_WARDS)
    address = (
        f"Số {rng.randint(1, 299)} đường {rng.choice(_STREETS)}, phường {ward}, "
        f"quận {district}, thành phố Cần Thơ"
    )
    return {
        "full_name": name.upper(),
        "date_of_birth": dob.isoformat(),
        "sex": sex,
        "personal_id": pid,
        "address": address,
    }


def make_document(seed: int, doc_type: str | None = None) -> SynthDocument:
    """The content of one synthetic document: fields and laid-out lines."""
    rng = random.Random(seed)
    doc_type = doc_type or rng.choice(DOC_TYPES)
    font = rng.choice(sorted(FONT_FAMILIES))
    person = _person(rng)
    issue = dt.date(rng.randint(2005, 2024), rng.randint(1, 12), rng.randint(1, 28))
    district = _WARDS[rng.randrange(len(_WARDS))][1]
    if doc_type == "decision":
        parent, body = "ỦY BAN NHÂN DÂN", f"QUẬN {district.upper()}"
        unit = "UBND"
    else:
        parent, body = "UBND THÀNH PHỐ CẦN THƠ", "SỞ LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI"
        unit = "SLĐTBXH"
    number = f"{rng.randint(1, 9999)}/{_SYMBOLS[doc_type]}-{unit}"
    subject = rng.choice(_SUBJECTS[doc_type])
    signer_title = rng.choice(_SIGNER_TITLES)
    signer = f"{rng.choice(_SURNAMES)} {rng.choice(_MIDDLE_M + _MIDDLE_F)} {rng.choice(_GIVEN_M)}"
    sex_vi = "Nam" if person["sex"] == "male" else "Nữ"
    dob = dt.date.fromisoformat(person["date_of_birth"])
    fields = {
        "doc_type": doc_type,
        "doc_number": number,
        "issue_date": issue.isoformat(),
        "issuer": f"{parent} {body}",
        "subject": subject,
        **person,
        "signer": signer,
    }
    lines = [
        Line(parent, align="left-block"),
        Line(body, bold=True, align="left-block"),
        Line(f"Số: {number}", align="left-block"),
        Line("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True, align="right-block"),
        Line("Độc lập - Tự do - Hạnh phúc", bold=True, align="right-block"),
        Line(
            f"Cần Thơ, ngày {issue.day:02d} tháng {issue.month:02d} năm {issue.year}",
            align="right-block",
            gap_after=1.0,
        ),
        Line(_TITLES[doc_type], bold=True, align="center"),
        Line(subject, bold=True, align="center", gap_after=0.6),
    ]
    if doc_type == "decision":
        lines += [
            Line(f"CHỦ TỊCH ỦY BAN NHÂN DÂN QUẬN {district.upper()}", bold=True, align="center"),
            Line("Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;"),
            Line("Xét đề nghị của Trưởng phòng Lao động - Thương binh và Xã hội,"),
            Line("QUYẾT ĐỊNH:", bold=True, align="center"),
            Line("Điều 1. Giải quyết chế độ cho người có thông tin sau:"),
        ]
    else:
        lines.append(Line("Sở Lao động - Thương binh và Xã hội thành phố Cần Thơ xác nhận:"))
    lines += [
        Line(f"Họ và tên: {person['full_name']}"),
        Line(f"Ngày sinh: {dob.day:02d}/{dob.month:02d}/{dob.year}"),
        Line(f"Giới tính: {sex_vi}"),
        Line(f"Số định danh cá nhân: {person['personal_id']}"),
        Line(f"Nơi thường trú: {person['address']}"),
    ]
    if doc_type == "decision":
        lines += [
            Line("Điều 2. Quyết định này có hiệu lực kể từ ngày ký."),
            Line("Điều 3. Chánh Văn phòng và người có tên tại Điều 1 chịu trách nhiệm thi hành."),
        ]
    else:
        lines.append(Line("Giấy này có giá trị để làm thủ tục hành chính theo quy định."))
    lines[-1] = dataclasses.replace(lines[-1], gap_after=1.0)
    lines += [Line(signer_title, bold=True, align="sign", gap_after=2.5)]
    lines += [Line(signer, bold=True, align="sign")]
    return SynthDocument(seed, doc_type, font, fields, tuple(lines))


def _font(path: str, px: int) -> ImageFont.FreeTypeFont:
    for root in FONT_DIRS:
        candidate = Path(root) / path
        if candidate.exists():
            return ImageFont.truetype(str(candidate), px)
    raise FileNotFoundError(f"font {path} not found under {FONT_DIRS}")


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    words, out, current = text.split(), [], ""
    for word in words:
        trial = f"{current} {word}".strip()
        if font.getlength(trial) <= width or not current:
            current = trial
        else:
            out.append(current)
            current = word
    out.append(current)
    return out


def render(doc: SynthDocument, dpi: int = 200) -> tuple[Image.Image, SynthDocument]:
    """Draw `doc` on an A4 page; returns the page and `doc` with lines as actually wrapped."""
    width, height = round(8.27 * dpi), round(11.69 * dpi)
    page = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(page)
    regular_path, bold_path = FONT_FAMILIES[doc.font]
    pt = dpi / 72
    left, right, top = (
        round(30 / 25.4 * dpi),
        width - round(15 / 25.4 * dpi),
        round(20 / 25.4 * dpi),
    )
    split = left + round((right - left) * 0.4)
    fonts = {
        (False, "h"): _font(regular_path, round(11 * pt)),
        (True, "h"): _font(bold_path, round(11 * pt)),
        (False, "b"): _font(regular_path, round(13 * pt)),
        (True, "b"): _font(bold_path, round(13 * pt)),
    }
    line_h = round(13 * pt * 1.45)
    columns = {
        "left-block": (left, split),
        "right-block": (split + round(0.2 * dpi), right),
        "sign": (split + round(0.2 * dpi), right),
        "center": (left, right),
        "left": (left, right),
    }
    cursors = {"left-block": top, "right-block": top}
    y = top
    wrapped: list[Line] = []
    for line in doc.lines:
        header = line.align in cursors
        font = fonts[(line.bold, "h" if header else "b")]
        x0, x1 = columns[line.align]
        cursor = cursors[line.align] if header else max(y, *cursors.values())
        for piece in _wrap(line.text, font, x1 - x0):
            w = font.getlength(piece)
            x = x0 if line.align == "left" else x0 + (x1 - x0 - w) / 2
            draw.text((x, cursor), piece, font=font, fill=0)
            wrapped.append(Line(piece, line.bold, line.align, y=cursor))
            cursor += line_h
        cursor += round(line.gap_after * line_h)
        if header:
            cursors[line.align] = cursor
        else:
            y = cursor
    return page, dataclasses.replace(doc, lines=tuple(wrapped))


def degrade(page: Image.Image, kind: str, seed: int) -> tuple[Image.Image, float, int | None]:
    """Apply one degradation; returns the image, the rotation applied (degrees) and JPEG quality."""
    rng = np.random.default_rng(seed)
    img: np.ndarray = np.asarray(page, dtype=np.float32)
    angle, quality = 0.0, None
    kinds = {"rotation", "noise", "blur", "illumination", "jpeg"} if kind == "combined" else {kind}
    if "illumination" in kinds:
        h, w = img.shape
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        cx, cy = rng.uniform(0, w), rng.uniform(0, h)
        dist = np.sqrt((xx - cx) ** 2 + (yy - cy) ** 2) / np.hypot(w, h)
        shade = 1.0 - rng.uniform(0.45, 0.6) * dist - rng.uniform(0.0, 0.15) * (xx / w)
        img = img * shade
    if "rotation" in kinds:
        angle = float(rng.choice((-1, 1)) * rng.uniform(1.0, 4.0))
        h, w = img.shape
        matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
        border = float(np.median(img[:, : w // 20]))
        img = cv2.warpAffine(img, matrix, (w, h), flags=cv2.INTER_LINEAR, borderValue=border)
    if "blur" in kinds:
        img = cv2.GaussianBlur(img, (0, 0), sigmaX=rng.uniform(0.9, 1.2))
    if "noise" in kinds:
        img = img + rng.normal(0.0, rng.uniform(18, 24), img.shape).astype(np.float32)
    out = Image.fromarray(np.clip(img, 0, 255).astype(np.uint8))
    if "jpeg" in kinds:
        quality = 40
        buf = io.BytesIO()
        out.save(buf, format="JPEG", quality=quality)
        out = Image.open(io.BytesIO(buf.getvalue()))
        out.load()
    return out, angle, quality


def write_page(
    out_dir: Path, seed: int, kind: str, *, dpi: int = 200, doc_type: str | None = None
) -> Path:
    """Render, degrade and save one page with its `.json` ground truth; returns the image path."""
    doc = make_document(seed, doc_type)
    page, doc = render(doc, dpi)
    page, angle, quality = degrade(page, kind, seed)
    stem = f"{doc.doc_type}-{seed:05d}-{kind}"
    path = out_dir / (stem + (".jpg" if quality else ".png"))
    out_dir.mkdir(parents=True, exist_ok=True)
    if quality:
        page.save(path, format="JPEG", quality=quality, dpi=(dpi, dpi))
    else:
        page.save(path, format="PNG", dpi=(dpi, dpi))
    truth = {
        "seed": seed,
        "degradation": kind,
        "angle": angle,
        "dpi": dpi,
        "font": doc.font,
        "fields": doc.fields,
        "text": doc.text,
    }
    (out_dir / f"{stem}.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1))
    return path


def write_set(
    out_dir: Path, count: int, seed: int, kinds: tuple[str, ...] = DEGRADATIONS, dpi: int = 200
) -> list[Path]:
    """`count` documents, each saved once per degradation in `kinds`."""
    return [write_page(out_dir, seed + i, kind, dpi=dpi) for i in range(count) for kind in kinds]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--count", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--dpi", type=int, default=200)
    parser.add_argument("--kinds", default=",".join(DEGRADATIONS))
    args = parser.parse_args()
    paths = write_set(args.out_dir, args.count, args.seed, tuple(args.kinds.split(",")), args.dpi)
    print(f"wrote {len(paths)} pages to {args.out_dir}")


if __name__ == "__main__":
    main()
