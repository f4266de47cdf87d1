import CDNNL

/// Parallel loops on OpenMP's thread team, the one oneDNN's kernels run on. A second pool (Dispatch)
/// would fight OpenMP's spinning threads for the same cores.
enum Parallel {
    /// Runs `body(i)` for `i` in `0..<count`, split into one contiguous run per thread of the team.
    static func forEach(_ count: Int, threads: Int, _ body: (Int) -> Void) {
        let workers = Swift.max(1, Swift.min(threads, count))
        guard workers > 1 else { for i in 0..<count { body(i) }; return }
        withoutActuallyEscaping(body) { body in
            var job = Job(count: count, body: body)
            withUnsafeMutablePointer(to: &job) { pointer in
                OneDNN.api.GOMP_parallel!({ raw in
                    let job = raw!.assumingMemoryBound(to: Job.self).pointee
                    let (worker, team) = (Int(OneDNN.api.omp_get_thread_num!()), Int(OneDNN.api.omp_get_num_threads!()))
                    for i in (job.count * worker / team)..<(job.count * (worker + 1) / team) { job.body(i) }
                }, pointer, UInt32(workers), 0)
            }
        }
    }

    private struct Job {
        var count: Int
        var body: (Int) -> Void
    }
}
