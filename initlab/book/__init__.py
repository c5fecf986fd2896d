"""The book's front-ends: figures, the kernel-free player, explorers, the debug lab, quizzes.

Everything here depends on the rest of initlab; nothing in initlab imports it.
"""
