from __future__ import annotations

import subprocess
import sys


def test_the_genetic_core_imports_no_django_celery_or_tensorflow():
    probe = (
        "import sys, searches.genetics; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'django', 'celery', 'tensorflow', 'keras', 'kombu'}))"
    )
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.strip()
    assert loaded == "[]"
