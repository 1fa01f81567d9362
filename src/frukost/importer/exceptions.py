class DraftIncomplete(Exception):
    """The draft lacks what every event must have (a title, a start and an end)."""

    def __init__(self, missing: list[str]):
        self.missing = missing
        super().__init__(", ".join(missing))
