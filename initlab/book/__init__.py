"""The book's front-ends: figures, the kernel-free player, the debug lab, explorers, quizzes.

Everything here depends on the rest of initlab; nothing in initlab imports it.
Inside, each module builds only on the ones listed before it (bottom to top;
`tests/test_layers.py` keeps the order):

    messages   the one line a reader sees for any error, never a traceback
    quiz       the chapters' quick checks (stands alone)
    source     the scenario as the YAML a reader edits
    timeline   the view model of a run: lanes, STATUS spans, states, time axis (no drawing)
    svg        that timeline drawn as inline SVG, with its legend
    plots      the matplotlib figures (the timeline falls back to svg without matplotlib)
    player     the kernel-free player: kubectl texts per snapshot, the self-contained HTML
    debug      the debug lab: broken pods as data, graded by simulating a learner's fix
    live       what the page calls in the reader's browser (Pyodide): run_json, check_json
    explorers  the live explorers' state, with no display
    widgets    the explorers as ipywidgets panels
"""
