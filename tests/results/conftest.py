import pytest


@pytest.fixture(params=["sqlite", "postgresql"])
def index_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'index.db'}"
    pg = request.getfixturevalue("postgres")
    pg.reset()
    return pg.url
