"""The raw directory's I/O: walk it, resolve links without following them, hash and read files beneath it.

Nothing outside the raw directory is ever opened: symbolic links are resolved without being
followed, and every file is opened component by component beneath the raw directory with
``O_NOFOLLOW``. Links that lead outside, loop or dangle, non-regular files (FIFOs, sockets,
devices) and unreadable files are reported with a named reason, unread.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO

import polars as pl

from pipelines.plan import FileEntry, Plan, current_parser_version, make_plan

_CHUNK = 1 << 20

# Reasons (the code starts the registry's `reason`, then ": " and the detail).
SYMLINK_OUTSIDE = "symlink_outside_raw_dir"
SYMLINK_LOOP = "symlink_loop"
BROKEN_SYMLINK = "broken_symlink"
NOT_REGULAR = "not_regular_file"
UNREADABLE = "unreadable"
BAD_FILE_NAME = "bad_file_name"
# A registry path is a key shown everywhere (marts, logs, the UI); past this it is a mistake, not a name.
MAX_PATH_CHARS = 1024
# Bidirectional overrides and isolates make a name read differently from what it is.
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")

_O_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_O_NONBLOCK = getattr(os, "O_NONBLOCK", 0)


class FileChangedError(OSError):
    """The file's bytes are not those hashed by the scan (it is being written, or was replaced)."""


class NotRegularFileError(OSError):
    pass


@dataclass(frozen=True)
class RawItem:
    """One directory entry of the raw dir: a regular file to read, or a problem (never read)."""

    path: str  # relative to the raw dir, with forward slashes
    link: Path  # the entry's path in the raw dir
    target: str | None  # the regular file it names, relative to the raw dir; None for problems
    stat: os.stat_result | None
    problem: str | None  # "code: detail" when the entry is not read


@dataclass(frozen=True)
class Scan:
    files: list[FileEntry]  # readable regular files, hashed, sorted by path
    problems: dict[str, str]  # path -> "code: detail" for entries not read


