"""What every web app shares: service errors and the one place they become responses, scoping, role
predicates, upload and download handling. An app (allocations, disclosure, and the ones to come) writes none of
these itself; see docs/architecture.md, "How an app uses platform".
"""
