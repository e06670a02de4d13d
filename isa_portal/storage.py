"""Static files as production serves them: whitenoise's compressed, hashed copies (``collectstatic``),
each file's URL worked out once per process."""

from django.conf import settings
from whitenoise.storage import CompressedManifestStaticFilesStorage


class ManifestStaticStorage(CompressedManifestStaticFilesStorage):
    """Every page's layout writes seven ``{% static %}`` URLs; each is a lookup in the manifest
    this storage read when it was made, then a dozen string operations on the name.

    The manifest is read once, when the storage is made (``ManifestFilesMixin.load_manifest``): a
    new ``collectstatic`` takes effect in a new process, or in a new storage when settings change
    (Django makes one), so a URL kept here is kept exactly as long as the manifest it came from.
    ``collectstatic``'s own run (``post_process``) writes a new manifest and forgets them too.
    A name missing from the manifest still fails every time (``manifest_strict``), and with
    ``DEBUG`` on (names not hashed) nothing is kept.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._urls: dict[str, str] = {}

    def url(self, name, force=False):
        if force or settings.DEBUG:
            return super().url(name, force)
        url = self._urls.get(name)
        if url is None:
            url = self._urls[name] = super().url(name)
        return url

    def post_process(self, *args, **kwargs):
        self._urls.clear()
        yield from super().post_process(*args, **kwargs)
        self._urls.clear()
