"""The locust users of the throughput benchmark (benchmarks/throughput.py starts them).

No think time: each user sends its next request as soon as the last one answered.

- FloorUser: a signed-in officer opening the password-change page, a page with no query of its
  own (session, user, middleware, the base layout): what one request costs at the least.
- OfficerUser: officers of several agencies on the pages they use most: the person list (also
  searched by a family name), the incident list.
- PartnerUser: partner systems of several agencies reading the API with a token: people,
  households and incidents, a page at a time.

Who signs in with what is read from the JSON file named by BENCH_THROUGHPUT_FILE:
{"sessions": [session keys], "cookie": cookie name, "tokens": [API tokens],
"names": [family names to search]}.
"""

import itertools
import json
import os
import random
from typing import Any

from locust import FastHttpUser, constant, task

_SETUP: dict[str, Any] = json.loads(
    open(os.environ["BENCH_THROUGHPUT_FILE"], encoding="utf-8").read()  # noqa: SIM115
)
_SESSIONS = itertools.cycle(_SETUP["sessions"])
_TOKENS = itertools.cycle(_SETUP["tokens"])


class _Signed(FastHttpUser):
    abstract = True
    wait_time = constant(0)
    headers: dict[str, str]

    def _get(self, path: str, name: str) -> None:
        with self.client.get(
            path, headers=self.headers, name=name, catch_response=True, allow_redirects=False
        ) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}")


class _SessionUser(_Signed):
    abstract = True

    def on_start(self) -> None:
        self.headers = {"Cookie": f"{_SETUP['cookie']}={next(_SESSIONS)}"}


class FloorUser(_SessionUser):
    @task
    def password_page(self) -> None:
        self._get("/accounts/password/", "floor: password-change page")


class OfficerUser(_SessionUser):
    @task(3)
    def person_list(self) -> None:
        self._get("/registry/people/", "page: person list")

    @task(1)
    def person_search(self) -> None:
        self._get(f"/registry/people/?q={random.choice(_SETUP['names'])}", "page: person search")

    @task(3)
    def incident_list(self) -> None:
        self._get("/incidents/", "page: incident list")


class PartnerUser(_Signed):
    def on_start(self) -> None:
        self.headers = {"Authorization": f"Token {next(_TOKENS)}"}

    @task(3)
    def persons(self) -> None:
        self._get("/api/v1/persons/", "api: persons")

    @task(1)
    def households(self) -> None:
        self._get("/api/v1/households/", "api: households")

    @task(3)
    def incidents(self) -> None:
        self._get("/api/v1/incidents/", "api: incidents")
