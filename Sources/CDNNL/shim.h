// oneDNN's C API, and the OpenMP calls that set how many threads it uses (it threads with libgomp).
#include <oneapi/dnnl/dnnl.h>

void omp_set_num_threads(int count);
int omp_get_max_threads(void);
