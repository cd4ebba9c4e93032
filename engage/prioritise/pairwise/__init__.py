"""Pairwise exercises: residents choose between two priorities at a time; votes, pair counts, the
Bradley-Terry results, their downloads and charts, and the voting pages."""
