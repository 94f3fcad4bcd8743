"""The document store the settings configure: an S3 bucket or a folder.

Apart from `titlecert.store` so that the store's protocol and key rules, which `titlecert.s3store`
builds on, do not import the S3 client back.
"""

from titlecert.errors import StoreError
from titlecert.settings import Settings
from titlecert.store import DocumentStore, FolderStore


def open_store(settings: Settings) -> DocumentStore:
    """The document store the settings configure: the S3 bucket of TITLECERT_STORE_URL, else the
    folder `settings.archive_dir`. Connects to nothing. Raises StoreError when the S3 client cannot
    be set up (an unknown region, say)."""
    if settings.store is None:
        return FolderStore(settings.archive_dir)
    from titlecert.s3store import S3Store  # boto3 loads only when configured

    return S3Store(settings.store)


def check_store(settings: Settings) -> str:
    """Make sure the configured store can be used (the folder created; the bucket there and the
    credentials accepted), and say which it is. Raises StoreError saying what to check."""
    if settings.store is None:
        try:
            settings.archive_dir.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise StoreError(f"cannot create the document store folder {settings.archive_dir}: {e}") from e
        return f"folder {settings.archive_dir}"
    from titlecert.s3store import S3Store

    store = S3Store(settings.store)
    store.check()
    return str(store)
