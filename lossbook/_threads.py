"""Run the batched linear algebra with one BLAS thread."""
from functools import wraps

from threadpoolctl import threadpool_limits


def one_blas_thread(fn):
    """Decorator: call ``fn`` with BLAS limited to one thread.

    The census works on many small matrices; OpenBLAS threads then spin against each other
    (measured: eigh of 64 Hessians 361 × 361 took 66 s with 2 threads on a busy 2-core
    machine, 2.4 s with 1).
    """
    @wraps(fn)
    def wrapper(*args, **kwargs):
        with threadpool_limits(limits=1, user_api="blas"):
            return fn(*args, **kwargs)
    return wrapper
