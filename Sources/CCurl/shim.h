// libcurl, loaded on first use (dlopen) rather than at labmake's start: a command that downloads
// nothing never pays for libcurl and the two dozen libraries it brings (about 5 ms a start).
// Each lm_curl_* function calls the libcurl function of the same name; lm_curl_load_error() says why
// libcurl could not be loaded (NULL when it was).
#include <curl/curl.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stddef.h>
#include <string.h>

typedef struct {
    CURL *(*easy_init)(void);
    void (*easy_cleanup)(CURL *);
    CURLcode (*easy_perform)(CURL *);
    const char *(*easy_strerror)(CURLcode);
    CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
    CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
    const char *error;
} lm_curl_api;

/// The one table of this translation unit (a function-local static: Swift emits those).
static inline lm_curl_api *lm_curl_state(void) {
    static lm_curl_api state;
    return &state;
}

static inline pthread_once_t *lm_curl_once(void) {
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    return &once;
}

static inline void lm_curl_load(void) {
    lm_curl_api *loaded = lm_curl_state();
    void *lib = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (!lib) { loaded->error = strdup(dlerror()); return; }
#define LM_CURL_SYMBOL(field, name) \
    if (!(*(void **)&loaded->field = dlsym(lib, name))) { loaded->error = "libcurl lacks " name; return; }
    LM_CURL_SYMBOL(easy_init, "curl_easy_init")
    LM_CURL_SYMBOL(easy_cleanup, "curl_easy_cleanup")
    LM_CURL_SYMBOL(easy_perform, "curl_easy_perform")
    LM_CURL_SYMBOL(easy_strerror, "curl_easy_strerror")
    LM_CURL_SYMBOL(easy_setopt, "curl_easy_setopt")
    LM_CURL_SYMBOL(easy_getinfo, "curl_easy_getinfo")
#undef LM_CURL_SYMBOL
}

static inline const lm_curl_api *lm_curl(void) {
    pthread_once(lm_curl_once(), lm_curl_load);
    return lm_curl_state();
}

/// Why libcurl cannot be used, or NULL.
static inline const char *lm_curl_load_error(void) { return lm_curl()->error; }

static inline CURL *lm_curl_easy_init(void) { return lm_curl()->error ? NULL : lm_curl()->easy_init(); }
static inline void lm_curl_easy_cleanup(CURL *curl) { if (!lm_curl()->error) lm_curl()->easy_cleanup(curl); }
static inline CURLcode lm_curl_easy_perform(CURL *curl) {
    return lm_curl()->error ? CURLE_FAILED_INIT : lm_curl()->easy_perform(curl);
}
static inline const char *lm_curl_easy_strerror(CURLcode code) {
    return lm_curl()->error ? lm_curl()->error : lm_curl()->easy_strerror(code);
}

// Typed wrappers for the variadic option and info calls, which Swift cannot call.
static inline CURLcode lm_curl_set_long(CURL *curl, CURLoption option, long value) {
    return lm_curl()->easy_setopt(curl, option, value);
}
static inline CURLcode lm_curl_set_offset(CURL *curl, CURLoption option, curl_off_t value) {
    return lm_curl()->easy_setopt(curl, option, value);
}
static inline CURLcode lm_curl_set_string(CURL *curl, CURLoption option, const char *value) {
    return lm_curl()->easy_setopt(curl, option, value);
}
static inline CURLcode lm_curl_set_pointer(CURL *curl, CURLoption option, void *value) {
    return lm_curl()->easy_setopt(curl, option, value);
}
static inline CURLcode lm_curl_set_write_function(CURL *curl, size_t (*f)(char *, size_t, size_t, void *)) {
    return lm_curl()->easy_setopt(curl, CURLOPT_WRITEFUNCTION, f);
}
static inline CURLcode lm_curl_set_progress_function(CURL *curl,
        int (*f)(void *, curl_off_t, curl_off_t, curl_off_t, curl_off_t)) {
    return lm_curl()->easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, f);
}
static inline long lm_curl_response_code(CURL *curl) {
    long code = 0;
    lm_curl()->easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
    return code;
}
