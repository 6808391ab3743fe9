"""The Account Engagement scoring model: records (model), the scoring file (file), what the
Salesforce metadata says (salesforce), the process's limits (settings), and the merge (build).

Kept free of imports so auditor.process can load the scoring file without a cycle.
"""
