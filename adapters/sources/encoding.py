"""Text encodings of source files: UTF-8 (with or without BOM) or Windows-1252 (SDS-SRC-004).

Spreadsheet exports on Windows are often Windows-1252, and a file edited by hand can mix the
two. Decoding goes line by line: each line is read as UTF-8 and, when that fails, as
Windows-1252, and every fallback is reported as a warning with its line number so a person
can check the characters. Only a line that neither encoding can read is an error.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from adapters.sources.result import FILE_LOCATOR, SourceProblem

__all__ = ["DecodedText", "decode_text"]

_BOM = b"\xef\xbb\xbf"


@dataclass(slots=True)
class DecodedText:
    """The file's text and the problems met decoding it; ``bad_lines`` are 1-based."""

    text: str
    problems: list[SourceProblem] = field(default_factory=list)
    bad_lines: set[int] = field(default_factory=set)


def decode_text(data: bytes, file_name: str) -> DecodedText:
    """Decode ``data`` as UTF-8, falling back to Windows-1252 line by line."""
    if data.startswith(_BOM):
        data = data[len(_BOM) :]
    try:
        return DecodedText(data.decode("utf-8"))
    except UnicodeDecodeError:
        pass
    lines = data.split(b"\n")
    parts: list[str] = []
    fallback: list[int] = []
    result = DecodedText("")
    for number, raw in enumerate(lines, start=1):
        try:
            parts.append(raw.decode("utf-8"))
            continue
        except UnicodeDecodeError:
            pass
        try:
            parts.append(raw.decode("cp1252"))
            fallback.append(number)
        except UnicodeDecodeError as exc:
            parts.append(raw.decode("cp1252", errors="replace"))
            result.bad_lines.add(number)
            result.problems.append(
                SourceProblem(
                    file_name,
                    f"line {number}",
                    "",
                    f"byte {exc.start} is neither UTF-8 nor Windows-1252; re-save the file "
                    "as UTF-8",
                    "SDS-SRC-004",
                )
            )
    result.text = "\n".join(parts)
    if fallback:
        if len(fallback) == len(lines) - len(result.bad_lines) or len(fallback) > 5:
            where, detail = FILE_LOCATOR, f"{len(fallback)} line(s)"
        else:
            where, detail = FILE_LOCATOR, "line(s) " + ", ".join(str(n) for n in fallback)
        result.problems.append(
            SourceProblem(
                file_name,
                where,
                "",
                f"not UTF-8: {detail} read as Windows-1252; check accented characters and "
                "re-save the file as UTF-8",
                "SDS-SRC-004",
                severity="warning",
            )
        )
    return result
