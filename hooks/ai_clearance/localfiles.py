"""Files read from disk (not from git): regular files only, and never a wait on one.

Opening a FIFO blocks until a writer comes; reading a device may never end; a symlink in a
work tree may point anywhere on the machine. So a file is stat'ed first and opened only when
it is a regular file, then opened non-blocking and without following a last-component
symlink where the OS has those flags, and fstat'ed again: what was opened must be what was
stat'ed. The same steps run on every OS; only the flags differ (Windows has neither).
"""

from __future__ import annotations

import errno
import os
import stat

_BASE_FLAGS = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_KINDS = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO"),
          (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
          (stat.S_ISSOCK, "a socket"), (stat.S_ISLNK, "a symbolic link (not followed)"))


class NotRegularFile(OSError):
    """The path exists but is no regular file; `strerror` says what it is."""


def kind_of(mode: int) -> str:
    """What a non-regular file is, in words."""
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def read_regular(path: str, limit: int = -1, follow: bool = False) -> bytes:
    """Up to `limit` bytes (all with -1) of the regular file `path`. With `follow` false (a
    file inside a work tree) a symlink is refused too; with it (a path the user named) the
    symlink's target must be a regular file. OSError otherwise, with a `strerror`."""
    before = os.stat(path) if follow else os.lstat(path)
    if not stat.S_ISREG(before.st_mode):
        raise NotRegularFile(errno.EINVAL, f"not a regular file: {kind_of(before.st_mode)}")
    descriptor = os.open(path, _BASE_FLAGS | (0 if follow else _NOFOLLOW))
    try:
        opened = os.fstat(descriptor)
        if not stat.S_ISREG(opened.st_mode) or \
                (opened.st_dev, opened.st_ino) != (before.st_dev, before.st_ino):
            raise NotRegularFile(errno.EINVAL, "replaced while it was opened")
        return _read_all(descriptor, limit)
    finally:
        os.close(descriptor)


def _read_all(descriptor: int, limit: int) -> bytes:
    chunks: list[bytes] = []
    left = limit if limit >= 0 else -1
    while left != 0:
        chunk = os.read(descriptor, 1 << 20 if left < 0 else min(left, 1 << 20))
        if not chunk:
            break
        chunks.append(chunk)
        left = left - len(chunk) if left > 0 else left
    return b"".join(chunks)


def is_link_or_special(path: str) -> str | None:
    """What `path` is when it exists and is neither a regular file nor a real directory
    (a symlink, a FIFO, a device); None otherwise."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return None
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    return kind_of(mode)
