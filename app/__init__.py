"""A cited, plain-language explainer on immigration enforcement and Los Angeles policy."""

import os

# numpy (the search index's arrays) does no linear algebra here, so its BLAS needs no thread
# pool: one would take the second core while starting (0.1 s of CPU), and spin or hang in forks.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
