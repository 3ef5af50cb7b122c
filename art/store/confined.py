"""Writes that cannot leave base_path: every folder under it is opened relative to its parent's
descriptor with O_NOFOLLOW, so a symbolic link planted anywhere inside the store (a model
folder, `trajectories/SPLIT`, `history.jsonl`, `model.json`) is refused instead of followed.

base_path itself is the caller's choice and may be a link; nothing below it may be.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path

from art.errors import InvalidArgumentError, OutsideStoreError, StoreWriteError

DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
FILE_FLAGS = os.O_NOFOLLOW | os.O_CLOEXEC


def _refuse(dir_fd: int, name: str, shown: Path, error: OSError) -> OutsideStoreError:
    try:
        st = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
    except OSError:
        st = None
    if st is not None and stat.S_ISLNK(st.st_mode):
        return OutsideStoreError(shown, "is a symbolic link")
    return OutsideStoreError(shown, f"cannot be opened as a folder ({error.strerror})")


def open_dir(base: Path, parts: Sequence[str], create: bool = True) -> int:
    """A descriptor of `base/parts...`, each part a real folder (made when `create`)."""
    if create:
        try:
            _make_durably(base)
        except (FileExistsError, NotADirectoryError) as e:  # a file where the store should be
            what = "is a file, not a folder" if isinstance(e, FileExistsError) else "lies under a file"
            raise InvalidArgumentError("base_path", str(base), f"{what} (a store is a folder)") from e
    return _descend(os.open(base, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC), parts, base, create)


def _make_durably(base: Path) -> None:
    """`base.mkdir(parents=True, exist_ok=True)`, each folder made synced into its parent
    (`_make_synced`): a folder's name is an entry of its parent, lost in a power loss unless
    the parent is synced. FileExistsError: a file where `base` should be; NotADirectoryError:
    `base` lies under a file."""
    if base.is_dir():
        return
    for made in reversed([base, *(p for p in base.parents if not p.exists())]):
        parent = os.open(made.parent, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        try:
            _make_synced(parent, made.name, made)
        finally:
            os.close(parent)
    if not base.is_dir():
        raise FileExistsError(errno.EEXIST, "not a folder", str(base))


def open_subdir(dir_fd: int, parts: Sequence[str], shown: Path, create: bool = True) -> int:
    """A descriptor of `parts...` under the folder `dir_fd` (shown as `shown` in errors)."""
    return _descend(os.dup(dir_fd), parts, shown, create)


def _descend(fd: int, parts: Sequence[str], shown: Path, create: bool) -> int:
    """Walk down from `fd` (which this consumes) one real folder at a time."""
    try:
        for part in parts:
            shown = shown / part
            try:
                child = os.open(part, DIR_FLAGS, dir_fd=fd)
            except FileNotFoundError:
                if not create:
                    raise
                _make_synced(fd, part, shown)
                try:
                    child = os.open(part, DIR_FLAGS, dir_fd=fd)
                except OSError as e:
                    raise _refuse(fd, part, shown, e) from e
            except OSError as e:
                if e.errno in (errno.ELOOP, errno.ENOTDIR):
                    raise _refuse(fd, part, shown, e) from e
                raise
            os.close(fd)
            fd = child
    except BaseException:
        os.close(fd)
        raise
    return fd


def _make_synced(fd: int, part: str, shown: Path) -> None:
    """Make the folder `part` in `fd` and sync its name into `fd`, so what is synced in it later
    is found after a power loss. One another writer made just now is synced too (its maker may
    not have yet); one made here whose sync failed is removed, so the next call makes (and
    syncs) it again, and a StoreWriteError names it."""
    made = True
    try:
        os.mkdir(part, 0o755, dir_fd=fd)
    except FileExistsError:
        made = False
    try:
        os.fsync(fd)
    except OSError as e:
        if made:
            with suppress(OSError):
                os.rmdir(part, dir_fd=fd)
        raise write_error(e, shown) from e


@contextmanager
def folder(base: Path, parts: Sequence[str], create: bool = True) -> Iterator[int]:
    """`open_dir` as a context manager that closes the descriptor."""
    fd = open_dir(base, parts, create)
    try:
        yield fd
    finally:
        os.close(fd)


@contextmanager
def subfolder(dir_fd: int, parts: Sequence[str], shown: Path, create: bool = True) -> Iterator[int]:
    """`open_subdir` as a context manager that closes the descriptor."""
    fd = open_subdir(dir_fd, parts, shown, create)
    try:
        yield fd
    finally:
        os.close(fd)


def exists_at(dir_fd: int, name: str) -> bool:
    """Whether the folder holds an entry `name` (a link counts; it is not followed)."""
    try:
        os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
    except FileNotFoundError:
        return False
    return True


def open_file(dir_fd: int, name: str, flags: int, shown: Path, mode: int = 0o644) -> int:
    """Open `name` in the folder `dir_fd`, refusing a symbolic link with an error naming `shown`."""
    try:
        return os.open(name, flags | FILE_FLAGS, mode, dir_fd=dir_fd)
    except OSError as e:
        if e.errno == errno.ELOOP:
            raise OutsideStoreError(shown, "is a symbolic link") from e
        raise


def stat_regular(path: str | os.PathLike[str]) -> os.stat_result:
    """The stat of a file a reader may read (history.jsonl, model.json): a regular file. A
    symbolic link (it may point anywhere: its text would reach SQL) or a FIFO (an open would
    block the reader) reads as no file: FileNotFoundError, as when it is missing."""
    st = os.lstat(path)
    if not stat.S_ISREG(st.st_mode):
        raise FileNotFoundError(errno.ENOENT, "not a regular file", str(path))
    return st


def check_not_link(path: Path) -> Path:
    """Refuse a file that is a symbolic link, for files opened by a library by name (DuckDB)."""
    if path.is_symlink():
        raise OutsideStoreError(path, "is a symbolic link")
    return path


def write_all(fd: int, data: bytes) -> None:
    """os.write until every byte is written: a write may stop short (a full disk, a signal)."""
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        if n == 0:
            raise OSError(errno.ENOSPC, "no byte could be written")
        view = view[n:]


def replace_file(dir_fd: int, name: str, data: bytes, shown: Path, durable: bool = True) -> None:
    """Write `data` to a temp file in the folder, then rename it over `name` (links are replaced,
    never followed); `durable` syncs it to disk first, and its name after. A failure raises
    StoreWriteError naming the file (after a failed sync of the folder, the new file is in
    place but not known to be on disk)."""
    tmp = f".{name}.{os.getpid()}.{os.urandom(4).hex()}.tmp"
    fd = open_file(dir_fd, tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, shown.with_name(tmp))
    try:
        try:
            write_all(fd, data)
            if durable:
                os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
        if durable:
            os.fsync(dir_fd)  # the name, too
    except BaseException as e:
        unlink_quietly(dir_fd, tmp)
        named = write_error(e, shown)
        if named is e:
            raise
        raise named from e


def unlink_quietly(dir_fd: int, name: str) -> None:
    """Remove `name` from the folder if it is there (a temp file a failed write leaves)."""
    with suppress(FileNotFoundError):
        os.unlink(name, dir_fd=dir_fd)


def write_error(e: BaseException, shown: Path) -> BaseException:
    """An OSError of a write as the StoreWriteError naming the file; anything else as it is."""
    if isinstance(e, OSError) and not isinstance(e, StoreWriteError | OutsideStoreError):
        return StoreWriteError(e.errno, f"could not write {shown}: {e.strerror or e}")
    return e
