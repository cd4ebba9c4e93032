"""Budget exercises: residents share out a budget (money, points or dots) between the items; the items'
amounts and consequences, the allocation rules, how amounts are written, results and the allocation page."""
