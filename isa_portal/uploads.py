"""An upload handler that refuses oversized files without reading them into memory or onto disk.

Django accepts file uploads of any size by default (``DATA_UPLOAD_MAX_MEMORY_SIZE``
counts only the other fields). This handler, first in ``FILE_UPLOAD_HANDLERS``,
stops keeping a file once it passes ``FILE_UPLOAD_MAX_SIZE``: the rest of it is
read and dropped, the field arrives empty, and ``request.oversized_uploads`` names
it, so the form can answer with a GOV.UK error rather than a 400 or a 500.
"""

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile


class SizeLimitedUploadHandler(FileUploadHandler):
    def new_file(self, field_name, *args, **kwargs):
        super().new_file(field_name, *args, **kwargs)
        if not hasattr(self.request, "oversized_uploads"):
            self.request.oversized_uploads = set()

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > settings.FILE_UPLOAD_MAX_SIZE:
            self.request.oversized_uploads.add(self.field_name)
            raise SkipFile
        return raw_data

    def file_complete(self, file_size):
        return None  # the handlers after this one build the file
