// libarchive, for reading tar.gz archives; loaded on first use (dlopen) rather than at labmake's
// start, so that a command that extracts nothing never pays for it and the compression libraries it
// brings (about 2 ms a start). Each lm_archive_* function calls the libarchive function of the same
// name; lm_archive_load_error() says why libarchive could not be loaded (NULL when it was). The tests'
// archive writers link libarchive directly.
#include <archive.h>
#include <archive_entry.h>
#include <dlfcn.h>
#include <pthread.h>
#include <string.h>

typedef struct {
    struct archive *(*read_new)(void);
    int (*read_free)(struct archive *);
    int (*read_support_filter_all)(struct archive *);
    int (*read_support_format_all)(struct archive *);
    int (*read_support_format_raw)(struct archive *);
    int (*read_open_filename)(struct archive *, const char *, size_t);
    int (*read_next_header)(struct archive *, struct archive_entry **);
    la_ssize_t (*read_data_block)(struct archive *, const void **, size_t *, la_int64_t *);
    const char *(*error_string)(struct archive *);
    const char *(*entry_pathname)(struct archive_entry *);
    const char *(*entry_hardlink)(struct archive_entry *);
    __LA_MODE_T (*entry_filetype)(struct archive_entry *);
    const char *error;
} lm_archive_api;

/// The one table of this translation unit (a function-local static: Swift emits those).
static inline lm_archive_api *lm_archive_state(void) {
    static lm_archive_api state;
    return &state;
}

static inline pthread_once_t *lm_archive_once(void) {
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    return &once;
}

static inline void lm_archive_load(void) {
    lm_archive_api *loaded = lm_archive_state();
    void *lib = dlopen("libarchive.so.13", RTLD_NOW | RTLD_LOCAL);
    if (!lib) { loaded->error = strdup(dlerror()); return; }
#define LM_ARCHIVE_SYMBOL(field) \
    if (!(*(void **)&loaded->field = dlsym(lib, "archive_" #field))) { \
        loaded->error = "libarchive lacks archive_" #field; return; }
    LM_ARCHIVE_SYMBOL(read_new)
    LM_ARCHIVE_SYMBOL(read_free)
    LM_ARCHIVE_SYMBOL(read_support_filter_all)
    LM_ARCHIVE_SYMBOL(read_support_format_all)
    LM_ARCHIVE_SYMBOL(read_support_format_raw)
    LM_ARCHIVE_SYMBOL(read_open_filename)
    LM_ARCHIVE_SYMBOL(read_next_header)
    LM_ARCHIVE_SYMBOL(read_data_block)
    LM_ARCHIVE_SYMBOL(error_string)
    LM_ARCHIVE_SYMBOL(entry_pathname)
    LM_ARCHIVE_SYMBOL(entry_hardlink)
    LM_ARCHIVE_SYMBOL(entry_filetype)
#undef LM_ARCHIVE_SYMBOL
}

static inline const lm_archive_api *lm_archive(void) {
    pthread_once(lm_archive_once(), lm_archive_load);
    return lm_archive_state();
}

/// Why libarchive cannot be used, or NULL.
static inline const char *lm_archive_load_error(void) { return lm_archive()->error; }

/// NULL when libarchive cannot be loaded; every other call needs the reader this returns.
static inline struct archive *lm_archive_read_new(void) { return lm_archive()->error ? NULL : lm_archive()->read_new(); }
static inline int lm_archive_read_free(struct archive *a) { return lm_archive()->read_free(a); }
static inline int lm_archive_read_support_filter_all(struct archive *a) { return lm_archive()->read_support_filter_all(a); }
static inline int lm_archive_read_support_format_all(struct archive *a) { return lm_archive()->read_support_format_all(a); }
static inline int lm_archive_read_support_format_raw(struct archive *a) { return lm_archive()->read_support_format_raw(a); }
static inline int lm_archive_read_open_filename(struct archive *a, const char *path, size_t block) {
    return lm_archive()->read_open_filename(a, path, block);
}
static inline int lm_archive_read_next_header(struct archive *a, struct archive_entry **entry) {
    return lm_archive()->read_next_header(a, entry);
}
static inline la_ssize_t lm_archive_read_data_block(struct archive *a, const void **buffer, size_t *size, la_int64_t *offset) {
    return lm_archive()->read_data_block(a, buffer, size, offset);
}
static inline const char *lm_archive_error_string(struct archive *a) { return lm_archive()->error_string(a); }
static inline const char *lm_archive_entry_pathname(struct archive_entry *e) { return lm_archive()->entry_pathname(e); }
static inline const char *lm_archive_entry_hardlink(struct archive_entry *e) { return lm_archive()->entry_hardlink(e); }
static inline __LA_MODE_T lm_archive_entry_filetype(struct archive_entry *e) { return lm_archive()->entry_filetype(e); }
