"""Files written by the maintainer commands: through a temporary file and a rename, so that a
crash leaves the old file or the new one, never a torn one."""

from __future__ import annotations

import os
import tempfile

from ai_clearance.errors import UsageError


def _inside(root: str, relative: str) -> str:
    normalized = os.path.normpath(relative).replace(os.sep, "/")
    if os.path.isabs(normalized) or normalized.split("/")[0] == "..":
        raise UsageError(f"refusing to write outside the work tree: {relative}")
    return normalized


def _temporary(folder: str, data: bytes) -> str:
    handle, temp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        os.unlink(temp)
        raise
    return temp


def _sync_folder(folder: str) -> None:
    if os.name == "nt":  # a directory cannot be opened for fsync there
        return
    directory = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def replace_file(root: str, relative: str, data: bytes) -> str:
    """Write `root/relative`, replacing it if it exists; return the relative path."""
    normalized = _inside(root, relative)
    target = os.path.join(root, normalized)
    folder = os.path.dirname(target)
    os.makedirs(folder, exist_ok=True)
    temp = _temporary(folder, data)
    try:
        os.replace(temp, target)
    except BaseException:
        os.unlink(temp)
        raise
    _sync_folder(folder)
    return normalized


def create_file(root: str, relative: str, data: bytes) -> bool:
    """Write `root/relative` only if nothing is there (not even a broken symlink); False
    when something was. Never replaces what another process created meanwhile."""
    normalized = _inside(root, relative)
    target = os.path.join(root, normalized)
    if os.path.lexists(target):
        return False
    folder = os.path.dirname(target)
    os.makedirs(folder, exist_ok=True)
    temp = _temporary(folder, data)
    try:
        os.link(temp, target)  # fails if the name exists: no check-then-write race
    except FileExistsError:
        return False
    except OSError:  # a file system without hard links
        if os.path.lexists(target):
            return False
        os.replace(temp, target)
        _sync_folder(folder)
        return True
    finally:
        if os.path.lexists(temp):
            os.unlink(temp)
    _sync_folder(folder)
    return True


def replace_path(path: str, data: bytes) -> None:
    """Write a file the user named (anywhere), replacing it: through a temporary file in its
    folder and a rename. OutputError when it cannot be written."""
    from ai_clearance.errors import OutputError

    folder = os.path.dirname(os.path.abspath(path))
    try:
        temp = _temporary(folder, data)
        try:
            os.chmod(temp, 0o666 & ~_umask())  # mkstemp's 0600 is for secrets, not reports
            os.replace(temp, path)
        except BaseException:
            os.unlink(temp)
            raise
        _sync_folder(folder)
    except OSError as exc:
        raise OutputError(f"{path}: cannot write: {exc.strerror or exc}") from None


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
