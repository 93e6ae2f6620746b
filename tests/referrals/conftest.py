import pytest

from tests.referrals.factories import DirectoryFactory


@pytest.fixture
def directory(partnership):
    return DirectoryFactory(partnership=partnership, name="Ballarat directory")


@pytest.fixture
def demo(db):
    """The demo directory, seeded as `manage.py seed_demo` does (accounts first)."""
    import io

    from accounts import demo as accounts_demo
    from referrals import demo as referrals_demo

    accounts_demo.seed(io.StringIO())
    return referrals_demo.seed(io.StringIO())