def _inside(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
    except ValueError:
        return False
    return True


_KINDS = ((stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISDIR, "a directory"))


def escape_name(path: str) -> str:
    """A lossless, readable form of a path that is not valid UTF-8 or holds control characters: the file
    system's bytes as UTF-8 where they are, ``\\xff`` for a byte that is not, ``\\x0a`` / ``\\u202e`` for a
    control character, ``\\\\`` for a backslash (so every escape reads back to one name)."""
    text = os.fsencode(path).replace(b"\\", b"\\\\").decode("utf-8", "backslashreplace")
    return "".join(
        (f"\\x{ord(c):02x}" if ord(c) < 0x80 else f"\\u{ord(c):04x}")
        if unicodedata.category(c) == "Cc" or c in _BIDI else c
        for c in text
    )


def name_problem(rel: str) -> str | None:
    """Why ``rel`` (relative to the raw dir) cannot be a registry path, or None when it can."""
    try:
        rel.encode("utf-8")
    except UnicodeEncodeError:
        return f"{BAD_FILE_NAME}: the name is not valid UTF-8; not read"
    if any(unicodedata.category(c) == "Cc" or c in _BIDI for c in rel):
        return f"{BAD_FILE_NAME}: the name holds control characters; not read"
    if len(rel) > MAX_PATH_CHARS:
        return f"{BAD_FILE_NAME}: a path of {len(rel):,} characters, more than {MAX_PATH_CHARS:,}; not read"
    return None


def _kind(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def _resolve_link(root: Path, link: Path) -> tuple[Path | None, str | None]:
    """(target, None) for a link to something inside the raw dir, else (None, problem)."""
    try:
        shown = os.readlink(link)
    except OSError:
        shown = "?"
    if name_problem(shown):  # the target's name goes into the registry's reason
        shown = escape_name(shown)[:MAX_PATH_CHARS]
    try:
        target = link.resolve(strict=True)
    except RuntimeError:  # Python < 3.13 reports a loop this way
        return None, f"{SYMLINK_LOOP}: symbolic link loop (-> {shown}); not followed"
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return None, f"{SYMLINK_LOOP}: symbolic link loop (-> {shown}); not followed"
        if exc.errno == errno.ENOENT:
            return None, f"{BROKEN_SYMLINK}: symbolic link to nothing (-> {shown})"
        return None, f"{UNREADABLE}: cannot resolve the link (-> {shown}): {exc.strerror}"
    if not _inside(target, root):
        return None, f"{SYMLINK_OUTSIDE}: symlink outside raw dir (-> {shown}); never read"
    return target, None


def walk_raw(raw_dir: str | Path) -> Iterator[RawItem]:
    """Every non-hidden entry under ``raw_dir`` (recursively, sorted): regular files to read, and the
    entries that are not read with the reason why. Nothing is opened; links are resolved, not followed.

    A link to a directory inside the raw dir is not entered (its files are scanned where they are);
    one leading outside is reported. A file that vanishes during the walk is left out.
    """
    root = Path(raw_dir).resolve()
    if not root.is_dir():
        return
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        here = Path(dirpath)
        kept = []
        for d in sorted(dirnames):
            if d.startswith("."):
                continue
            path = here / d
            bad = _bad_name(root, path, "directory")
            if bad:  # its files' paths would be bad too: one row for the directory, not entered
                yield bad
                continue
            if path.is_symlink():
                _, problem = _resolve_link(root, path)
                if problem:
                    yield RawItem(path.relative_to(root).as_posix(), path, None, None, problem)
                continue
            kept.append(d)
        dirnames[:] = kept
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            item = _bad_name(root, here / name, "file") or _file_item(root, here / name)
            if item is not None:
                yield item


def _bad_name(root: Path, path: Path, kind: str) -> RawItem | None:
    """A problem entry, under its escaped name, for a name that cannot be a registry path (never read)."""
    rel = path.relative_to(root).as_posix()
    problem = name_problem(rel)
    if problem is None:
        return None
    if kind == "directory":
        problem = problem.replace("; not read", "; the directory's files are not read")
    shown = escape_name(rel)
    if len(shown) > MAX_PATH_CHARS:  # still a unique key: its start, and a hash of the whole name
        shown = f"{shown[: MAX_PATH_CHARS - 20]}…#{hashlib.sha256(os.fsencode(rel)).hexdigest()[:16]}"
    return RawItem(shown, path, None, None, problem)


def _file_item(root: Path, path: Path) -> RawItem | None:
    rel = path.relative_to(root).as_posix()
    try:
        st = path.lstat()
    except FileNotFoundError:
        return None
    except OSError as exc:
        return RawItem(rel, path, None, None, f"{UNREADABLE}: {exc.strerror}")
    target_rel = rel
    if stat.S_ISLNK(st.st_mode):
        target, problem = _resolve_link(root, path)
        if problem:
            return RawItem(rel, path, None, None, problem)
        try:
            st = target.stat()
        except OSError as exc:
            return RawItem(rel, path, None, None, f"{UNREADABLE}: {exc.strerror}")
        if stat.S_ISDIR(st.st_mode):
            return None  # a link to a directory inside the raw dir: its files are scanned in place
        target_rel = target.relative_to(root).as_posix()
    if not stat.S_ISREG(st.st_mode):
        return RawItem(rel, path, None, st, f"{NOT_REGULAR}: {_kind(st.st_mode)}; not read")
    return RawItem(rel, path, target_rel, st, None)


def iter_raw_files(raw_dir: str | Path) -> Iterator[tuple[str, Path, os.stat_result]]:
    """Regular, non-hidden files under ``raw_dir`` (recursively), as (relative path, path, stat).

    Symbolic links are not followed out of the raw dir: a link counts only when it resolves to a
    regular file inside it; linked directories are not entered.
    """
    for item in walk_raw(raw_dir):
        if item.problem is None:
            yield item.path, item.link, item.stat


def fingerprints(raw_dir: str | Path) -> dict[str, str]:
    """Cheap change detection for the sensor: relative path -> "size:mtime_ns" (no hashing)."""
    return {rel: f"{st.st_size}:{st.st_mtime_ns}" for rel, _, st in iter_raw_files(raw_dir)}


def open_beneath(raw_dir: str | Path, rel: str) -> BinaryIO:
    """Open the regular file ``rel`` for reading without following any symbolic link.

    Each directory component is opened relative to its parent with ``O_NOFOLLOW`` (a link swapped
    in after the scan makes the open fail with ELOOP instead of leading outside the raw dir); the
    file itself is opened non-blocking (a FIFO cannot hang the run) and refused unless regular.
    """
    parts = PurePosixPath(rel).parts
    if not parts or PurePosixPath(rel).is_absolute() or any(p in ("", ".", "..") for p in parts):
        raise ValueError(f"not a relative path inside the raw dir: {rel!r}")
    fd = os.open(Path(raw_dir).resolve(), os.O_RDONLY | os.O_DIRECTORY | _O_CLOEXEC)
    try:
        for part in parts[:-1]:
            sub = os.open(part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | _O_CLOEXEC, dir_fd=fd)
            os.close(fd)
            fd = sub
        file_fd = os.open(parts[-1], os.O_RDONLY | os.O_NOFOLLOW | _O_NONBLOCK | _O_CLOEXEC, dir_fd=fd)
    finally:
        os.close(fd)
    try:
        mode = os.fstat(file_fd).st_mode
        if not stat.S_ISREG(mode):
            raise NotRegularFileError(errno.EINVAL, f"{_kind(mode)}, not a regular file", rel)
        return os.fdopen(file_fd, "rb")
    except BaseException:
        os.close(file_fd)
        raise


def hash_beneath(raw_dir: str | Path, rel: str) -> tuple[str, int]:
    """SHA-256 and size of a file in the raw dir, read in 1 MiB chunks through ``open_beneath``."""
    digest = hashlib.sha256()
    size = 0
    with open_beneath(raw_dir, rel) as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def read_entry(raw_dir: str | Path, entry: FileEntry) -> bytes:
    """The bytes of a scanned file, checked against the scan's size and SHA-256."""
    with open_beneath(raw_dir, entry.source) as fh:
        data = fh.read(entry.size + 1)
    if len(data) != entry.size or hashlib.sha256(data).hexdigest() != entry.sha256:
        raise FileChangedError(errno.EAGAIN, "changed since the scan", entry.path)
    return data


def scan_dir(raw_dir: str | Path) -> Scan:
    """Hash every readable regular file; list the entries not read with their reasons."""
    root = Path(raw_dir).resolve()
    files: list[FileEntry] = []
    problems: dict[str, str] = {}
    for item in walk_raw(root):
        if item.problem is not None:
            problems[item.path] = item.problem
            continue
        try:
            sha, size = hash_beneath(root, item.target)
        except FileNotFoundError:
            continue  # vanished since the walk: the next run registers it as removed
        except OSError as exc:
            detail = exc.strerror or str(exc)
            problems[item.path] = f"{UNREADABLE}: {detail}" + (f" (errno {exc.errno})" if exc.errno else "")
            continue
        files.append(FileEntry(item.path, item.link, size, sha, item.target if item.target != item.path else None))
    return Scan(files, problems)


def raw_dir_problem(raw_dir: str | Path) -> str | None:
    """One line when the raw dir cannot be scanned at all (then nothing may be retired), else None."""
    path = Path(raw_dir)
    if not path.exists():
        return f"the raw directory {path} does not exist: check XXGK_RAW_DIR (or --raw-dir); nothing was changed"
    if not path.is_dir():
        return f"the raw directory {path} is not a directory: check XXGK_RAW_DIR (or --raw-dir); nothing was changed"
    if not os.access(path, os.R_OK | os.X_OK):
        return f"the raw directory {path} cannot be read by this user; nothing was changed"
    return None


def plan_directory(raw_dir: str | Path, previous: pl.DataFrame, *, max_bytes: int | None = None,
                   parser_version: str | None = None, max_missing_share: float | None = None,
                   retire_missing: bool = False) -> Plan:
    """Scan ``raw_dir`` and plan against the registry ``previous`` with the current parser version."""
    found = scan_dir(raw_dir)
    return make_plan(raw_dir, found.files, previous, parser_version or current_parser_version(),
                     problems=found.problems, max_bytes=max_bytes, max_missing_share=max_missing_share,
                     retire_missing=retire_missing)
