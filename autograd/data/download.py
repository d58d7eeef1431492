"""Fetching data files from mirrors, verified by MD5 and written atomically.

Each file is streamed into a temporary file in the destination folder while
its MD5 is computed; only when every requested file has arrived with the
right checksum are they renamed into place (``os.replace``, atomic on one
file system). On any failure, interruption included, the temporary files and
any folders this call created are removed, so a destination never holds a
half-written or unverified file.
"""

import hashlib
import http.client
import os
import tempfile
import urllib.error
import urllib.request

__all__ = ["DownloadError", "download_files", "md5sum"]

_CHUNK = 1 << 16


class DownloadError(OSError):
    """No mirror served a file with the expected checksum.

    ``attempts`` lists ``(url, reason)`` for every URL that was tried.
    """

    def __init__(self, message, attempts=()):
        super().__init__(message)
        self.attempts = list(attempts)

    def __str__(self):
        return self.args[0]


def md5sum(path):
    """Hex MD5 digest of a file."""
    digest = hashlib.md5()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _join(mirror, filename):
    return mirror if mirror.endswith(filename) else mirror.rstrip("/") + "/" + filename


def _fetch_to_temp(url, directory, filename, md5, timeout):
    """Download ``url`` into a new temporary file in ``directory``; return its path if the MD5 matches."""
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{filename}.", suffix=".part")
    try:
        digest = hashlib.md5()
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=timeout) as response:
            for chunk in iter(lambda: response.read(_CHUNK), b""):
                digest.update(chunk)
                out.write(chunk)
        got = digest.hexdigest()
        if md5 is not None and got != md5.lower():
            raise ValueError(f"checksum mismatch: expected md5 {md5}, got {got}")
        return tmp
    except BaseException:
        os.unlink(tmp)
        raise


def _reason(error):
    """A short human reading of why one request failed."""
    if isinstance(error, urllib.error.HTTPError):
        return f"HTTP {error.code} {error.reason}"
    if isinstance(error, urllib.error.URLError):
        return str(error.reason)
    if isinstance(error, TimeoutError):
        return "timed out"
    return str(error)


def _makedirs(directory):
    """Create ``directory`` and missing parents; return the folders created, deepest first."""
    created = []
    path = os.path.abspath(directory)
    while not os.path.isdir(path):
        created.append(path)
        path = os.path.dirname(path)
    for folder in reversed(created):
        os.mkdir(folder)
    return created


def download_files(directory, files, mirrors, timeout=30.0, log=None):
    """Download ``files`` into ``directory``, trying each mirror in turn; all or nothing.

    Parameters
    ----------
    directory : str or os.PathLike
        Where the files go (created if missing).
    files : iterable of (filename, md5)
        The files to fetch and their expected MD5 hex digests (``None`` skips
        the check).
    mirrors : sequence of str
        Base URLs; file ``name`` is fetched from ``mirror + "/" + name``. The
        first mirror that serves it with the right checksum wins.
    timeout : float
        Seconds to wait on a silent connection before trying the next mirror.
    log : callable, optional
        Called with a one-line message before each request.

    Returns
    -------
    list of str
        The paths of the files written.

    Raises
    ------
    DownloadError
        A file could not be fetched with the right checksum from any mirror.
        Nothing is left behind in ``directory``.
    """
    directory = os.fspath(directory)
    files = list(files)
    mirrors = list(mirrors)
    if not mirrors:
        raise DownloadError("no mirrors to download from")
    created = _makedirs(directory)
    fetched = []  # (temporary path, final path)
    try:
        for filename, md5 in files:
            attempts = []
            for mirror in mirrors:
                url = _join(mirror, filename)
                if log is not None:
                    log(f"Downloading {url}")
                try:
                    tmp = _fetch_to_temp(url, directory, filename, md5, timeout)
                except (OSError, ValueError, http.client.HTTPException) as e:
                    attempts.append((url, _reason(e)))
                    continue
                fetched.append((tmp, os.path.join(directory, filename)))
                break
            else:
                tried = "\n".join(f"  {url}: {reason}" for url, reason in attempts)
                raise DownloadError(f"could not download {filename}; tried:\n{tried}", attempts)
        for tmp, final in fetched:
            os.replace(tmp, final)
        return [final for _, final in fetched]
    except BaseException:
        for tmp, _ in fetched:
            if os.path.exists(tmp):
                os.unlink(tmp)
        for folder in created:
            try:
                os.rmdir(folder)
            except OSError:
                pass
        raise
