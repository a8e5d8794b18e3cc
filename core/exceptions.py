class BusinessRuleViolation(Exception):
    """A business rule refuses the operation (the API answers 422 with this message).

    `errors` optionally names the fields involved: {"amount": ["..."]}.
    """

    def __init__(self, message: str, errors: dict | None = None):
        super().__init__(message)
        self.message = message
        self.errors = errors
