class NotInTransaction(RuntimeError):
    """Mail was queued outside a transaction: it could go out for a change that then rolls back."""
