"""Print SHA-256 checksums of files, like sha256sum."""
import hashlib
import sys

CHUNK = 65536


def sha256_of(path):
    """Return the hex SHA-256 digest of the file at path."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def main(argv=None):
    """Print one checksum line per file; exit 1 if any file failed."""
    args = sys.argv[1:] if argv is None else argv
    status = 0
    for path in args:
        try:
            print("%s  %s" % (sha256_of(path), path))
        except OSError as error:
            print("%s: %s" % (path, error.strerror), file=sys.stderr)
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
