from tests.data.conftest import world  # noqa: F401  (the data-out tests' fictional world)
