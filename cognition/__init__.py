"""Cognition: configuration, the home, the diary and its index, chemistry, and the local runtime.

Importing this package must stay cheap (no torch): heavy libraries load inside the
factories that need them. It also pins the process offline: nothing is ever fetched
from a model hub at run time.
"""

import logging
import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
# bitsandbytes warns on every import on AVX512-BF16 CPUs that an optional kernel
# package is absent; reverie does not use 4-bit on the CPU, so the warning is noise.
logging.getLogger("bitsandbytes").setLevel(logging.ERROR)

import warnings  # noqa: E402

# peft asks transformers a deprecated question on every adapter load; the answer is right.
warnings.filterwarnings("ignore", message=".*is_gradient_checkpointing.*", category=FutureWarning)
