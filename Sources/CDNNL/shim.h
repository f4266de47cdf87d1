// oneDNN's C API, and the OpenMP calls that set how many threads it uses (it threads with libgomp).
// Both are loaded on first use (dlopen) rather than at labmake's start, so that a command that trains
// nothing never pays for them (about 2 ms a start): lm_dnnl_load() returns their functions, under
// their own names, or says why they could not be loaded.
#include <oneapi/dnnl/dnnl.h>
#include <dlfcn.h>
#include <malloc.h>  // mallopt: keep freed training buffers for reuse
#include <string.h>

void omp_set_num_threads(int count);
int omp_get_thread_num(void);
int omp_get_num_threads(void);
/* Runs fn(data) on a team of threads: the team oneDNN uses, so that our loops and its kernels do not
   compete for cores (libgomp's own entry point, what `#pragma omp parallel` compiles to). */
void GOMP_parallel(void (*fn)(void *), void *data, unsigned num_threads, unsigned int flags);

#define LM_GOMP_FUNCTIONS(X) X(omp_set_num_threads) X(omp_get_thread_num) X(omp_get_num_threads) X(GOMP_parallel)
#define LM_DNNL_FUNCTIONS(X) \
    X(dnnl_engine_create) X(dnnl_stream_create) X(dnnl_stream_wait) X(dnnl_sgemm) \
    X(dnnl_memory_desc_init_by_tag) X(dnnl_memory_desc_equal) X(dnnl_memory_desc_get_size) \
    X(dnnl_memory_create) X(dnnl_memory_destroy) \
    X(dnnl_convolution_forward_desc_init) X(dnnl_convolution_backward_data_desc_init) \
    X(dnnl_convolution_backward_weights_desc_init) X(dnnl_reorder_primitive_desc_create) \
    X(dnnl_primitive_desc_create) X(dnnl_primitive_desc_query_md) X(dnnl_primitive_desc_destroy) \
    X(dnnl_primitive_create) X(dnnl_primitive_execute)

/// The functions, each typed as its declaration above; `error` is NULL when all were found.
typedef struct {
#define LM_FIELD(name) __typeof__(&name) name;
    LM_GOMP_FUNCTIONS(LM_FIELD)
    LM_DNNL_FUNCTIONS(LM_FIELD)
#undef LM_FIELD
    const char *error;
} lm_dnnl_api;

/// Loads libgomp and oneDNN; call once.
static inline lm_dnnl_api lm_dnnl_load(void) {
    lm_dnnl_api api;
    memset(&api, 0, sizeof api);
    void *gomp = dlopen("libgomp.so.1", RTLD_NOW | RTLD_GLOBAL);
    void *dnnl = gomp ? dlopen("libdnnl.so.2", RTLD_NOW | RTLD_GLOBAL) : NULL;
    if (!gomp || !dnnl) { api.error = strdup(dlerror()); return api; }
#define LM_LOAD(library, name) \
    if (!(*(void **)&api.name = dlsym(library, #name))) { api.error = "missing " #name; return api; }
#define LM_LOAD_GOMP(name) LM_LOAD(gomp, name)
#define LM_LOAD_DNNL(name) LM_LOAD(dnnl, name)
    LM_GOMP_FUNCTIONS(LM_LOAD_GOMP)
    LM_DNNL_FUNCTIONS(LM_LOAD_DNNL)
#undef LM_LOAD_DNNL
#undef LM_LOAD_GOMP
#undef LM_LOAD
    return api;
}
