// oneDNN's C API, and the OpenMP calls that set how many threads it uses (it threads with libgomp).
#include <oneapi/dnnl/dnnl.h>
#include <malloc.h>  // mallopt: keep freed training buffers for reuse

void omp_set_num_threads(int count);
int omp_get_max_threads(void);
int omp_get_thread_num(void);
int omp_get_num_threads(void);
/* Runs fn(data) on a team of threads: the team oneDNN uses, so that our loops and its kernels do not
   compete for cores (libgomp's own entry point, what `#pragma omp parallel` compiles to). */
void GOMP_parallel(void (*fn)(void *), void *data, unsigned num_threads, unsigned int flags);
