"""What starts and watches gaweb's processes on a machine: the worker supervisor, a private Redis,
the reconciler, the terminal's progress display, and the commands ``up``, ``runworkers`` and
``runsearch``. Nothing here runs inside a worker: ``workers`` never imports this package.
"""
