"""Pure statistics for Engage: NumPy arrays in, NumPy arrays out. No Flask, no SQLAlchemy.

Services query counts from the database and hand them here; that keeps every method testable against known
answers and benchmarkable on its own.
"""
