"""A test client that speaks to the real app with a real API key."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from frontdesk.api.app import create_app
from frontdesk.auth.scopes import ALL_SCOPES, Scope
from frontdesk.auth.service import create_key
from frontdesk.db.unit_of_work import session_factory, unit_of_work
from frontdesk.settings import Settings


class ApiClient:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.sessions = session_factory(engine)
        self.app = create_app(Settings(database_url=str(engine.url)), engine=engine)
        self.http = TestClient(self.app, raise_server_exceptions=False)
        self.owner_key = self.new_key(ALL_SCOPES)

    @classmethod
    def for_engine(cls, engine: Engine) -> ApiClient:
        return cls(engine)

    def new_key(self, scopes: frozenset[Scope] | set[Scope], name: str = "test") -> str:
        with unit_of_work(self.sessions) as db:
            _key, secret = create_key(db, name=name, scopes=scopes)
        return secret

    def call(
        self, method: str, path: str, key: str | None = None, **kwargs: Any
    ) -> Any:
        headers = kwargs.pop("headers", {})
        headers.setdefault("Authorization", f"Bearer {key or self.owner_key}")
        return self.http.request(method, path, headers=headers, **kwargs)

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.call("GET", path, **kwargs)

    def post(self, path: str, json: Any = None, **kwargs: Any) -> Any:
        return self.call("POST", path, json=json, **kwargs)

    def put(self, path: str, json: Any = None, **kwargs: Any) -> Any:
        return self.call("PUT", path, json=json, **kwargs)

    def patch(self, path: str, json: Any = None, **kwargs: Any) -> Any:
        return self.call("PATCH", path, json=json, **kwargs)

    def ok(
        self,
        method: str,
        path: str,
        json: Any = None,
        status: int | None = None,
        **kwargs: Any,
    ) -> Any:
        """Call, insist on success, and return the JSON body."""
        response = self.call(method, path, json=json, **kwargs)
        expected = status or (
            201 if method == "POST" and response.status_code == 201 else 200
        )
        assert response.status_code == expected, (response.status_code, response.text)
        return response.json()

    def close(self) -> None:
        self.http.close()
