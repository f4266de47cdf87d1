// libarchive, for reading (and, in tests, writing) tar.gz archives.
#include <archive.h>
#include <archive_entry.h>
