"""Keras (and TensorFlow under it), imported with their C++ start-up lines kept off the terminal.

At import and at its first look for devices, TensorFlow's C++ code writes notices straight to
file descriptor 2 (oneDNN, "Could not find cuda drivers", "failed call to cuInit ... (303)" on
a machine without a GPU), some of them before ``TF_CPP_MIN_LOG_LEVEL`` is read: the setting
alone does not hold them back. Here they go to a temporary file instead, and reach the
terminal only when the import fails, or when ``GAWEB_TF_LOGS=1`` asks for them.

Import ``keras`` from here before anything else imports it. ``best.py`` carries this file
whole (``searches.exports.best_py``): it imports the standard library only, and has no
``from __future__`` line (which must come first in a file); a test holds it to that.
"""

import os
import sys
import tempfile


def import_keras_quietly():
    """``keras``, imported with TensorFlow's start-up notices kept out of standard error."""
    if os.environ.get("GAWEB_TF_LOGS") == "1" or "keras" in sys.modules:
        import keras

        return keras
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    sys.stderr.flush()
    terminal = os.dup(2)
    failed = True
    with tempfile.TemporaryFile() as startup:
        os.dup2(startup.fileno(), 2)
        try:
            import keras

            if keras.backend.backend() == "tensorflow":
                import tensorflow

                tensorflow.config.list_physical_devices()  # the CUDA probe, and its notices, happen here
            failed = False
        finally:
            sys.stderr.flush()
            os.dup2(terminal, 2)
            os.close(terminal)
            if failed:  # what went wrong must be seen
                startup.seek(0)
                sys.stderr.write(startup.read().decode(errors="replace"))
    return keras


keras = import_keras_quietly()
